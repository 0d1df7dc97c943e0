// The pure parts of the ReplicaSet controller: victim order, slow start, status and conditions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rankPodsForDeletion } from '../../../src/controllers/common/pod-ranking.js';
import { slowStartBatch } from '../../../src/controllers/common/slow-start.js';
import { Expectations } from '../../../src/controllers/common/expectations.js';
import { podFromTemplate } from '../../../src/controllers/common/pod-control.js';
import { calculateStatus } from '../../../src/controllers/replicaset/status.js';
import type { Pod } from '../../../src/controllers/common/objects.js';
import type { Workload } from '../../../src/controllers/common/objects.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

function pod(
  name: string,
  o: {
    node?: string;
    phase?: string;
    readyFor?: number;
    created?: number;
    restarts?: number;
    cost?: string;
  } = {},
): Pod {
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      creationTimestamp: ago(o.created ?? 3600),
      annotations: o.cost ? { 'controller.kubernetes.io/pod-deletion-cost': o.cost } : {},
    },
    spec: { nodeName: o.node, containers: [{ name: 'c' }] },
    status: {
      phase: o.phase ?? 'Running',
      conditions:
        o.readyFor !== undefined
          ? [{ type: 'Ready', status: 'True', lastTransitionTime: ago(o.readyFor) }]
          : [],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 } as never],
    },
  };
}
const names = (ps: Pod[]) => ps.map((p) => p.metadata!.name);

describe('scale-down victim ranking (ActivePodsWithRanks)', () => {
  it('unassigned before assigned, Pending before Unknown before Running, not ready before ready', () => {
    const ps = [
      pod('ready', { node: 'n1', readyFor: 100 }),
      pod('running', { node: 'n1' }),
      pod('unknown', { node: 'n1', phase: 'Unknown' }),
      pod('pending', { node: 'n1', phase: 'Pending' }),
      pod('unassigned', { phase: 'Pending' }),
    ];
    assert.deepEqual(names(rankPodsForDeletion(ps, ps, NOW)), [
      'unassigned',
      'pending',
      'unknown',
      'running',
      'ready',
    ]);
  });

  it('lower pod-deletion-cost goes first, then pods doubled up on a node', () => {
    const ps = [
      pod('alone', { node: 'n2', readyFor: 100 }),
      pod('pair-a', { node: 'n1', readyFor: 100 }),
      pod('pair-b', { node: 'n1', readyFor: 100 }),
      pod('cheap', { node: 'n3', readyFor: 100, cost: '-5' }),
    ];
    const order = names(rankPodsForDeletion(ps, ps, NOW));
    assert.equal(order[0], 'cheap');
    assert.deepEqual(order.slice(1, 3).sort(), ['pair-a', 'pair-b']);
    assert.equal(order[3], 'alone');
  });

  it('ready for less time goes first, in log2 buckets; then more restarts; then newer', () => {
    const ps = [pod('old', { node: 'n1', readyFor: 10_000 }), pod('young', { node: 'n2', readyFor: 10 })];
    assert.deepEqual(names(rankPodsForDeletion(ps, [], NOW)), ['young', 'old']);
    // 600 s and 1000 s ago fall in the same power-of-two bucket (2^39 ns): the UID decides
    const bucket = [pod('zz', { node: 'n1', readyFor: 600 }), pod('aa', { node: 'n2', readyFor: 1000 })];
    assert.deepEqual(names(rankPodsForDeletion(bucket, [], NOW)), ['aa', 'zz']);
    // equal ready times: more restarts first
    const same = [
      pod('calm', { node: 'n1', readyFor: 1000 }),
      pod('flappy', { node: 'n2', readyFor: 1000, restarts: 3 }),
    ];
    assert.deepEqual(names(rankPodsForDeletion(same, [], NOW)), ['flappy', 'calm']);
    const byAge = [
      pod('older', { node: 'n1', readyFor: 1000, created: 100_000 }),
      pod('newer', { node: 'n2', readyFor: 1000, created: 100 }),
    ];
    assert.deepEqual(names(rankPodsForDeletion(byAge, [], NOW)), ['newer', 'older']);
  });
});

describe('slow start', () => {
  it('creates in batches of 1, 2, 4, ... and stops after the first failing batch', async () => {
    let calls = 0;
    const r = await slowStartBatch(10, 1, async () => {
      calls++;
      if (calls > 3) throw new Error('quota');
    });
    // batches 1 and 2 succeed (3 calls), the batch of 4 fails: 3 + 4 calls, 3 successes
    assert.equal(calls, 7);
    assert.equal(r.successes, 3);
    assert.equal((r.error as Error).message, 'quota');
  });
});

describe('expectations', () => {
  it('hold a sync back until the creations are observed, or five minutes passed', () => {
    let now = 0;
    const e = new Expectations(() => now);
    e.expectCreations('ns/a', 2);
    assert.equal(e.satisfied('ns/a'), false);
    e.creationObserved('ns/a');
    e.creationObserved('ns/a');
    assert.equal(e.satisfied('ns/a'), true);
    e.expectDeletions('ns/a', ['ns/p1']);
    e.deletionObserved('ns/a', 'ns/other');
    assert.equal(e.satisfied('ns/a'), false);
    now = 5 * 60_000 + 1;
    assert.equal(e.satisfied('ns/a'), true);
  });
});

describe('replica set status', () => {
  const set = (over: Partial<Workload['spec']> = {}): Workload => ({
    metadata: { name: 'web', namespace: 'ns', generation: 2 },
    spec: {
      replicas: 3,
      minReadySeconds: 30,
      template: { metadata: { labels: { app: 'web', tier: 'f' } } },
      ...over,
    },
    status: { replicas: 0 },
  });

  it('counts fully labeled, ready, and available after minReadySeconds', () => {
    const p1 = pod('a', { readyFor: 60 });
    const p2 = pod('b', { readyFor: 5 });
    p1.metadata!.labels = { app: 'web', tier: 'f' };
    p2.metadata!.labels = { app: 'web' };
    const st = calculateStatus(set(), [p1, p2], undefined, NOW);
    assert.deepEqual(st, { replicas: 2, fullyLabeledReplicas: 1, readyReplicas: 2, availableReplicas: 1 });
  });

  it('sets ReplicaFailure/FailedCreate with the error message, and removes it once creations work', () => {
    const err = new Error(
      'pods "web-" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1',
    );
    const st = calculateStatus(set(), [], err, NOW);
    assert.deepEqual(st.conditions, [
      {
        type: 'ReplicaFailure',
        status: 'True',
        lastTransitionTime: '2026-01-01T12:00:00Z',
        reason: 'FailedCreate',
        message: err.message,
      },
    ]);
    const failing = set();
    failing.status = { replicas: 0, conditions: st.conditions };
    assert.equal(calculateStatus(failing, [], undefined, NOW).conditions, undefined);
  });

  it('makes pods from the template with the generateName prefix and the controller reference', () => {
    const ref = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: 'web',
      uid: 'u1',
      controller: true,
      blockOwnerDeletion: true,
    };
    const p = podFromTemplate(
      {
        metadata: { labels: { app: 'web' }, annotations: { a: 'b' } },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      },
      'web',
      ref,
    );
    assert.deepEqual(p.metadata, {
      generateName: 'web-',
      labels: { app: 'web' },
      annotations: { a: 'b' },
      ownerReferences: [ref],
    });
  });
});
