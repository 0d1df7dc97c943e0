// LimitRanger: defaults and constraints as a client sees them (stored objects, error texts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, limitRange, pod, type Cluster } from './fixture.js';
import { limitRanger } from '../../../src/apiserver/admission/limit-ranger.js';
import type { KubeObject } from '../../../src/api/types.js';

let c: Cluster;
before(async () => {
  c = await cluster((deps) => [limitRanger(deps)]);
});
after(() => c.close());

const resources = (p: KubeObject, i = 0) =>
  (p.spec as { containers: { resources: Record<string, Record<string, string>> }[] }).containers[i].resources;

test('memory defaults (seed 004 §3.3.1): default limit and request, request = limit, default limit', async () => {
  await c.create(
    'limitranges',
    limitRange('mem-limit-range', [
      { default: { memory: '512Mi' }, defaultRequest: { memory: '256Mi' }, type: 'Container' },
    ]),
    'mem',
  );
  const d1 = await c.create('pods', pod('default-mem-demo'), 'mem');
  assert.deepEqual(resources(d1), { limits: { memory: '512Mi' }, requests: { memory: '256Mi' } });
  assert.equal(
    d1.metadata.annotations?.['kubernetes.io/limit-ranger'],
    'LimitRanger plugin set: memory request for container c; memory limit for container c',
  );
  const d2 = await c.create('pods', pod('default-mem-demo-2', { limits: { memory: '1Gi' } }), 'mem');
  assert.deepEqual(resources(d2), { limits: { memory: '1Gi' }, requests: { memory: '1Gi' } });
  const d3 = await c.create('pods', pod('default-mem-demo-3', { requests: { memory: '128Mi' } }), 'mem');
  assert.deepEqual(resources(d3), { limits: { memory: '512Mi' }, requests: { memory: '128Mi' } });
  assert.equal(
    d3.metadata.annotations?.['kubernetes.io/limit-ranger'],
    'LimitRanger plugin set: memory limit for container c',
  );
});

test('cpu defaults (seed 004 §3.3.2) come out canonical: 0.5 → 500m, 0.75 → 750m', async () => {
  await c.create(
    'limitranges',
    limitRange('cpu-limit-range', [
      { default: { cpu: '1' }, defaultRequest: { cpu: '0.5' }, type: 'Container' },
    ]),
    'cpu',
  );
  assert.deepEqual(resources(await c.create('pods', pod('a'), 'cpu')), {
    limits: { cpu: '1' },
    requests: { cpu: '500m' },
  });
  assert.deepEqual(resources(await c.create('pods', pod('b', { requests: { cpu: '0.75' } }), 'cpu')), {
    limits: { cpu: '1' },
    requests: { cpu: '750m' },
  });
});

test('min/max (seed 004 §3.3.3): stored defaults, accepted pod, over max, under min, none given', async () => {
  const lr = await c.create(
    'limitranges',
    limitRange('mem-min-max-demo-lr', [
      { max: { memory: '1Gi' }, min: { memory: '500Mi' }, type: 'Container' },
    ]),
    'cm',
  );
  assert.deepEqual((lr.spec as { limits: unknown[] }).limits[0], {
    default: { memory: '1Gi' },
    defaultRequest: { memory: '1Gi' },
    max: { memory: '1Gi' },
    min: { memory: '500Mi' },
    type: 'Container',
  });
  const ok = await c.create(
    'pods',
    pod('constraints-mem-demo', { limits: { memory: '800Mi' }, requests: { memory: '600Mi' } }),
    'cm',
  );
  assert.deepEqual(resources(ok), { limits: { memory: '800Mi' }, requests: { memory: '600Mi' } });
  const big = await c.refused(
    'pods',
    pod('constraints-mem-demo-2', { limits: { memory: '1.5Gi' }, requests: { memory: '800Mi' } }),
    'cm',
  );
  assert.equal(big.code, 403);
  assert.equal(
    big.message,
    'pods "constraints-mem-demo-2" is forbidden: maximum memory usage per Container is 1Gi, but limit is 1536Mi',
  );
  const small = await c.refused(
    'pods',
    pod('constraints-mem-demo-3', { limits: { memory: '800Mi' }, requests: { memory: '100Mi' } }),
    'cm',
  );
  assert.equal(
    small.message,
    'pods "constraints-mem-demo-3" is forbidden: minimum memory usage per Container is 500Mi, but request is 100Mi',
  );
  const none = await c.create('pods', pod('constraints-mem-demo-4'), 'cm');
  assert.deepEqual(resources(none), { limits: { memory: '1Gi' }, requests: { memory: '1Gi' } });
});

