// NodeResourcesFit, BalancedAllocation and ImageLocality; pod requests as upstream sums them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { podRequests } from '../../../src/scheduler/framework/resources.js';
import { CycleState, Code } from '../../../src/scheduler/framework/types.js';
import { balancedAllocation, nodeResourcesFit } from '../../../src/scheduler/plugins/node-resources-fit.js';
import { imageLocality } from '../../../src/scheduler/plugins/image-locality.js';
import { node, place, pod, requesting } from './helpers.js';

describe('pod requests', () => {
  it('containers add up; an init container needs max(sum, itself); overhead adds', () => {
    const p = pod({
      containers: [requesting({ cpu: '100m', memory: '64Mi' }), requesting({ cpu: '200m' }, { name: 'd' })],
      initContainers: [requesting({ cpu: '1', memory: '32Mi' }, { name: 'i' })],
      overhead: { cpu: '50m' },
    });
    const r = podRequests(p);
    assert.equal(r.cpu, 1050);
    assert.equal(r.memory, 64 * 1024 * 1024);
  });
  it('sidecars (restartPolicy Always init containers) add to everything after them', () => {
    const p = pod({
      containers: [requesting({ cpu: '100m' })],
      initContainers: [
        requesting({ cpu: '200m' }, { name: 'side', restartPolicy: 'Always' }),
        requesting({ cpu: '250m' }, { name: 'init' }),
      ],
    });
    assert.equal(podRequests(p).cpu, 450);
  });
});

describe('NodeResourcesFit', () => {
  const fit = nodeResourcesFit();
  const check = (p: ReturnType<typeof pod>, n: ReturnType<typeof node>) => {
    const s = new CycleState();
    fit.preFilter(s, p, [n]);
    return fit.filter(s, p, n);
  };
  it('reports every shortfall, as upstream: Insufficient cpu, memory, extended resources', () => {
    const n = node('a', { alloc: { cpu: '2', memory: '1Gi', pods: '110', 'example.com/dongle': '4' } });
    place(n, pod({ containers: [requesting({ cpu: '1500m' })] }));
    const r = check(
      pod({ containers: [requesting({ cpu: '1', memory: '2Gi', 'example.com/dongle': '5' })] }),
      n,
    );
    assert.equal(r.code, Code.Unschedulable);
    assert.deepEqual(r.reasons, [
      'Insufficient cpu',
      'Insufficient memory',
      'Insufficient example.com/dongle',
    ]);
    assert.ok(
      check(pod({ containers: [requesting({ cpu: '500m', 'example.com/dongle': '4' })] }), n).isSuccess(),
    );
  });
  it('counts pods against allocatable pods, even for pods requesting nothing', () => {
    const n = node('a', { alloc: { cpu: '2', memory: '1Gi', pods: '1' } });
    place(n, pod());
    assert.deepEqual(check(pod(), n).reasons, ['Too many pods']);
  });
  it('a 100-cpu pod does not fit an 8-cpu node', () => {
    const r = check(
      pod({ containers: [requesting({ cpu: '100' })] }),
      node('a', { alloc: { cpu: '8', memory: '32Gi', pods: '110' } }),
    );
    assert.deepEqual(r.reasons, ['Insufficient cpu']);
  });
  it('LeastAllocated prefers the emptier node; MostAllocated the fuller one', () => {
    const empty = node('a');
    const busy = node('b');
    place(busy, pod({ containers: [requesting({ cpu: '3', memory: '6Gi' })] }));
    const p = pod({ containers: [requesting({ cpu: '500m', memory: '1Gi' })] });
    const s = new CycleState();
    fit.preFilter(s, p, []);
    assert.ok(fit.score(s, p, empty) > fit.score(s, p, busy));
    const most = nodeResourcesFit('MostAllocated');
    assert.ok(most.score(s, p, empty) < most.score(s, p, busy));
  });
  it('BalancedAllocation prefers nodes where cpu and memory stay level', () => {
    const ba = balancedAllocation();
    const s = new CycleState();
    const p = pod({ containers: [requesting({ cpu: '1', memory: '2Gi' })] });
    fit.preFilter(s, p, []);
    const skewed = node('b');
    place(skewed, pod({ containers: [requesting({ cpu: '3' })] }));
    assert.ok(ba.score(s, p, node('a')) > ba.score(s, p, skewed));
    assert.equal(ba.score(s, p, node('a')), 100);
  });
});

describe('ImageLocality', () => {
  it('prefers nodes that have the image, scaled by size and spread', () => {
    const big = 500 * 1024 * 1024;
    const has = node('a', { images: [{ names: ['docker.io/library/nginx:latest'], sizeBytes: big }] });
    const lacks = node('b');
    const p = pod();
    const s = new CycleState();
    imageLocality.preScore(s, p, [has, lacks]);
    assert.ok(imageLocality.score(s, p, has) > 0);
    assert.equal(imageLocality.score(s, p, lacks), 0);
  });
});
