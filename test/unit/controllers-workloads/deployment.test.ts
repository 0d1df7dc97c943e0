// Rollout arithmetic of the deployment controller: fenceposts with upstream rounding, how far a
// new ReplicaSet may grow, proportional shares, revision bookkeeping, progress predicates.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  fenceposts,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  proportion,
  setNewReplicaSetAnnotations,
  equalIgnoreHash,
  scaledValue,
} from '../../../src/controllers/deployment/util.js';
import {
  calculateStatus,
  deploymentTimedOut,
  replicaFailures,
} from '../../../src/controllers/deployment/status.js';
import type { Deployment, ReplicaSet } from '../../../src/controllers/deployment/types.js';

const dep = (
  replicas: number,
  maxSurge: number | string = '25%',
  maxUnavailable: number | string = '25%',
): Deployment => ({
  metadata: { name: 'd', namespace: 'ns', generation: 1, annotations: {} },
  spec: {
    replicas,
    template: { metadata: { labels: { app: 'd' } } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } },
    progressDeadlineSeconds: 600,
  },
});
const rs = (
  name: string,
  replicas: number,
  annotations: Record<string, string> = {},
  available = 0,
): ReplicaSet => ({
  metadata: { name, namespace: 'ns', uid: name, annotations, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { replicas, template: {} },
  status: { replicas, availableReplicas: available },
});

describe('rolling update fenceposts', () => {
  it('rounds surge up and unavailable down, and never lets both be zero', () => {
    assert.deepEqual(fenceposts(dep(3)), [1, 0]);
    assert.deepEqual(fenceposts(dep(10)), [3, 2]);
    assert.deepEqual(fenceposts(dep(1, 0, '25%')), [0, 1]);
    assert.equal(maxUnavailable(dep(2, 0, 5)), 2, 'capped at replicas');
    assert.equal(maxSurge({ ...dep(3), spec: { ...dep(3).spec, strategy: { type: 'Recreate' } } }), 0);
    assert.equal(scaledValue('50%', 5, true), 3);
    assert.equal(scaledValue('50%', 5, false), 2);
  });

  it('grows the new ReplicaSet only within replicas + maxSurge', () => {
    const d = dep(10);
    const old = rs('old', 10);
    const fresh = rs('new', 0);
    assert.equal(newRSNewReplicas(d, [old, fresh], fresh), 3);
    const half = rs('new', 5);
    assert.equal(newRSNewReplicas(d, [rs('old', 8), half], half), 5, 'already at 13 pods: no growth');
    assert.equal(newRSNewReplicas(d, [rs('old', 2), half], half), 10);
  });

  it('shares a scale-up in proportion to the sizes the sets had', () => {
    // 10 replicas (max 13) scaled to 20 (max 25): a set of 6 grows by round(6*25/13)-6 = 6
    const d = dep(20);
    const a = rs('a', 6, { 'deployment.kubernetes.io/max-replicas': '13' });
    assert.equal(proportion(a, d, 12, 0), 6);
    assert.equal(proportion(a, d, 12, 10), 2, 'never beyond what is left to add');
  });
});

describe('revision annotations', () => {
  it('copies deployment annotations, sets the revision and keeps the old one in revision-history', () => {
    const d = dep(3);
    d.metadata.annotations = {
      'kubernetes.io/change-cause': 'v2',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
    };
    const set = rs('a', 3, { 'deployment.kubernetes.io/revision': '1' });
    assert.equal(setNewReplicaSetAnnotations(d, set, 3, true), true);
    assert.deepEqual(set.metadata.annotations, {
      'deployment.kubernetes.io/revision': '3',
      'deployment.kubernetes.io/revision-history': '1',
      'kubernetes.io/change-cause': 'v2',
    });
    const fresh = rs('b', 0);
    setNewReplicaSetAnnotations(dep(4), fresh, 1, false);
    assert.equal(fresh.metadata.annotations!['deployment.kubernetes.io/desired-replicas'], '4');
    assert.equal(fresh.metadata.annotations!['deployment.kubernetes.io/max-replicas'], '5');
  });

  it('matches templates ignoring the pod-template-hash label and empty lists', () => {
    const a = {
      metadata: { labels: { app: 'x', 'pod-template-hash': 'abc' } },
      spec: { containers: [{ name: 'c', env: [] }] },
    };
    const b = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c' }] } };
    assert.ok(equalIgnoreHash(a, b));
    assert.ok(!equalIgnoreHash(a, { ...b, spec: { containers: [{ name: 'd' }] } }));
  });
});

describe('deployment status', () => {
  it('reports availability with upstream reasons and messages', () => {
    const d = dep(3);
    const st = calculateStatus([rs('a', 3, {}, 3)], rs('a', 3, {}, 3), d);
    const c = st.conditions!.find((x) => x.type === 'Available')!;
    assert.equal(c.reason, 'MinimumReplicasAvailable');
    assert.equal(c.message, 'Deployment has minimum availability.');
    const low = calculateStatus([rs('a', 3, {}, 1)], rs('a', 3, {}, 1), d).conditions!.find(
      (x) => x.type === 'Available',
    )!;
    assert.deepEqual(
      [low.status, low.reason, low.message],
      ['False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'],
    );
  });

  it('surfaces a ReplicaSet FailedCreate as the Deployment ReplicaFailure condition', () => {
    const set = rs('a', 3);
    set.status!.conditions = [
      {
        type: 'ReplicaFailure',
        status: 'True',
        lastTransitionTime: '2026-01-01T00:00:00Z',
        reason: 'FailedCreate',
        message: 'pods "a-" is forbidden: exceeded quota: q',
      },
    ];
    assert.deepEqual(replicaFailures([set], set), {
      type: 'ReplicaFailure',
      status: 'True',
      lastUpdateTime: '2026-01-01T00:00:00Z',
      lastTransitionTime: '2026-01-01T00:00:00Z',
      reason: 'FailedCreate',
      message: 'pods "a-" is forbidden: exceeded quota: q',
    });
  });

  it('times out when Progressing was last updated longer than progressDeadlineSeconds ago', () => {
    const d = dep(3);
    const cond = {
      type: 'Progressing',
      status: 'True' as const,
      reason: 'ReplicaSetUpdated',
      lastUpdateTime: '2026-01-01T00:00:00Z',
    };
    assert.equal(deploymentTimedOut(d, { conditions: [cond] }, Date.parse('2026-01-01T00:09:59Z')), false);
    assert.equal(deploymentTimedOut(d, { conditions: [cond] }, Date.parse('2026-01-01T00:10:01Z')), true);
    assert.equal(
      deploymentTimedOut(
        d,
        { conditions: [{ ...cond, reason: 'NewReplicaSetAvailable' }] },
        Date.parse('2027-01-01T00:00:00Z'),
      ),
      false,
    );
  });
});
