// API aggregation as a user meets it: the Local APIServices, the published
// extension-apiserver-authentication ConfigMap, and a tiny extension API server (TLS, trusting
// only the front-proxy client certificate) registered with an APIService: its availability
// condition, discovery, proxied requests with the user's identity, and 503 once it is gone
// while the rest of the API keeps working.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createCA, issue } from '../../src/pki/certs.js';
import { cleanup, startServer, type TestServer } from './harness.js';

const GV = 'wardle.example.com/v1alpha1';

async function eventually<T>(what: string, run: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await run();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${what}: last ${JSON.stringify(last)}`);
}

describe('API aggregation', () => {
  let s: TestServer;
  let ext: Server;
  let extPort = 0;
  let caBundle = '';
  const seen: { user: string; groups: string[]; trusted: boolean }[] = [];
  const k = (args: string[], input?: string) => s.kubectl(args, input);

  /** The extension server: trusts identity headers only from a client certificate the request-header CA signed. */
  async function startExtension(frontProxyCA: string, allowedNames: string[]): Promise<void> {
    const ca = await createCA('wardle-ca');
    caBundle = Buffer.from(ca.pem.certPem).toString('base64');
    const serving = await issue(ca, {
      commonName: 'api',
      dnsNames: ['api.wardle.svc'],
      usage: 'server',
      validDays: 1,
    });
    ext = createServer(
      {
        cert: serving.certPem,
        key: serving.keyPem,
        ca: frontProxyCA,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        const sock = req.socket as TLSSocket;
        const cn = sock.getPeerCertificate()?.subject?.CN;
        const trusted = sock.authorized && allowedNames.includes(String(cn));
        const user = String(req.headers['x-remote-user'] ?? '');
        const groups = ([] as string[]).concat(req.headers['x-remote-group'] ?? []);
        seen.push({ user, groups, trusted });
        res.setHeader('Content-Type', 'application/json');
        if (!trusted) {
          res.statusCode = 401;
          return void res.end('{}');
        }
        const path = (req.url ?? '').split('?')[0];
        if (path === `/apis/${GV}`)
          return void res.end(
            JSON.stringify({
              kind: 'APIResourceList',
              apiVersion: 'v1',
              groupVersion: GV,
              resources: [
                {
                  name: 'flunders',
                  singularName: 'flunder',
                  namespaced: true,
                  kind: 'Flunder',
                  verbs: ['get', 'list'],
                },
                {
                  name: 'flunders/status',
                  singularName: '',
                  namespaced: true,
                  kind: 'Flunder',
                  verbs: ['get'],
                },
              ],
            }),
          );
        if (path === `/apis/${GV}/namespaces/default/flunders`)
          return void res.end(
            JSON.stringify({
              kind: 'FlunderList',
              apiVersion: GV,
              metadata: { resourceVersion: '1' },
              items: [
                {
                  kind: 'Flunder',
                  apiVersion: GV,
                  metadata: {
                    name: 'one',
                    namespace: 'default',
                    annotations: { user, groups: groups.join(',') },
                  },
                },
              ],
            }),
          );
        res.statusCode = 404;
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            code: 404,
            reason: 'NotFound',
          }),
        );
      },
    );
    await new Promise<void>((r) => ext.listen(extPort, '127.0.0.1', r));
    extPort = (ext.address() as AddressInfo).port;
  }

  before(async () => {
    s = await startServer(['--disable-controller-manager']);
  });
  after(async () => {
    ext?.closeAllConnections();
    ext?.close();
    await s.stop();
    cleanup(s);
  });

  it('lists the Local APIServices of the built-in groups, Available', async () => {
    const r = await k(['get', 'apiservices']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME\s+SERVICE\s+AVAILABLE\s+AGE\n/);
    assert.match(r.stdout, /\nv1\.\s+Local\s+True\s+/);
    assert.match(r.stdout, /\nv1\.apps\s+Local\s+True\s+/);
    assert.match(r.stdout, /\nv2\.autoscaling\s+Local\s+True\s+/);
    const local = JSON.parse((await k(['get', 'apiservice', 'v1.apps', '-o', 'json'])).stdout);
    assert.deepEqual(local.spec, {
      group: 'apps',
      version: 'v1',
      groupPriorityMinimum: 17800,
      versionPriority: 15,
    });
    assert.equal(local.status.conditions[0].reason, 'Local');
    assert.equal(local.status.conditions[0].message, 'Local APIServices are always available');
  });

  it('refuses an APIService whose name is not <version>.<group>', async () => {
    const bad = {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'wrong' },
      spec: {
        group: 'a.example.com',
        version: 'v1',
        groupPriorityMinimum: 0,
        versionPriority: 10,
        service: { namespace: 'x', name: 'y' },
      },
    };
    const r = await k(['create', '-f', '-'], JSON.stringify(bad));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The APIService "wrong" is invalid/);
    assert.match(
      r.stderr,
      /metadata.name: Invalid value: "wrong": must be `spec.version\+"."\+spec.group`: "v1.a.example.com"/,
    );
    assert.match(
      r.stderr,
      /spec.groupPriorityMinimum: Invalid value: 0: must be positive and less than 20000/,
    );
  });

  it('proxies to an extension API server with the user in X-Remote-* headers, shown in discovery', async () => {
    const cm = JSON.parse(
      (await k(['-n', 'kube-system', 'get', 'configmap', 'extension-apiserver-authentication', '-o', 'json']))
        .stdout,
    );
    assert.deepEqual(JSON.parse(cm.data['requestheader-username-headers']), ['X-Remote-User']);
    assert.deepEqual(JSON.parse(cm.data['requestheader-group-headers']), ['X-Remote-Group']);
    assert.match(cm.data['client-ca-file'], /BEGIN CERTIFICATE/);
    await startExtension(
      cm.data['requestheader-client-ca-file'],
      JSON.parse(cm.data['requestheader-allowed-names']),
    );

    await k(['create', 'namespace', 'wardle']);
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'api', namespace: 'wardle' },
      spec: { ports: [{ name: 'https', port: 443, targetPort: extPort }] },
    };
    const ep = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'api', namespace: 'wardle' },
      subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: extPort }] }],
    };
    const apiService = {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1alpha1.wardle.example.com' },
      spec: {
        group: 'wardle.example.com',
        version: 'v1alpha1',
        groupPriorityMinimum: 1000,
        versionPriority: 15,
        caBundle,
        service: { namespace: 'wardle', name: 'api' },
      },
    };
    const r = await k(
      ['apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [svc, ep, apiService] }),
    );
    assert.equal(r.code, 0, r.stderr);
    await eventually(
      'Available',
      () => k(['get', 'apiservice', 'v1alpha1.wardle.example.com']),
      (o) => /wardle\/api\s+True\s+/.test(o.stdout),
    );
    const cond = JSON.parse(
      (await k(['get', 'apiservice', 'v1alpha1.wardle.example.com', '-o', 'json'])).stdout,
    ).status.conditions[0];
    assert.equal(cond.reason, 'Passed');
    assert.equal(cond.message, 'all checks passed');

    const resources = await eventually(
      'api-resources',
      () => k(['api-resources', '--api-group=wardle.example.com']),
      (o) => o.stdout.includes('flunders'),
    );
    assert.match(resources.stdout, /flunders\s+wardle.example.com\/v1alpha1\s+true\s+Flunder/);
    const groups = JSON.parse((await k(['get', '--raw', '/apis'])).stdout);
    assert.ok(groups.groups.some((g: { name: string }) => g.name === 'wardle.example.com'));
    const group = JSON.parse((await k(['get', '--raw', '/apis/wardle.example.com'])).stdout);
    assert.equal(group.preferredVersion.groupVersion, GV);

    const list = await k(['get', 'flunders', '-o', 'json']);
    assert.equal(list.code, 0, list.stderr);
    const item = JSON.parse(list.stdout).items[0];
    assert.equal(item.metadata.name, 'one');
    assert.ok(item.metadata.annotations.user, 'X-Remote-User forwarded');
    assert.match(item.metadata.annotations.groups, /system:masters/);
    assert.ok(
      seen.every((x) => x.trusted),
      'every request came with the front-proxy client certificate',
    );
    assert.ok(
      seen.some((x) => x.user === 'system:kube-aggregator'),
      'the discovery check identifies itself',
    );
  });

  it('an APIService without its Service or endpoints is unavailable with upstream reasons', async () => {
    const mk = (name: string, svcName: string) =>
      JSON.stringify({
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: `v1.${name}` },
        spec: {
          group: name,
          version: 'v1',
          groupPriorityMinimum: 100,
          versionPriority: 10,
          insecureSkipTLSVerify: true,
          service: { namespace: 'wardle', name: svcName },
        },
      });
    await k(['apply', '-f', '-'], mk('missing.example.com', 'nothing'));
    const missing = await eventually(
      'ServiceNotFound',
      () =>
        k([
          'get',
          'apiservice',
          'v1.missing.example.com',
          '-o',
          'jsonpath={.status.conditions[0].reason}: {.status.conditions[0].message}',
        ]),
      (o) => o.stdout.startsWith('ServiceNotFound'),
    );
    assert.equal(missing.stdout, 'ServiceNotFound: service/nothing in "wardle" is not present');
    await k(['-n', 'wardle', 'create', 'service', 'clusterip', 'empty', '--tcp=443:8443']);
    await k(['apply', '-f', '-'], mk('empty.example.com', 'empty'));
    const empty = await eventually(
      'MissingEndpoints',
      () =>
        k([
          'get',
          'apiservice',
          'v1.empty.example.com',
          '-o',
          'jsonpath={.status.conditions[0].reason}: {.status.conditions[0].message}',
        ]),
      (o) => /^(MissingEndpoints|EndpointsNotFound)/.test(o.stdout),
    );
    assert.equal(empty.stdout, 'EndpointsNotFound: cannot find endpoints for service/empty in "wardle"');
    const table = await k(['get', 'apiservice', 'v1.missing.example.com']);
    assert.match(table.stdout, /wardle\/nothing\s+False \(ServiceNotFound\)/);
    await k(['delete', 'apiservice', 'v1.missing.example.com', 'v1.empty.example.com']);
  });

  it('a dead extension server makes its group answer 503 while the rest keeps working', async () => {
    ext.closeAllConnections();
    await new Promise<void>((r) => ext.close(() => r()));
    const failed = await eventually(
      'FailedDiscoveryCheck',
      () =>
        k([
          'get',
          'apiservice',
          'v1alpha1.wardle.example.com',
          '-o',
          'jsonpath={.status.conditions[0].reason}|{.status.conditions[0].message}',
        ]),
      (o) => o.stdout.startsWith('FailedDiscoveryCheck'),
    );
    assert.match(
      failed.stdout,
      new RegExp(`\\|failing or missing response from https://127.0.0.1:${extPort}/apis/${GV}: `),
    );
    const r = await k(['get', 'flunders', '-o', 'json']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ServiceUnavailable|the server is currently unable to handle the request/);
    const raw = await s.api('GET', `/apis/${GV}/namespaces/default/flunders`);
    assert.equal(raw.status, 503);
    assert.equal(raw.body, 'service unavailable\n');
    // aggregated discovery marks the group version Stale: kubectl 1.31 leaves it out and lists the rest
    const resources = await k(['api-resources', '-o', 'name']);
    assert.equal(resources.code, 0, resources.stderr);
    assert.doesNotMatch(resources.stdout, /flunders/);
    assert.match(resources.stdout, /\ndeployments.apps\n/);
    const pods = await k(['get', 'configmaps', '-n', 'kube-system', '-o', 'name']);
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /configmap\/extension-apiserver-authentication/);
  });
});
