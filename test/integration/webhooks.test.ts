// Admission webhooks as a kubectl user meets them: a small webhook server over TLS (its own
// test CA, handed over in caBundle) reached by URL and through a Service's endpoints; denials,
// JSONPatch mutations, warnings, selectors, failurePolicy on timeouts and garbage, dry run,
// reinvocation, and the configurations' validation and defaults.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCA, issue } from '../../src/pki/certs.js';
import { cleanup, startServer, type TestServer } from './harness.js';

interface Review {
  request: {
    uid: string;
    operation: string;
    dryRun: boolean;
    namespace?: string;
    object: {
      metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
      data?: Record<string, string>;
    };
  };
}

const patchOf = (ops: unknown[]) => Buffer.from(JSON.stringify(ops)).toString('base64');

/** What each path of the test webhook answers. */
function answer(path: string, review: Review): unknown {
  const { uid, object } = review.request;
  const ok = (extra: Record<string, unknown> = {}) => ({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid, allowed: true, ...extra },
  });
  switch (path) {
    case '/validate':
      if (object.data?.forbidden !== undefined)
        return {
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: {
            uid,
            allowed: false,
            status: { code: 403, message: 'the key "forbidden" is not allowed' },
          },
        };
      return ok({ warnings: ['checked by the validator'] });
    case '/mutate': {
      const ops: unknown[] = object.metadata.labels
        ? []
        : [{ op: 'add', path: '/metadata/labels', value: {} }];
      ops.push({ op: 'add', path: '/metadata/labels/mutated', value: review.request.dryRun ? 'dry' : 'yes' });
      return ok({ patchType: 'JSONPatch', patch: patchOf(ops) });
    }
    case '/reinvoke-a': {
      // records whether webhook b's label was there when a ran
      const seen = object.metadata.labels?.b === 'set' ? 'true' : 'false';
      const ops: unknown[] = object.metadata.annotations
        ? []
        : [{ op: 'add', path: '/metadata/annotations', value: {} }];
      ops.push({ op: 'add', path: '/metadata/annotations/a-saw-b', value: seen });
      return ok({ patchType: 'JSONPatch', patch: patchOf(ops) });
    }
    case '/reinvoke-b': {
      const ops: unknown[] = object.metadata.labels
        ? []
        : [{ op: 'add', path: '/metadata/labels', value: {} }];
      ops.push({ op: 'add', path: '/metadata/labels/b', value: 'set' });
      return ok({ patchType: 'JSONPatch', patch: patchOf(ops) });
    }
    case '/wrong-uid':
      return {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: { uid: 'nope', allowed: true },
      };
    default:
      return ok();
  }
}

function config(kind: 'Mutating' | 'Validating', name: string, webhook: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: `${kind}WebhookConfiguration`,
    metadata: { name },
    webhooks: [
      {
        name: `${name}.example.com`,
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        rules: [
          {
            operations: ['CREATE', 'UPDATE'],
            apiGroups: [''],
            apiVersions: ['v1'],
            resources: ['configmaps'],
          },
        ],
        ...webhook,
      },
    ],
  });
}

