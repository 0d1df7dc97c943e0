// ServiceAccount admission: the default account, the token volume's exact shape, opting out,
// and the refusals for missing accounts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, pod, type Cluster } from './fixture.js';
import { serviceAccountAdmission } from '../../../src/apiserver/admission/service-account.js';
import type { KubeObject } from '../../../src/api/types.js';

let c: Cluster;
before(async () => {
  c = await cluster((deps) => [serviceAccountAdmission(deps, { retryMs: () => 20 })]);
  await c.create('serviceaccounts', sa('default'), 'ns');
});
after(() => c.close());

function sa(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name }, ...extra };
}

interface Spec {
  serviceAccountName?: string;
  serviceAccount?: string;
  volumes?: { name: string }[];
  containers: { volumeMounts?: unknown[] }[];
  initContainers?: { volumeMounts?: unknown[] }[];
  imagePullSecrets?: unknown[];
}
const specOf = (p: KubeObject) => p.spec as Spec;

test('a pod without an account runs as default with the kube-api-access volume in every container', async () => {
  const p = pod('web');
  (p.spec as Record<string, unknown>).initContainers = [{ name: 'init', image: 'busybox' }];
  const created = await c.create('pods', p);
  const spec = specOf(created);
  assert.equal(spec.serviceAccountName, 'default');
  assert.equal(spec.serviceAccount, 'default');
  const vol = spec.volumes!.at(-1)!;
  assert.match(vol.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.deepEqual(vol, {
    name: vol.name,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
      ],
      defaultMode: 420,
    },
  });
  const mount = {
    name: vol.name,
    readOnly: true,
    mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
  };
  assert.deepEqual(spec.containers[0].volumeMounts, [mount]);
  assert.deepEqual(spec.initContainers![0].volumeMounts, [mount]);
});

test('automountServiceAccountToken: false on the pod or the account means no volume; the pod wins', async () => {
  const off = await c.create('pods', pod('off', {}, { automountServiceAccountToken: false }));
  assert.equal(specOf(off).volumes, undefined);
  await c.create('serviceaccounts', sa('quiet', { automountServiceAccountToken: false }), 'ns');
  const quiet = await c.create('pods', pod('quiet', {}, { serviceAccountName: 'quiet' }));
  assert.equal(specOf(quiet).volumes, undefined);
  const wins = await c.create(
    'pods',
    pod('wins', {}, { serviceAccountName: 'quiet', automountServiceAccountToken: true }),
  );
  assert.equal(specOf(wins).volumes!.length, 1);
});

test("the account's imagePullSecrets go to pods that have none", async () => {
  await c.create('serviceaccounts', sa('puller', { imagePullSecrets: [{ name: 'regcred' }] }), 'ns');
  const p = await c.create('pods', pod('pull', {}, { serviceAccountName: 'puller' }));
  assert.deepEqual(specOf(p).imagePullSecrets, [{ name: 'regcred' }]);
});

test('a missing account is refused; the default one after a short wait', async () => {
  const e = await c.refused('pods', pod('x', {}, { serviceAccountName: 'nope' }));
  assert.equal(e.code, 403);
  assert.equal(
    e.message,
    'pods "x" is forbidden: error looking up service account ns/nope: serviceaccount "nope" not found',
  );
  const d = await c.refused('pods', pod('y'), 'fresh');
  assert.equal(
    d.message,
    'pods "y" is forbidden: error looking up service account fresh/default: serviceaccount "default" not found',
  );
});

test('the default account appearing while the pod waits lets it in', async () => {
  const pending = c.create('pods', pod('waiter'), 'late');
  await c.create('serviceaccounts', sa('default'), 'late');
  const created = await pending;
  assert.equal(specOf(created).serviceAccountName, 'default');
});

test('an account enforcing mountable secrets refuses other secrets', async () => {
  await c.create(
    'serviceaccounts',
    sa('strict', {
      metadata: { name: 'strict', annotations: { 'kubernetes.io/enforce-mountable-secrets': 'true' } },
      secrets: [{ name: 'ok' }],
    }),
    'ns',
  );
  const p = pod(
    's',
    {},
    { serviceAccountName: 'strict', volumes: [{ name: 'v', secret: { secretName: 'other' } }] },
  );
  const e = await c.refused('pods', p);
  assert.equal(
    e.message,
    'pods "s" is forbidden: volume with secret.secretName="other" is not allowed because service account strict does not reference that secret',
  );
});

test('mirror pods may not name an account', async () => {
  const p = pod('m', {}, { serviceAccountName: 'default' });
  p.metadata.annotations = { 'kubernetes.io/config.mirror': 'x' };
  assert.equal(
    (await c.refused('pods', p)).message,
    'pods "m" is forbidden: a mirror pod may not reference service accounts',
  );
});

test('a replace that leaves out the deprecated serviceAccount field keeps it in step', async () => {
  const created = await c.create('pods', pod('rep'));
  const st = c.store('pods');
  const next = structuredClone(created);
  delete (next.spec as Record<string, unknown>).serviceAccount;
  (next.metadata.labels ??= {}).changed = 'yes';
  const updated = await st.update('ns', 'rep', c.ctx('ns'), () => next);
  assert.equal(specOf(updated).serviceAccount, 'default');
  assert.equal(updated.metadata.labels?.changed, 'yes');
});
