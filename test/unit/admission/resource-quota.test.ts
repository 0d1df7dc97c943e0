// ResourceQuota admission and the usage arithmetic the controller shares, as a client sees them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, pod, type Cluster } from './fixture.js';
import { resourceQuota } from '../../../src/apiserver/admission/resource-quota.js';
import { limitRanger } from '../../../src/apiserver/admission/limit-ranger.js';
import { calculateUsage, quotaStatusUpdate } from '../../../src/api/quota/usage.js';
import { toJSON } from '../../../src/api/quota/resources.js';
import { evaluatorFor } from '../../../src/api/quota/registry.js';
import type { KubeObject } from '../../../src/api/types.js';

let c: Cluster;
before(async () => {
  c = await cluster((deps) => [limitRanger(deps), resourceQuota(deps)]);
});
after(() => c.close());

function quota(name: string, hard: Record<string, string>, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name }, spec: { hard, ...spec } };
}

/** Creates a quota and gives it the status the controller would (hard = spec, used as given). */
async function quotaWithStatus(ns: string, q: KubeObject, used: Record<string, string>): Promise<void> {
  await c.create('resourcequotas', q, ns);
  const store = c.store('resourcequotas');
  const hard = (q.spec as { hard: Record<string, string> }).hard;
  const updated = await store.update(
    ns,
    q.metadata.name!,
    c.ctx(ns),
    (cur) => ({ ...cur, status: { hard, used } }),
    {
      subresource: 'status',
    },
  );
  await store.cache.waitForRevision(Number(updated.metadata.resourceVersion));
}

const statusOf = (ns: string, name: string) =>
  c.store('resourcequotas').cache.get(c.store('resourcequotas').key(ns, name))!.obj.status as {
    used: Record<string, string>;
  };

const computePod = (name: string, mem: string, memLimit: string) =>
  pod(name, { limits: { memory: memLimit, cpu: '800m' }, requests: { memory: mem, cpu: '400m' } });

const MEM_CPU = { 'requests.cpu': '1', 'requests.memory': '1Gi', 'limits.cpu': '2', 'limits.memory': '2Gi' };
const ZERO_USED = { 'requests.cpu': '0', 'requests.memory': '0', 'limits.cpu': '0', 'limits.memory': '0' };

test('seed 004 §3.3.5: the first pod is charged, the second exceeds requests.memory', async () => {
  await quotaWithStatus('qmc', quota('mem-cpu-demo', MEM_CPU), ZERO_USED);
  await c.create('pods', computePod('quota-mem-cpu-demo', '600Mi', '800Mi'), 'qmc');
  assert.deepEqual(statusOf('qmc', 'mem-cpu-demo').used, {
    'limits.cpu': '800m',
    'limits.memory': '800Mi',
    'requests.cpu': '400m',
    'requests.memory': '600Mi',
  });
  const e = await c.refused('pods', computePod('quota-mem-cpu-demo-2', '700Mi', '1Gi'), 'qmc');
  assert.equal(e.code, 403);
  assert.equal(
    e.message,
    'pods "quota-mem-cpu-demo-2" is forbidden: exceeded quota: mem-cpu-demo, requested: requests.memory=700Mi, used: requests.memory=600Mi, limited: requests.memory=1Gi',
  );
  // a refused pod charges nothing
  assert.equal(statusOf('qmc', 'mem-cpu-demo').used['requests.memory'], '600Mi');
});

test('a cpu/memory quota requires every container, init containers too, to state them', async () => {
  const p = pod('nolimits');
  (p.spec as Record<string, unknown>).initContainers = [
    { name: 'init', image: 'busybox', resources: { limits: { cpu: '1' } } },
  ];
  const e = await c.refused('pods', p, 'qmc');
  assert.equal(
    e.message,
    'pods "nolimits" is forbidden: failed quota: mem-cpu-demo: must specify limits.cpu for: c; limits.memory for: c,init; requests.cpu for: c; requests.memory for: c,init',
  );
});

test('a quota without status.hard does not apply yet; hard without used is "status unknown"', async () => {
  await c.create('resourcequotas', quota('fresh', { pods: '0' }), 'fresh');
  await c.create('pods', pod('admitted'), 'fresh');
  await quotaWithStatus('unknown', quota('half', { pods: '5', 'count/configmaps': '3' }), {
    'count/configmaps': '0',
  });
  const e = await c.refused('pods', pod('p'), 'unknown');
  assert.equal(e.message, 'pods "p" is forbidden: status unknown for quota: half, resources: pods');
});

test('pod count: requested, used and limited name only what is exceeded', async () => {
  await quotaWithStatus('pc', quota('pod-demo', { pods: '1', 'count/pods': '10' }), {
    pods: '1',
    'count/pods': '1',
  });
  const e = await c.refused('pods', pod('third'), 'pc');
  assert.equal(
    e.message,
    'pods "third" is forbidden: exceeded quota: pod-demo, requested: pods=1, used: pods=1, limited: pods=1',
  );
});

test('dry-run requests are checked but not charged', async () => {
  await quotaWithStatus('dry', quota('cm', { configmaps: '2' }), { configmaps: '0' });
  const st = c.store('configmaps');
  const ctx = { ...c.ctx('dry'), dryRun: true };
  await st.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'dry' } }, ctx);
  assert.equal(statusOf('dry', 'cm').used.configmaps, '0');
  await c.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y' } }, 'dry');
  assert.equal(statusOf('dry', 'cm').used.configmaps, '1');
});