describe('admission webhooks', () => {
  let s: TestServer;
  let hook: Server;
  let port = 0;
  let caBundle = '';
  let otherCA = '';
  const calls: string[] = [];
  const k = (args: string[], input?: string) => s.kubectl(args, input);
  const url = (path: string) => `https://127.0.0.1:${port}${path}`;

  before(async () => {
    const ca = await createCA('webhook-test-ca');
    const serving = await issue(ca, {
      commonName: 'webhook',
      dnsNames: ['webhook.hooks.svc'],
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
      validDays: 1,
    });
    caBundle = Buffer.from(ca.pem.certPem).toString('base64');
    otherCA = Buffer.from((await createCA('unrelated-ca')).pem.certPem).toString('base64');
    hook = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const path = (req.url ?? '').split('?')[0]!;
        calls.push(`${path} ${req.url?.split('?')[1] ?? ''}`);
        if (path === '/slow') return; // never answers
        if (path === '/garbage') return void res.end('this is not an AdmissionReview');
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(answer(path, JSON.parse(body) as Review)));
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    port = (hook.address() as AddressInfo).port;
    s = await startServer(['--disable-controller-manager']);
  });
  after(async () => {
    hook.closeAllConnections();
    hook.close();
    await s.stop();
    cleanup(s);
  });

  it('stores configurations with upstream defaults, listed by kubectl get', async () => {
    const r = await k(
      ['apply', '-f', '-'],
      config('Validating', 'defaults', {
        clientConfig: { url: url('/ok') },
        namespaceSelector: { matchLabels: { never: 'x' } },
      }),
    );
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(
      (await k(['get', 'validatingwebhookconfiguration', 'defaults', '-o', 'json'])).stdout,
    );
    const w = got.webhooks[0];
    assert.equal(w.failurePolicy, 'Fail');
    assert.equal(w.matchPolicy, 'Equivalent');
    assert.equal(w.timeoutSeconds, 10);
    assert.deepEqual(w.objectSelector, {});
    assert.equal(w.rules[0].scope, '*');
    const m = await k(
      ['apply', '-f', '-'],
      config('Mutating', 'mdefaults', {
        clientConfig: { service: { namespace: 'x', name: 'y' } },
        namespaceSelector: { matchLabels: { never: 'x' } },
      }),
    );
    assert.equal(m.code, 0, m.stderr);
    const mw = JSON.parse(
      (await k(['get', 'mutatingwebhookconfiguration', 'mdefaults', '-o', 'json'])).stdout,
    ).webhooks[0];
    assert.equal(mw.reinvocationPolicy, 'Never');
    assert.equal(mw.clientConfig.service.port, 443);
    const table = await k(['get', 'validatingwebhookconfigurations']);
    assert.match(table.stdout, /^NAME\s+WEBHOOKS\s+AGE\n/);
    assert.match(table.stdout, /defaults\s+1\s+/);
  });

  it('refuses invalid configurations with upstream field errors and stores nothing', async () => {
    const bad = JSON.stringify({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'bad' },
      webhooks: [
        {
          name: 'short',
          clientConfig: { url: 'http://example.com/x' },
          timeoutSeconds: 31,
          rules: [{ operations: ['PATCH'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
        },
      ],
    });
    const r = await k(['create', '-f', '-'], bad);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The ValidatingWebhookConfiguration "bad" is invalid/);
    assert.match(
      r.stderr,
      /webhooks\[0\]\.name: Invalid value: "short": should be a domain with at least three segments separated by dots/,
    );
    assert.match(
      r.stderr,
      /webhooks\[0\]\.sideEffects: Required value: must specify one of None, NoneOnDryRun/,
    );
    assert.match(
      r.stderr,
      /webhooks\[0\]\.admissionReviewVersions: Required value: must specify one of v1, v1beta1/,
    );
    assert.match(
      r.stderr,
      /webhooks\[0\]\.timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds/,
    );
    assert.match(
      r.stderr,
      /webhooks\[0\]\.clientConfig\.url: Invalid value: "http:\/\/example.com\/x": 'https' is the only allowed URL scheme/,
    );
    assert.match(r.stderr, /webhooks\[0\]\.rules\[0\]\.operations\[0\]: Unsupported value: "PATCH"/);
    const g = await k(['get', 'validatingwebhookconfiguration', 'bad']);
    assert.notEqual(g.code, 0);
  });

  it('a validating webhook behind a Service denies with its message and warns otherwise', async () => {
    await k(['create', 'namespace', 'hooks']);
    await k(['create', 'namespace', 'checked']);
    await k(['label', 'namespace', 'checked', 'webhooks=on']);
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'webhook', namespace: 'hooks' },
      spec: { ports: [{ name: 'https', port: 443, targetPort: port }] },
    };
    const ep = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'webhook', namespace: 'hooks' },
      subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port }] }],
    };
    assert.equal(
      (await k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [svc, ep] })))
        .code,
      0,
    );
    const r = await k(
      ['apply', '-f', '-'],
      config('Validating', 'deny', {
        clientConfig: { service: { namespace: 'hooks', name: 'webhook', path: '/validate' }, caBundle },
        namespaceSelector: { matchLabels: { webhooks: 'on' } },
      }),
    );
    assert.equal(r.code, 0, r.stderr);
    const denied = await k(['-n', 'checked', 'create', 'configmap', 'c1', '--from-literal=forbidden=1']);
    assert.notEqual(denied.code, 0);
    assert.equal(
      denied.stderr.trim(),
      'error: failed to create configmap: admission webhook "deny.example.com" denied the request: the key "forbidden" is not allowed',
    );
    const allowed = await k(['-n', 'checked', 'create', 'configmap', 'c2', '--from-literal=fine=1']);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stderr, /Warning: checked by the validator/);
    // the namespace selector leaves other namespaces alone
    const elsewhere = await k(['-n', 'default', 'create', 'configmap', 'c1', '--from-literal=forbidden=1']);
    assert.equal(elsewhere.code, 0, elsewhere.stderr);
    assert.ok(
      calls.some((c) => c === '/validate timeout=10s'),
      calls.join(','),
    );
    await k(['delete', 'validatingwebhookconfiguration', 'deny']);
  });

  it('matchConditions skip the webhook when false; errors follow failurePolicy', async () => {
    const conditions = (expression: string, failurePolicy: string) =>
      config('Validating', 'conditional', {
        clientConfig: { url: url('/validate'), caBundle },
        failurePolicy,
        matchConditions: [
          { name: 'not-skipped', expression: "object.metadata.name != 'skip-me'" },
          { name: 'second', expression },
        ],
      });
    let r = await k(['apply', '-f', '-'], conditions('foo == 1', 'Fail'));
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /The ValidatingWebhookConfiguration "conditional" is invalid: webhooks\[0\]\.matchConditions\[1\]\.expression: Invalid value: "foo == 1": compilation failed: ERROR: <input>:1:1: undeclared reference to 'foo' \(in container ''\)/,
    );
    r = await k(['apply', '-f', '-'], conditions("request.operation == 'CREATE'", 'Fail'));
    assert.equal(r.code, 0, r.stderr);
    r = await k(['-n', 'default', 'create', 'configmap', 'skip-me', '--from-literal=forbidden=1']);
    assert.equal(r.code, 0, r.stderr);
    r = await k(['-n', 'default', 'create', 'configmap', 'mc-checked', '--from-literal=forbidden=1']);
    assert.equal(
      r.stderr.trim(),
      'error: failed to create configmap: admission webhook "conditional.example.com" denied the request: the key "forbidden" is not allowed',
    );
    // an error with no false condition: Fail refuses with Forbidden, Ignore skips the webhook
    r = await k(['apply', '-f', '-'], conditions("object.data.nope == 'x'", 'Fail'));
    assert.equal(r.code, 0, r.stderr);
    r = await k(['-n', 'default', 'create', 'configmap', 'mc-error', '--from-literal=a=1']);
    assert.equal(
      r.stderr.trim(),
      `error: failed to create configmap: configmaps "mc-error" is forbidden: expression 'object.data.nope == 'x'' resulted in error: no such key: nope`,
    );
    // a false condition skips the webhook even when another one fails
    await k(['-n', 'default', 'delete', 'configmap', 'skip-me']);
    r = await k(['-n', 'default', 'create', 'configmap', 'skip-me', '--from-literal=forbidden=1']);
    assert.equal(r.code, 0, r.stderr);
    r = await k(['apply', '-f', '-'], conditions("object.data.nope == 'x'", 'Ignore'));
    assert.equal(r.code, 0, r.stderr);
    r = await k(['-n', 'default', 'create', 'configmap', 'mc-ignored', '--from-literal=forbidden=1']);
    assert.equal(r.code, 0, r.stderr);
    await k(['delete', 'validatingwebhookconfiguration', 'conditional']);
  });

  it('a mutating webhook patches objects its objectSelector picks, also on dry run', async () => {
    const r = await k(
      ['apply', '-f', '-'],
      config('Mutating', 'mutate', {
        clientConfig: { url: url('/mutate'), caBundle },
        objectSelector: { matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }] },
      }),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await k(['create', 'configmap', 'm1'])).code, 0);
    assert.equal(
      (await k(['get', 'configmap', 'm1', '-o', 'jsonpath={.metadata.labels.mutated}'])).stdout,
      'yes',
    );
    const dry = await k([
      'create',
      'configmap',
      'm2',
      '--dry-run=server',
      '-o',
      'jsonpath={.metadata.labels.mutated}',
    ]);
    assert.equal(dry.stdout, 'dry', dry.stderr);
    assert.notEqual((await k(['get', 'configmap', 'm2'])).code, 0);
    const skipped = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm3', labels: { skip: 'y' } } };
    assert.equal((await k(['create', '-f', '-'], JSON.stringify(skipped))).code, 0);
    assert.equal(
      (await k(['get', 'configmap', 'm3', '-o', 'jsonpath={.metadata.labels.mutated}'])).stdout,
      '',
    );
    await k(['delete', 'mutatingwebhookconfiguration', 'mutate']);
  });

  it('reinvocationPolicy IfNeeded calls a webhook again after a later one changed the object', async () => {
    const only = { objectSelector: { matchLabels: { reinvoke: 'yes' } } };
    await k(
      ['apply', '-f', '-'],
      config('Mutating', 'a-first', {
        clientConfig: { url: url('/reinvoke-a'), caBundle },
        reinvocationPolicy: 'IfNeeded',
        ...only,
      }),
    );
    await k(
      ['apply', '-f', '-'],
      config('Mutating', 'b-second', { clientConfig: { url: url('/reinvoke-b'), caBundle }, ...only }),
    );
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'r1', labels: { reinvoke: 'yes' } } };
    assert.equal((await k(['create', '-f', '-'], JSON.stringify(cm))).code, 0);
    assert.equal(
      (await k(['get', 'configmap', 'r1', '-o', 'jsonpath={.metadata.annotations.a-saw-b}'])).stdout,
      'true',
    );
    await k([
      'patch',
      'mutatingwebhookconfiguration',
      'a-first',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/webhooks/0/reinvocationPolicy","value":"Never"}]',
    ]);
    const cm2 = { ...cm, metadata: { ...cm.metadata, name: 'r2' } };
    assert.equal((await k(['create', '-f', '-'], JSON.stringify(cm2))).code, 0);
    assert.equal(
      (await k(['get', 'configmap', 'r2', '-o', 'jsonpath={.metadata.annotations.a-saw-b}'])).stdout,
      'false',
    );
    await k(['delete', 'mutatingwebhookconfiguration', 'a-first', 'b-second']);
  });

  it('failurePolicy decides what a timeout, garbage, a wrong uid or an unknown CA does', async () => {
    const only = { objectSelector: { matchLabels: { broken: 'yes' } } };
    const cm = (name: string) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { broken: 'yes' } } });
    await k(
      ['apply', '-f', '-'],
      config('Validating', 'slow', {
        clientConfig: { url: url('/slow'), caBundle },
        timeoutSeconds: 1,
        ...only,
      }),
    );
    const t = await k(['create', '-f', '-'], cm('t1'));
    assert.notEqual(t.code, 0);
    assert.equal(
      t.stderr.trim(),
      `Error from server (InternalError): error when creating "STDIN": Internal error occurred: failed calling webhook "slow.example.com": failed to call webhook: Post "${url('/slow')}?timeout=1s": context deadline exceeded`,
    );
    await k([
      'patch',
      'validatingwebhookconfiguration',
      'slow',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/webhooks/0/failurePolicy","value":"Ignore"}]',
    ]);
    assert.equal((await k(['create', '-f', '-'], cm('t2'))).code, 0);
    await k(['delete', 'validatingwebhookconfiguration', 'slow']);

    const cases: [string, Record<string, unknown>, RegExp][] = [
      [
        'garbage',
        { url: url('/garbage'), caBundle },
        /failed calling webhook "garbage.example.com": failed to call webhook: /,
      ],
      [
        'wronguid',
        { url: url('/wrong-uid'), caBundle },
        /failed calling webhook "wronguid.example.com": received invalid webhook response: expected response.uid="[0-9a-f-]+", got "nope"/,
      ],
      [
        'unknownca',
        { url: url('/ok'), caBundle: otherCA },
        /failed calling webhook "unknownca.example.com": failed to call webhook: Post ".*": tls: failed to verify certificate: x509: certificate signed by unknown authority/,
      ],
      [
        'noservice',
        { service: { namespace: 'hooks', name: 'missing' } },
        /failed calling webhook "noservice.example.com": failed to call webhook: Post "https:\/\/missing.hooks.svc:443\/\?timeout=10s": service "missing" not found/,
      ],
    ];
    for (const [name, clientConfig, message] of cases) {
      await k(['apply', '-f', '-'], config('Validating', name, { clientConfig, ...only }));
      const r = await k(['create', '-f', '-'], cm(`${name}-1`));
      assert.notEqual(r.code, 0, name);
      assert.match(r.stderr, /Internal error occurred/, name);
      assert.match(r.stderr, message, name);
      await k(['delete', 'validatingwebhookconfiguration', name]);
    }
  });
});
