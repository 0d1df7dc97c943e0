// Priority, DefaultTolerationSeconds and DefaultStorageClass as a client sees them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, pod, type Cluster } from './fixture.js';
import { priorityAdmission } from '../../../src/apiserver/admission/priority.js';
import { defaultTolerationSeconds } from '../../../src/apiserver/admission/default-toleration-seconds.js';
import { defaultStorageClass } from '../../../src/apiserver/admission/default-storage-class.js';
import { taintNodesByCondition } from '../../../src/apiserver/admission/taint-nodes-by-condition.js';
import { systemPriorityClasses } from '../../../src/apiserver/registry/scheduling/priorityclasses.js';
import type { KubeObject } from '../../../src/api/types.js';

let c: Cluster;
before(async () => {
  c = await cluster((deps) => [
    priorityAdmission(deps),
    defaultTolerationSeconds(),
    defaultStorageClass(deps),
  ]);
  for (const pc of systemPriorityClasses) await c.create('priorityclasses', pc, '', 'scheduling.k8s.io');
});
after(() => c.close());

const specOf = (p: KubeObject) => p.spec as Record<string, unknown>;
const pc = (name: string, value: number, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'scheduling.k8s.io/v1',
  kind: 'PriorityClass',
  metadata: { name },
  value,
  ...extra,
});

test('priority: none named → 0 and PreemptLowerPriority; a named class gives its value and policy', async () => {
  const plain = await c.create('pods', pod('plain'));
  assert.equal(specOf(plain).priority, 0);
  assert.equal(specOf(plain).preemptionPolicy, 'PreemptLowerPriority');
  assert.equal(specOf(plain).priorityClassName, undefined);
  const crit = await c.create('pods', pod('crit', {}, { priorityClassName: 'system-node-critical' }));
  assert.equal(specOf(crit).priority, 2000001000);
  await c.create('priorityclasses', pc('polite', 10, { preemptionPolicy: 'Never' }), '', 'scheduling.k8s.io');
  const polite = await c.create('pods', pod('polite', {}, { priorityClassName: 'polite' }));
  assert.equal(specOf(polite).preemptionPolicy, 'Never');
});

test('priority refusals: unknown class, a priority that disagrees with the class', async () => {
  const e = await c.refused('pods', pod('x', {}, { priorityClassName: 'x' }));
  assert.equal(e.code, 403);
  assert.equal(e.message, 'pods "x" is forbidden: no PriorityClass with name x was found');
  const p = await c.refused('pods', pod('p', {}, { priorityClassName: 'polite', priority: 5 }));
  assert.equal(
    p.message,
    'pods "p" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 10 from the given PriorityClass name',
  );
});

test('the global default class applies to pods that name none; only one default may exist', async () => {
  await c.create('priorityclasses', pc('everyone', 7, { globalDefault: true }), '', 'scheduling.k8s.io');
  const p = await c.create('pods', pod('dflt'), 'gd');
  assert.equal(specOf(p).priorityClassName, 'everyone');
  assert.equal(specOf(p).priority, 7);
  const e = await c.refused(
    'priorityclasses',
    pc('second', 8, { globalDefault: true }),
    '',
    'scheduling.k8s.io',
  );
  assert.equal(
    e.message,
    'priorityclasses.scheduling.k8s.io "second" is forbidden: PriorityClass everyone is marked as default. Only one default can exist',
  );
  await c.store('priorityclasses', 'scheduling.k8s.io').delete(undefined, 'everyone', c.ctx(), {});
});

test('default tolerations: not-ready and unreachable for 300 s unless already tolerated', async () => {
  const p = await c.create('pods', pod('tol'));
  assert.deepEqual(specOf(p).tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    {
      key: 'node.kubernetes.io/unreachable',
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: 300,
    },
  ]);
  const all = await c.create('pods', pod('all', {}, { tolerations: [{ operator: 'Exists' }] }));
  assert.deepEqual(specOf(all).tolerations, [{ operator: 'Exists' }]);
  const own = await c.create(
    'pods',
    pod(
      'own',
      {},
      {
        tolerations: [
          {
            key: 'node.kubernetes.io/unreachable',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 6,
          },
        ],
      },
    ),
  );
  assert.deepEqual(
    (specOf(own).tolerations as { key: string; tolerationSeconds: number }[]).map(
      (t) => `${t.key}=${t.tolerationSeconds}`,
    ),
    ['node.kubernetes.io/unreachable=6', 'node.kubernetes.io/not-ready=300'],
  );
});

test('default storage class: claims without a class get the annotated default; "" is kept', async () => {
  const sc = (name: string, isDefault?: string) => ({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name,
      ...(isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': isDefault } } : {}),
    },
    provisioner: 'example.com/p',
  });
  const claim = (name: string, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...extra },
  });
  const none = await c.create('persistentvolumeclaims', claim('none'));
  assert.equal(specOf(none).storageClassName, undefined);
  await c.create('storageclasses', sc('standard', 'false'), '', 'storage.k8s.io');
  await c.create('storageclasses', sc('gold', 'true'), '', 'storage.k8s.io');
  assert.equal(specOf(await c.create('persistentvolumeclaims', claim('a'))).storageClassName, 'gold');
  assert.equal(
    specOf(await c.create('persistentvolumeclaims', claim('b', { storageClassName: '' }))).storageClassName,
    '',
  );
  assert.equal(
    specOf(await c.create('persistentvolumeclaims', claim('c', { storageClassName: 'standard' })))
      .storageClassName,
    'standard',
  );
});

test('TaintNodesByCondition: new nodes start not-ready:NoSchedule, once', async () => {
  const n = await cluster(() => [taintNodesByCondition()]);
  try {
    const node = await n.create('nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }, '');
    assert.deepEqual((node.spec as { taints: unknown }).taints, [
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
    ]);
    const own = await n.create(
      'nodes',
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'n2' },
        spec: {
          taints: [
            { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
            { key: 'x', effect: 'NoExecute' },
          ],
        },
      },
      '',
    );
    assert.equal((own.spec as { taints: unknown[] }).taints.length, 2);
  } finally {
    await n.close();
  }
});
