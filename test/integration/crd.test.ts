// CustomResourceDefinitions through the real kubectl: a Prometheus-operator ServiceMonitor, a
// cert-manager-like Certificate and the docs' CronTab, with upstream's conditions, discovery,
// validation texts, printer columns, subresources, versions, apply and CRD deletion.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cleanup, ROOT, startServer, type TestServer } from './harness.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'crds');

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const certificate = (name: string, spec: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name }, spec });

describe('CustomResourceDefinitions', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer([]);
    for (const f of ['servicemonitor-crd.yaml', 'certificate-crd.yaml', 'crontab-crd.yaml']) {
      const r = await s.kubectl(['apply', '-f', join(FIXTURES, f)]);
      assert.equal(r.code, 0, r.stderr);
    }
    const r = await s.kubectl(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=20s']);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('sets NamesAccepted and Established with upstream reasons and messages', async () => {
    const r = await s.kubectl(['get', 'crd', 'servicemonitors.monitoring.coreos.com', '-o', 'json']);
    const crd = JSON.parse(r.stdout) as {
      status: {
        conditions: { type: string; status: string; reason: string; message: string }[];
        acceptedNames: object;
        storedVersions: string[];
      };
      spec: { conversion: object };
    };
    const conds = crd.status.conditions.map((c) => [c.type, c.status, c.reason, c.message]);
    assert.deepEqual(conds, [
      ['NamesAccepted', 'True', 'NoConflicts', 'no conflicts found'],
      ['Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted'],
    ]);
    assert.deepEqual(crd.status.storedVersions, ['v1']);
    assert.deepEqual(crd.spec.conversion, { strategy: 'None' });
  });

  it('publishes shortNames and categories in discovery', async () => {
    let r = await s.kubectl(['api-resources', '--api-group=monitoring.coreos.com']);
    assert.match(r.stdout, /^servicemonitors\s+smon\s+monitoring\.coreos\.com\/v1\s+true\s+ServiceMonitor$/m);
    r = await s.kubectl(['-n', 'default', 'apply', '-f', '-'], SERVICE_MONITOR);
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['-n', 'default', 'get', 'smon']);
    assert.match(r.stdout, /^NAME\s+AGE\napi\s+\d+s\n$/);
    r = await s.kubectl(['-n', 'default', 'get', 'prometheus-operator', '-o', 'name']);
    assert.equal(r.stdout, 'servicemonitor.monitoring.coreos.com/api\n');
    r = await s.kubectl([
      '-n',
      'default',
      'get',
      'smon',
      'api',
      '-o',
      'jsonpath={.spec.endpoints[0].honorLabels}',
    ]);
    assert.equal(r.stdout, 'false', 'the schema default is applied');
  });

  it('explains custom resources from OpenAPI v3', async () => {
    const r = await s.kubectl(['explain', 'servicemonitor.spec.endpoints.port']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /GROUP:\s+monitoring\.coreos\.com\nKIND:\s+ServiceMonitor\nVERSION:\s+v1/);
    assert.match(r.stdout, /FIELD: port <string>/);
    assert.match(r.stdout, /Name of the service port this endpoint refers to\./);
  });

  it('rejects a custom resource that fails its schema with upstream paths and texts', async () => {
    const r = await s.kubectl(
      ['-n', 'default', 'create', '-f', '-'],
      certificate('bad', {
        secretName: 'Bad_Name',
        commonName: 5,
        dnsNames: ['-bad-'],
        revisionHistoryLimit: 500,
        privateKey: { algorithm: 'DSA' },
        issuerRef: {},
      }),
    );
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines[0], 'The Certificate "bad" is invalid: ');
    assert.deepEqual(lines.slice(1).sort(), [
      '* spec.commonName: Invalid value: "integer": spec.commonName in body must be of type string: "integer"',
      '* spec.dnsNames[0]: Invalid value: "-bad-": spec.dnsNames[0] in body must be of type hostname: "-bad-"',
      '* spec.issuerRef.name: Required value',
      '* spec.privateKey.algorithm: Unsupported value: "DSA": supported values: "RSA", "ECDSA", "Ed25519"',
      '* spec.revisionHistoryLimit: Invalid value: 500: spec.revisionHistoryLimit in body should be less than or equal to 100',
      `* spec.secretName: Invalid value: "Bad_Name": spec.secretName in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'`,
    ]);
    const none = await s.kubectl(['-n', 'default', 'get', 'certificate', 'bad']);
    assert.equal(none.code, 1, 'nothing was stored');
  });

  it('refuses unknown fields with --validate=strict and prunes them with a warning otherwise', async () => {
    const body = certificate('pruned', { secretName: 'pruned-tls', issuerRef: { name: 'ca' }, foo: 1 });
    let r = await s.kubectl(['-n', 'default', 'create', '-f', '-'], body);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /Certificate in version "v1" cannot be handled as a Certificate: strict decoding error: unknown field "spec\.foo"/,
    );
    r = await s.kubectl(['-n', 'default', 'create', '--validate=warn', '-f', '-'], body);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: unknown field "spec\.foo"/);
    r = await s.kubectl(['-n', 'default', 'get', 'cert', 'pruned', '-o', 'jsonpath={.spec}']);
    const spec = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(spec.foo, undefined);
    assert.deepEqual(spec.privateKey, { algorithm: 'RSA' }, 'defaults fill an object defaulted to {}');
    assert.equal(spec.isCA, false);
  });

  it('prints additionalPrinterColumns, -o wide included, and serves the status subresource', async () => {
    let r = await s.kubectl(
      ['-n', 'default', 'create', '-f', '-'],
      certificate('web', { secretName: 'web-tls', issuerRef: { name: 'letsencrypt' } }),
    );
    assert.equal(r.code, 0, r.stderr);
    const status = {
      conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date' }],
    };
    r = await s.kubectl([
      '-n',
      'default',
      'patch',
      'cert',
      'web',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status }),
    ]);
    assert.equal(r.code, 0, r.stderr);
    // a main-resource write cannot change status
    r = await s.kubectl([
      '-n',
      'default',
      'patch',
      'cert',
      'web',
      '--type=merge',
      '-p',
      '{"status":null,"spec":{"commonName":"a.example"}}',
    ]);
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['-n', 'default', 'get', 'cert', 'web']);
    assert.match(r.stdout, /^NAME\s+READY\s+SECRET\s+AGE\nweb\s+True\s+web-tls\s+\d+s\n$/);
    r = await s.kubectl(['-n', 'default', 'get', 'cert', 'web', '-o', 'wide']);
    assert.match(
      r.stdout,
      /^NAME\s+READY\s+SECRET\s+ISSUER\s+STATUS\s+AGE\nweb\s+True\s+web-tls\s+letsencrypt\s+Certificate is up to date\s+\d+s\n$/,
    );
  });

  it('refuses strategic merge patch with upstream 415 text and takes server-side apply', async () => {
    let r = await s.kubectl(['-n', 'default', 'patch', 'cert', 'web', '-p', '{"spec":{"commonName":"b"}}']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml/,
    );
    const applied = certificate('web', { secretName: 'web-tls', issuerRef: { name: 'vault' } });
    const ssa = ['-n', 'default', 'apply', '--server-side', '--field-manager=ops', '-f', '-'];
    r = await s.kubectl(ssa, applied);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /Apply failed with 1 conflict: conflict with "kubectl-create" using cert-manager.io\/v1: \.spec\.issuerRef\.name/,
    );
    r = await s.kubectl([...ssa, '--force-conflicts'], applied);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'certificate.cert-manager.io/web serverside-applied');
    r = await s.kubectl([
      '-n',
      'default',
      'get',
      'cert',
      'web',
      '-o',
      'jsonpath={.spec.issuerRef.name} {.metadata.generation}',
    ]);
    const [issuer, generation] = r.stdout.split(' ');
    assert.equal(issuer, 'vault');
    // applying the same again changes nothing: the defaults it drops come back, no new generation
    r = await s.kubectl(ssa, applied);
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl([
      '-n',
      'default',
      'get',
      'cert',
      'web',
      '-o',
      'jsonpath={.metadata.generation} {.spec.isCA}',
    ]);
    assert.equal(r.stdout, `${generation} false`);
    // client-side apply picks merge patch (the OpenAPI offers no strategic merge)
    r = await s.kubectl(['-n', 'default', 'apply', '-f', '-'], SERVICE_MONITOR.replace('30s', '15s'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'servicemonitor.monitoring.coreos.com/api configured');
  });

  it('serves every version, rewriting apiVersion (conversion None)', async () => {
    const r = await s.kubectl([
      '-n',
      'default',
      'get',
      'certificates.v1beta1.cert-manager.io',
      'web',
      '-o',
      'jsonpath={.apiVersion}',
    ]);
    assert.equal(r.stdout, 'cert-manager.io/v1beta1');
    const list = await s.api(
      'GET',
      '/apis/cert-manager.io/v1beta1/namespaces/default/certificates?labelSelector=none%3Dx',
    );
    assert.equal(list.status, 200);
    assert.deepEqual(JSON.parse(list.body).items, []);
    const byName = await s.api(
      'GET',
      '/apis/cert-manager.io/v1/certificates?fieldSelector=metadata.name%3Dweb',
    );
    assert.deepEqual(
      (JSON.parse(byName.body) as { items: { metadata: { name: string } }[] }).items.map(
        (i) => i.metadata.name,
      ),
      ['web'],
    );
    // other labels, without selectableFields: apiextensions' crConverter text
    const bad = await s.api('GET', '/apis/cert-manager.io/v1/certificates?fieldSelector=spec.secretName%3Dx');
    assert.equal(bad.status, 400);
    assert.equal(
      (JSON.parse(bad.body) as { message: string }).message,
      'field label not supported: spec.secretName',
    );
  });

  it('scales through the scale subresource and defaults from the schema', async () => {
    let r = await s.kubectl(
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'stable.example.com/v1',
        kind: 'CronTab',
        metadata: { name: 'nightly' },
        spec: { cronSpec: '0 3 * * *', image: 'busybox' },
      }),
    );
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['get', 'ct', 'nightly', '-o', 'jsonpath={.spec.replicas}']);
    assert.equal(r.stdout, '1');
    r = await s.kubectl(['scale', 'crontab', 'nightly', '--replicas=4']);
    assert.equal(r.stdout.trim(), 'crontab.stable.example.com/nightly scaled');
    r = await s.kubectl(['get', '--raw', '/apis/stable.example.com/v1/crontabs/nightly/scale']);
    const scale = JSON.parse(r.stdout) as { kind: string; apiVersion: string; spec: { replicas: number } };
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.apiVersion, 'autoscaling/v1');
    assert.equal(scale.spec.replicas, 4);
    r = await s.kubectl(['scale', 'crontab', 'nightly', '--replicas=40']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /spec\.replicas: Invalid value: 40: spec\.replicas in body should be less than or equal to 10/,
    );
    r = await s.kubectl(
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'stable.example.com/v1',
        kind: 'CronTab',
        metadata: { name: 'bad' },
        spec: { cronSpec: '* * * *', replicas: 15 },
      }),
    );
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /spec\.cronSpec: Invalid value: "\* \* \* \*": spec\.cronSpec in body should match/,
    );
  });

  it('streams watch events of custom resources', async () => {
    const watching = s.api(
      'GET',
      '/apis/stable.example.com/v1/crontabs?watch=1&timeoutSeconds=3&labelSelector=team%3Dops',
    );
    await new Promise((r) => setTimeout(r, 300));
    const r = await s.kubectl(
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'stable.example.com/v1',
        kind: 'CronTab',
        metadata: { name: 'watched', labels: { team: 'ops' } },
        spec: {},
      }),
    );
    assert.equal(r.code, 0, r.stderr);
    const events = (await watching).body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } });
    assert.deepEqual(
      events.map((e) => [e.type, e.object.metadata.name]),
      [['ADDED', 'watched']],
    );
  });

  it('rejects invalid CRDs with upstream texts', async () => {
    const crd = (name: string, spec: Record<string, unknown>) =>
      JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name },
        spec,
      });
    const version = (schema: unknown, storage = true) => ({
      name: 'v1',
      served: true,
      storage,
      schema: { openAPIV3Schema: schema },
    });
    const names = { plural: 'widgets', kind: 'Widget' };
    const cases: [string, string, string][] = [
      [
        crd('widgets.example.com', {
          group: 'example.com',
          scope: 'Namespaced',
          names,
          versions: [
            version({ type: 'object', properties: { spec: { properties: { a: { type: 'string' } } } } }),
          ],
        }),
        'spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
        'non-structural',
      ],
      [
        crd('widgets.example', {
          group: 'example',
          scope: 'Namespaced',
          names,
          versions: [version({ type: 'object' })],
        }),
        'spec.group: Invalid value: "example": should be a domain with at least one dot',
        'group without a dot',
      ],
      [
        crd('gadgets.example.com', {
          group: 'example.com',
          scope: 'Namespaced',
          names,
          versions: [version({ type: 'object' })],
        }),
        'metadata.name: Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group',
        'name mismatch',
      ],
      [
        crd('widgets.example.com', {
          group: 'example.com',
          scope: 'Namespaced',
          names,
          versions: [version({ type: 'object' }, false)],
        }),
        'must have exactly one version marked as storage version',
        'no storage version',
      ],
      [
        crd('widgets.example.com', {
          group: 'example.com',
          scope: 'Global',
          names,
          versions: [version({ type: 'object' })],
        }),
        'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
        'bad scope',
      ],
      [
        crd('widgets.example.com', {
          group: 'example.com',
          scope: 'Cluster',
          names,
          versions: [version({ type: 'string' })],
        }),
        'spec.versions[0].schema.openAPIV3Schema.type: Invalid value: "string": must be object at the root',
        'root not an object',
      ],
    ];
    for (const [body, text, what] of cases) {
      const r = await s.kubectl(['create', '-f', '-'], body);
      assert.equal(r.code, 1, what);
      assert.ok(r.stderr.includes(text), `${what}: ${r.stderr}`);
      assert.match(r.stderr, /The CustomResourceDefinition "[a-z.]+" is invalid: /, what);
    }
  });

  it('reports NamesAccepted=False on a name clash and does not serve the CRD', async () => {
    const taken = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gizmos.example.org' },
      spec: {
        group: 'example.org',
        scope: 'Namespaced',
        names: { plural: 'gizmos', kind: 'Gizmo', shortNames: ['gadgets'] },
        versions: [
          { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
        ],
      },
    };
    let r = await s.kubectl(['create', '-f', '-'], JSON.stringify(taken));
    assert.equal(r.code, 0, r.stderr);
    await s.kubectl(['wait', '--for=condition=Established', 'crd/gizmos.example.org', '--timeout=10s']);
    const clash = {
      ...taken,
      metadata: { name: 'gadgets.example.org' },
      spec: { ...taken.spec, names: { plural: 'gadgets', kind: 'Gadget' } },
    };
    r = await s.kubectl(['create', '-f', '-'], JSON.stringify(clash));
    assert.equal(r.code, 0, r.stderr);
    const conds = await until('NamesAccepted', async () => {
      const g = await s.kubectl(['get', 'crd', 'gadgets.example.org', '-o', 'jsonpath={.status.conditions}']);
      return g.stdout
        ? (JSON.parse(g.stdout) as { type: string; status: string; reason: string; message: string }[])
        : undefined;
    });
    assert.deepEqual(
      conds.map((c) => [c.type, c.status, c.reason, c.message]),
      [
        ['NamesAccepted', 'False', 'PluralConflict', '"gadgets" is already in use'],
        ['Established', 'False', 'NotAccepted', 'not all names are accepted'],
      ],
    );
    const g = await s.api('GET', '/apis/example.org/v1/gadgets');
    assert.equal(g.status, 404);
  });

  it('deleting a CRD deletes its objects and stops serving it', async () => {
    let r = await s.kubectl(['get', 'ct', '-o', 'name']);
    assert.match(r.stdout, /crontab\.stable\.example\.com\/nightly/);
    r = await s.kubectl(['delete', 'crd', 'crontabs.stable.example.com', '--timeout=20s']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout.trim(),
      'customresourcedefinition.apiextensions.k8s.io "crontabs.stable.example.com" deleted',
    );
    const gone = await s.api('GET', '/apis/stable.example.com/v1/crontabs');
    assert.equal(gone.status, 404);
    r = await s.kubectl(['api-resources', '--api-group=stable.example.com', '-o', 'name']);
    assert.equal(r.stdout, '');
    // a CRD of the same name starts empty
    r = await s.kubectl(['apply', '-f', join(FIXTURES, 'crontab-crd.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    await s.kubectl([
      'wait',
      '--for=condition=Established',
      'crd/crontabs.stable.example.com',
      '--timeout=10s',
    ]);
    r = await s.kubectl(['get', 'ct']);
    assert.equal(r.stderr.trim(), 'No resources found');
  });
});

const SERVICE_MONITOR = `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: api
  labels: {team: a}
spec:
  selector:
    matchLabels: {app: api}
  endpoints:
    - port: web
      interval: 30s
      targetPort: 8080
`;
