// Admission webhooks beyond the basics, through the real kubectl: mutating webhooks called on
// DELETE (with oldObject; a patch there is refused as upstream refuses it), audit annotations of
// the answers on the audit log's events, matchPolicy Equivalent (an autoscaling/v1 webhook sees
// autoscaling/v2 writes converted to v1, and its patch lands on the v2 object; Exact ones are
// not called), and `authorizer` in matchConditions answered by RBAC.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCA, issue } from '../../src/pki/certs.js';
import { cleanup, startServer, type TestServer } from './harness.js';

interface Review {
  request: {
    uid: string;
    operation: string;
    kind: { group: string; version: string; kind: string };
    requestKind: { group: string; version: string; kind: string };
    resource: { group: string; version: string; resource: string };
    requestResource: { group: string; version: string; resource: string };
    name?: string;
    object: Record<string, unknown> | null;
    oldObject: Record<string, unknown> | null;
  };
}

const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  resources: [{group: "", resources: [configmaps]}]
`;

const patchOf = (ops: unknown[]) => Buffer.from(JSON.stringify(ops)).toString('base64');

function answer(path: string, review: Review): unknown {
  const { uid } = review.request;
  const response = (extra: Record<string, unknown> = {}) => ({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid, allowed: true, ...extra },
  });
  switch (path) {
    case '/patch':
      return response({
        patchType: 'JSONPatch',
        patch: patchOf([{ op: 'add', path: '/metadata/labels', value: { patched: 'v1' } }]),
      });
    case '/annotate':
      return response({ auditAnnotations: { decision: 'looked fine' } });
    case '/deny':
      return response({ allowed: false, status: { code: 403, message: 'not for you' } });
    default:
      return response();
  }
}

const hookConfig = (
  kind: 'Mutating' | 'Validating',
  name: string,
  url: string,
  rule: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) =>
  JSON.stringify({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: `${kind}WebhookConfiguration`,
    metadata: { name },
    webhooks: [
      {
        name: `${name}.example.com`,
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        clientConfig: { url },
        rules: [rule],
        ...extra,
      },
    ],
  });

const cmRule = (operations: string[]) => ({
  operations,
  apiGroups: [''],
  apiVersions: ['v1'],
  resources: ['configmaps'],
});

const hpaV2 = (name: string) =>
  JSON.stringify({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: 'default' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 3,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
        },
      ],
    },
  });

describe('admission webhooks: DELETE, audit annotations, matchPolicy Equivalent, authorizer', () => {
  let s: TestServer;
  let hook: Server;
  let port = 0;
  let caBundle = '';
  let logPath = '';
  const reviews: { path: string; review: Review }[] = [];
  const url = (path: string) => `https://127.0.0.1:${port}${path}`;
  const withCA = (json: string) => {
    const o = JSON.parse(json) as { webhooks: { clientConfig: Record<string, unknown> }[] };
    for (const w of o.webhooks) w.clientConfig.caBundle = caBundle;
    return JSON.stringify(o);
  };
  const apply = (json: string) => s.kubectl(['apply', '-f', '-'], withCA(json));
  const seen = (path: string) => reviews.filter((r) => r.path === path).map((r) => r.review.request);

  before(async () => {
    const ca = await createCA('webhook-test-ca');
    const serving = await issue(ca, {
      commonName: 'webhook',
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
      validDays: 1,
    });
    caBundle = Buffer.from(ca.pem.certPem).toString('base64');
    hook = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const path = (req.url ?? '').split('?')[0]!;
        const review = JSON.parse(body) as Review;
        reviews.push({ path, review });
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(answer(path, review)));
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    port = (hook.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-wh-'));
    writeFileSync(join(dir, 'audit.yaml'), AUDIT_POLICY);
    logPath = join(dir, 'audit.log');
    s = await startServer([
      '--disable-controller-manager',
      '--audit-policy-file',
      join(dir, 'audit.yaml'),
      '--audit-log-path',
      logPath,
    ]);
    for (const ns of ['deletes', 'audited', 'authz'])
      assert.equal((await s.kubectl(['create', 'namespace', ns])).code, 0);
  });
  after(async () => {
    hook.closeAllConnections();
    hook.close();
    await s.stop();
    cleanup(s);
  });

  it('mutating webhooks are called on DELETE with oldObject; a patch there is refused', async () => {
    const nsOnly = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'deletes' } } };
    let r = await apply(hookConfig('Mutating', 'on-delete', url('/ok'), cmRule(['DELETE']), nsOnly));
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await s.kubectl(['-n', 'deletes', 'create', 'configmap', 'gone'])).code, 0);
    r = await s.kubectl(['-n', 'deletes', 'delete', 'configmap', 'gone']);
    assert.equal(r.code, 0, r.stderr);
    const [del] = seen('/ok');
    assert.equal(del?.operation, 'DELETE');
    assert.equal(del?.object, null);
    assert.equal((del?.oldObject?.metadata as { name?: string }).name, 'gone');
    assert.equal(seen('/ok').length, 1, 'CREATE is not in the rules');

    r = await apply(hookConfig('Mutating', 'on-delete', url('/patch'), cmRule(['DELETE']), nsOnly));
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await s.kubectl(['-n', 'deletes', 'create', 'configmap', 'kept'])).code, 0);
    r = await s.kubectl(['-n', 'deletes', 'delete', 'configmap', 'kept']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'Error from server (InternalError): Internal error occurred: admission webhook "on-delete.example.com" attempted to modify the object, which is not supported for this operation',
    );
    assert.equal((await s.kubectl(['-n', 'deletes', 'get', 'configmap', 'kept'])).code, 0);
    assert.equal((await s.kubectl(['delete', 'mutatingwebhookconfiguration', 'on-delete'])).code, 0);
  });

  it("audit annotations of a webhook's answer land on the audit event as <webhook>/<key>", async () => {
    const r = await apply(
      hookConfig('Validating', 'annotate', url('/annotate'), cmRule(['CREATE']), {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'audited' } },
      }),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await s.kubectl(['-n', 'audited', 'create', 'configmap', 'a1'])).code, 0);
    let annotations: Record<string, string> | undefined;
    // the audit log is written after the response; wait for the event to be flushed
    for (let i = 0; !annotations && i < 150; i++) {
      const lines = existsSync(logPath) ? readFileSync(logPath, 'utf8').split('\n').filter(Boolean) : [];
      const ev = lines
        .map(
          (l) =>
            JSON.parse(l) as {
              stage: string;
              verb: string;
              objectRef?: { name?: string };
              annotations?: Record<string, string>;
            },
        )
        .find((e) => e.stage === 'ResponseComplete' && e.verb === 'create' && e.objectRef?.name === 'a1');
      if (ev) annotations = ev.annotations ?? {};
      else await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(annotations?.['annotate.example.com/decision'], 'looked fine');
  });

  it('mutating webhook calls are recorded as mutation.webhook.admission.k8s.io annotations', async () => {
    const r = await apply(
      hookConfig('Mutating', 'labeller', url('/patch'), cmRule(['CREATE']), {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'audited' } },
      }),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await s.kubectl(['-n', 'audited', 'create', 'configmap', 'a2'])).code, 0);
    let annotations: Record<string, string> | undefined;
    for (let i = 0; !annotations && i < 150; i++) {
      const lines = existsSync(logPath) ? readFileSync(logPath, 'utf8').split('\n').filter(Boolean) : [];
      const ev = lines
        .map(
          (l) =>
            JSON.parse(l) as {
              stage: string;
              verb: string;
              objectRef?: { name?: string };
              annotations?: Record<string, string>;
            },
        )
        .find((e) => e.stage === 'ResponseComplete' && e.verb === 'create' && e.objectRef?.name === 'a2');
      if (ev) annotations = ev.annotations ?? {};
      else await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(
      annotations?.['mutation.webhook.admission.k8s.io/round_0_index_0'],
      '{"configuration":"labeller","webhook":"labeller.example.com","mutated":true}',
    );
    assert.equal((await s.kubectl(['delete', 'mutatingwebhookconfiguration', 'labeller'])).code, 0);
  });

  it('matchPolicy Equivalent: an autoscaling/v1 webhook sees v2 writes converted to v1', async () => {
    const v1Rule = {
      operations: ['CREATE'],
      apiGroups: ['autoscaling'],
      apiVersions: ['v1'],
      resources: ['horizontalpodautoscalers'],
    };
    let r = await apply(hookConfig('Mutating', 'hpa-v1', url('/patch'), v1Rule));
    assert.equal(r.code, 0, r.stderr);
    r = await apply(
      hookConfig('Validating', 'hpa-v1-exact', url('/exact'), v1Rule, { matchPolicy: 'Exact' }),
    );
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['apply', '-f', '-'], hpaV2('web'));
    assert.equal(r.code, 0, r.stderr);
    const [call] = seen('/patch').filter((c) => c.resource.resource === 'horizontalpodautoscalers');
    assert.deepEqual(call?.kind, { group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler' });
    assert.deepEqual(call?.requestKind, {
      group: 'autoscaling',
      version: 'v2',
      kind: 'HorizontalPodAutoscaler',
    });
    assert.deepEqual(call?.resource, {
      group: 'autoscaling',
      version: 'v1',
      resource: 'horizontalpodautoscalers',
    });
    assert.deepEqual(call?.requestResource, {
      group: 'autoscaling',
      version: 'v2',
      resource: 'horizontalpodautoscalers',
    });
    assert.equal(call?.object?.apiVersion, 'autoscaling/v1');
    assert.equal(
      (call?.object?.spec as { targetCPUUtilizationPercentage?: number }).targetCPUUtilizationPercentage,
      60,
    );
    assert.equal(seen('/exact').length, 0, 'an Exact webhook for v1 is not called for v2');
    // the v1 patch lands on the stored object, the v2 spec is kept
    r = await s.kubectl([
      'get',
      'hpa.v2.autoscaling',
      'web',
      '-o',
      'jsonpath={.metadata.labels.patched} {.spec.metrics[0].resource.target.averageUtilization}',
    ]);
    assert.equal(r.stdout, 'v1 60');
    // a v1 write reaches both exactly
    r = await s.kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'autoscaling/v1',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'other', namespace: 'default' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'other' },
          maxReplicas: 2,
        },
      }),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(seen('/exact').length, 1);
  });

  it('matchConditions can ask the authorizer', async () => {
    let r = await apply(
      hookConfig('Validating', 'non-admins', url('/deny'), cmRule(['CREATE']), {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'authz' } },
        matchConditions: [
          {
            name: 'not-cluster-admin',
            expression: "!authorizer.group('').resource('nodes').check('delete').allowed()",
          },
        ],
      }),
    );
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['-n', 'authz', 'create', 'configmap', 'by-admin']);
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl([
      '-n',
      'authz',
      'create',
      'role',
      'cm-writer',
      '--verb=create',
      '--resource=configmaps',
    ]);
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['-n', 'authz', 'create', 'rolebinding', 'bob-cm', '--role=cm-writer', '--user=bob']);
    assert.equal(r.code, 0, r.stderr);
    // the RBAC authorizer reads the watch cache: wait until bob may create
    for (let i = 0; ; i++) {
      const can = await s.kubectl(['auth', 'can-i', 'create', 'configmaps', '-n', 'authz', '--as=bob']);
      if (can.stdout.trim() === 'yes') break;
      if (i > 100) throw new Error(`bob never got the role: ${can.stdout}${can.stderr}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    r = await s.kubectl(['--as=bob', '-n', 'authz', 'create', 'configmap', 'by-bob']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'error: failed to create configmap: admission webhook "non-admins.example.com" denied the request: not for you',
    );
  });
});