test('object counts for any resource: count/deployments.apps', async () => {
  await quotaWithStatus('cnt', quota('deploys', { 'count/deployments.apps': '1' }), {
    'count/deployments.apps': '1',
  });
  const d = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: {
      selector: { matchLabels: { a: 'b' } },
      template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    },
  };
  const e = await c.refused('deployments', d, 'cnt', 'apps');
  assert.equal(
    e.message,
    'deployments.apps "d" is forbidden: exceeded quota: deploys, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1',
  );
});

test('storage quota (seed 004 §3.15): requests.storage and per storage class', async () => {
  await quotaWithStatus(
    'stq',
    quota('storagequota', {
      persistentvolumeclaims: '5',
      'requests.storage': '5Gi',
      'gold.storageclass.storage.k8s.io/requests.storage': '1Gi',
    }),
    {
      persistentvolumeclaims: '2',
      'requests.storage': '4Gi',
      'gold.storageclass.storage.k8s.io/requests.storage': '0',
    },
  );
  const claim = (name: string, size: string, cls?: string) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      ...(cls ? { storageClassName: cls } : {}),
    },
  });
  const e = await c.refused('persistentvolumeclaims', claim('c3', '2Gi'), 'stq');
  assert.equal(
    e.message,
    'persistentvolumeclaims "c3" is forbidden: exceeded quota: storagequota, requested: requests.storage=2Gi, used: requests.storage=4Gi, limited: requests.storage=5Gi',
  );
  await quotaWithStatus(
    'stg',
    quota('goldq', { 'gold.storageclass.storage.k8s.io/requests.storage': '1Gi' }),
    {
      'gold.storageclass.storage.k8s.io/requests.storage': '0',
    },
  );
  await c.create('persistentvolumeclaims', claim('plain', '2Gi'), 'stg');
  const g = await c.refused('persistentvolumeclaims', claim('g', '2Gi', 'gold'), 'stg');
  assert.equal(
    g.message,
    'persistentvolumeclaims "g" is forbidden: exceeded quota: goldq, requested: gold.storageclass.storage.k8s.io/requests.storage=2Gi, used: gold.storageclass.storage.k8s.io/requests.storage=0, limited: gold.storageclass.storage.k8s.io/requests.storage=1Gi',
  );
});

test('services: NodePort services count their ports', async () => {
  await quotaWithStatus('svcq', quota('svc', { 'services.nodeports': '1' }), { 'services.nodeports': '0' });
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'np' },
    spec: {
      type: 'NodePort',
      selector: { a: 'b' },
      ports: [
        { name: 'a', port: 80 },
        { name: 'b', port: 81 },
      ],
    },
  };
  const e = await c.refused('services', svc, 'svcq');
  assert.equal(
    e.message,
    'services "np" is forbidden: exceeded quota: svc, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1',
  );
});

test('scopes: BestEffort quotas ignore pods with resources; PriorityClass In matches by name', async () => {
  await quotaWithStatus('scoped', quota('be', { pods: '0' }, { scopes: ['BestEffort'] }), { pods: '0' });
  await c.create('pods', computePod('burstable', '10Mi', '20Mi'), 'scoped');
  const e = await c.refused('pods', pod('besteffort'), 'scoped');
  assert.match(e.message, /exceeded quota: be, requested: pods=1/);
  const pc = quota(
    'high',
    { pods: '0' },
    {
      scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] },
    },
  );
  await quotaWithStatus('prio', pc, { pods: '0' });
  await c.create('pods', computePod('low', '10Mi', '20Mi'), 'prio');
  const withClass = computePod('hi', '10Mi', '20Mi');
  (withClass.spec as Record<string, unknown>).priorityClassName = 'high';
  assert.match((await c.refused('pods', withClass, 'prio')).message, /exceeded quota: high/);
});

test('recount: terminal and expired-grace pods use only their count; status.hard follows spec', () => {
  const now = new Date('2024-01-01T00:00:00Z');
  const running = computePod('r', '100Mi', '200Mi');
  const done = { ...computePod('d', '100Mi', '200Mi'), status: { phase: 'Succeeded' } };
  const gone = computePod('g', '100Mi', '200Mi');
  gone.metadata.deletionTimestamp = '2023-12-31T23:59:00Z';
  gone.metadata.deletionGracePeriodSeconds = 30;
  const q = quota('q', { pods: '10', 'count/pods': '10', 'requests.memory': '1Gi' });
  const used = calculateUsage(q, (ev) => (ev === evaluatorFor('', 'pods') ? [running, done, gone] : []), now);
  assert.deepEqual(toJSON(used), { 'count/pods': '3', pods: '1', 'requests.memory': '100Mi' });
  assert.deepEqual(quotaStatusUpdate(q, used), {
    hard: { 'count/pods': '10', pods: '10', 'requests.memory': '1Gi' },
    used: { 'count/pods': '3', pods: '1', 'requests.memory': '100Mi' },
  });
  const settled = { ...q, status: quotaStatusUpdate(q, used) };
  assert.equal(quotaStatusUpdate(settled, used), undefined);
});

test('concurrent creates in one namespace: exactly the quota is admitted and charged', async () => {
  await quotaWithStatus('race', quota('five', { pods: '5' }), { pods: '0' });
  const results = await Promise.allSettled(
    Array.from({ length: 12 }, (_, i) => c.create('pods', pod(`r${i}`), 'race')),
  );
  const admitted = results.filter((r) => r.status === 'fulfilled').length;
  assert.equal(admitted, 5);
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  for (const r of refused)
    assert.match(
      String((r.reason as Error).message),
      /exceeded quota: five, requested: pods=1, used: pods=5, limited: pods=5/,
    );
  assert.equal(statusOf('race', 'five').used.pods, '5');
});
