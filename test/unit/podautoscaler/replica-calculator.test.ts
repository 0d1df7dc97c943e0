// The replica calculator's arithmetic, with cases of upstream's replica_calculator_test.go
// (pods requesting 1 core each; levels in millicores).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/types.js';
import {
  DEFAULT_CALCULATOR_OPTIONS,
  plainMetricReplicas,
  podRequests,
  resourceReplicas,
  type PodMetrics,
} from '../../../src/controllers/podautoscaler/replica-calculator.js';

const NOW = Date.parse('2026-12-02T03:00:00Z');
const stamp = (ms: number) => new Date(ms).toISOString();

function pod(
  name: string,
  opts: { ready?: boolean; phase?: string; request?: string; startedAgoMs?: number } = {},
) {
  const started = NOW - (opts.startedAgoMs ?? 10 * 60_000);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu: opts.request ?? '1' } } }] },
    status: {
      phase: opts.phase ?? 'Running',
      startTime: stamp(started),
      conditions: [
        {
          type: 'Ready',
          status: opts.ready === false ? 'False' : 'True',
          lastTransitionTime: stamp(started),
        },
      ],
    },
  } as unknown as KubeObject;
}

function metrics(levels: Record<string, number>): PodMetrics {
  return new Map(
    Object.entries(levels).map(([n, v]) => [n, { value: v, timestampMs: NOW - 1000, windowMs: 30_000 }]),
  );
}

const calc = (current: number, target: number, pods: KubeObject[], m: PodMetrics) =>
  resourceReplicas(current, target, 'cpu', '', pods, m, DEFAULT_CALCULATOR_OPTIONS, NOW);

describe('resource utilization replicas', () => {
  it('scales up: 300/500/700m of 1 core at a 30% target is 50%, 5 replicas (TestReplicaCalcScaleUp)', () => {
    const pods = ['a', 'b', 'c'].map((n) => pod(n));
    const r = calc(3, 30, pods, metrics({ a: 300, b: 500, c: 700 }));
    assert.deepEqual(r, { replicas: 5, utilization: 50, rawAverage: 500 });
  });

  it('scales down: 1400m over 5 cores at 50% is 28%, 3 replicas (TestReplicaCalcScaleDown)', () => {
    const pods = ['a', 'b', 'c', 'd', 'e'].map((n) => pod(n));
    const r = calc(5, 50, pods, metrics({ a: 100, b: 300, c: 500, d: 250, e: 250 }));
    assert.equal(r.replicas, 3);
    assert.equal(r.utilization, 28);
  });

  it('an unready pod counts as 0 on a scale-up: 4 replicas, not 6 (TestReplicaCalcScaleUpUnreadyLessScale)', () => {
    const pods = [pod('a', { ready: false, startedAgoMs: 60_000 }), pod('b'), pod('c')];
    const r = calc(3, 30, pods, metrics({ a: 300, b: 500, c: 700 }));
    assert.equal(r.replicas, 4);
    assert.equal(r.utilization, 60);
  });

  it('keeps the count within the 10% tolerance', () => {
    const pods = ['a', 'b'].map((n) => pod(n));
    assert.equal(calc(2, 50, pods, metrics({ a: 540, b: 540 })).replicas, 2);
    assert.equal(calc(2, 50, pods, metrics({ a: 560, b: 560 })).replicas, 3);
  });

  it('a missing pod counts as its full request on a scale-down, and can cancel it', () => {
    const pods = ['a', 'b', 'c', 'd'].map((n) => pod(n));
    // 3 known pods at 10%: alone 1 replica; with the 4th at 100% (1300m/4 cores = 32%) ceil(0.65×4) = 3
    const r = calc(4, 50, pods, metrics({ a: 100, b: 100, c: 100 }));
    assert.equal(r.replicas, 3);
    assert.equal(r.utilization, 10);
  });

  it('a missing pod counts as 0 on a scale-up', () => {
    const pods = ['a', 'b'].map((n) => pod(n));
    // 1 known pod at 200% of a 50% target; with the other at 0: 100% → ceil(2×2) = 4
    assert.equal(calc(2, 50, pods, metrics({ a: 2000 })).replicas, 4);
  });

  it('ignores deleted and failed pods and has upstream errors', () => {
    const failed = pod('f', { phase: 'Failed' });
    assert.throws(() => calc(1, 50, [failed], metrics({ f: 100 })), {
      message: 'did not receive metrics for targeted pods (pods might be unready)',
    });
    assert.throws(() => calc(1, 50, [], metrics({})), {
      message: 'no pods returned by selector while calculating replica count',
    });
    const noRequest = pod('n');
    (noRequest.spec as { containers: { resources: unknown }[] }).containers[0]!.resources = {};
    assert.throws(() => calc(1, 50, [noRequest], metrics({ n: 100 })), {
      message: 'missing request for cpu in container c of Pod n',
    });
  });

  it('sums the requests of sidecars (restartable init containers)', () => {
    const p = pod('s');
    (p.spec as Record<string, unknown>).initContainers = [
      { name: 'side', restartPolicy: 'Always', resources: { requests: { cpu: '500m' } } },
      { name: 'once', resources: {} },
    ];
    assert.deepEqual([...podRequests([p], '', 'cpu')], [['s', 1500]]);
    assert.deepEqual([...podRequests([p], 'side', 'cpu')], [['s', 500]]);
  });
});

describe('average value replicas', () => {
  it('divides the average by the target (memory 2Gi average for a 1Gi target: double)', () => {
    const pods = ['a', 'b'].map((n) => pod(n));
    const gi = 1024 ** 3 * 1000;
    const r = plainMetricReplicas(
      2,
      gi,
      'memory',
      pods,
      metrics({ a: 2 * gi, b: 2 * gi }),
      DEFAULT_CALCULATOR_OPTIONS,
      NOW,
    );
    assert.deepEqual(r, { replicas: 4, usage: 2 * gi });
  });
});