test('cpu min/max (seed 004 §3.3.4): "1.5" shows as 1500m', async () => {
  await c.create(
    'limitranges',
    limitRange('cpu-min-max-demo-lr', [{ max: { cpu: '800m' }, min: { cpu: '200m' }, type: 'Container' }]),
    'cc',
  );
  const e = await c.refused(
    'pods',
    pod('constraints-cpu-demo-2', { limits: { cpu: '1.5' }, requests: { cpu: '500m' } }),
    'cc',
  );
  assert.equal(
    e.message,
    'pods "constraints-cpu-demo-2" is forbidden: maximum cpu usage per Container is 800m, but limit is 1500m',
  );
  const e3 = await c.refused(
    'pods',
    pod('constraints-cpu-demo-3', { limits: { cpu: '800m' }, requests: { cpu: '100m' } }),
    'cc',
  );
  assert.equal(
    e3.message,
    'pods "constraints-cpu-demo-3" is forbidden: minimum cpu usage per Container is 200m, but request is 100m',
  );
  assert.deepEqual(resources(await c.create('pods', pod('constraints-cpu-demo-4'), 'cc')), {
    limits: { cpu: '800m' },
    requests: { cpu: '800m' },
  });
});

test('maxLimitRequestRatio and several violations at once', async () => {
  await c.create(
    'limitranges',
    limitRange('ratio', [{ maxLimitRequestRatio: { memory: '2' }, type: 'Container' }]),
    'ratio',
  );
  const e = await c.refused(
    'pods',
    pod('r', { limits: { memory: '4Gi' }, requests: { memory: '1Gi' } }),
    'ratio',
  );
  assert.equal(
    e.message,
    'pods "r" is forbidden: memory max limit to request ratio per Container is 2, but provided ratio is 4.000000',
  );
  const none = await c.refused('pods', pod('n'), 'ratio');
  assert.equal(
    none.message,
    'pods "n" is forbidden: memory max limit to request ratio per Container is 2, but no request is specified or request is 0',
  );
  await c.create('limitranges', limitRange('two', [{ max: { cpu: '1' }, type: 'Container' }]), 'many');
  const two = await c.refused(
    'pods',
    {
      ...pod('x', { limits: { cpu: '2' } }),
      spec: {
        containers: [
          { name: 'a', image: 'i', resources: { limits: { cpu: '2' } } },
          { name: 'b', image: 'i', resources: { limits: { cpu: '3' } } },
        ],
      },
    },
    'many',
  );
  assert.equal(
    two.message,
    'pods "x" is forbidden: [maximum cpu usage per Container is 1, but limit is 2, maximum cpu usage per Container is 1, but limit is 3]',
  );
});

test('type Pod sums the containers; init containers are a floor', async () => {
  await c.create('limitranges', limitRange('podmax', [{ max: { memory: '1Gi' }, type: 'Pod' }]), 'podns');
  const spec = {
    containers: [
      { name: 'a', image: 'i', resources: { limits: { memory: '600Mi' } } },
      { name: 'b', image: 'i', resources: { limits: { memory: '600Mi' } } },
    ],
  };
  const e = await c.refused(
    'pods',
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec },
    'podns',
  );
  assert.equal(e.message, 'pods "p" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1200Mi');
});

test('PersistentVolumeClaim min/max apply to the request (seed 004 §3.15)', async () => {
  await c.create(
    'limitranges',
    limitRange('storagelimits', [
      { type: 'PersistentVolumeClaim', max: { storage: '2Gi' }, min: { storage: '1Gi' } },
    ]),
    'st',
  );
  const claim = (name: string, size: string) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: size } } },
  });
  const big = await c.refused('persistentvolumeclaims', claim('big', '10Gi'), 'st');
  assert.equal(
    big.message,
    'persistentvolumeclaims "big" is forbidden: maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 10Gi',
  );
  const small = await c.refused('persistentvolumeclaims', claim('small', '500Mi'), 'st');
  assert.equal(
    small.message,
    'persistentvolumeclaims "small" is forbidden: minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi',
  );
  await c.create('persistentvolumeclaims', claim('fine', '1500Mi'), 'st');
});

test('generateName stands in for the name in refusals', async () => {
  const p = pod('');
  delete p.metadata.name;
  p.metadata.generateName = 'gen-';
  (p.spec as { containers: { resources: unknown }[] }).containers[0].resources = {
    limits: { memory: '2Gi' },
  };
  const e = await c.refused('pods', p, 'cm');
  assert.match(
    e.message,
    /^pods "gen-[a-z0-9]{5}" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi$/,
  );
});
