// PodDisruptionBudget arithmetic: expected pods and desired healthy from minAvailable/maxUnavailable.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/types.js';
import { budgetNumbers, scaledValue, type ScaleOf } from '../../../src/controllers/disruption/budget.js';

const pods = (n: number, owner = 'rs1'): KubeObject[] =>
  Array.from({ length: n }, (_, i) => ({ metadata: { name: `p${i}`, labels: { owner } } }));
const scaleOf: ScaleOf = (p) => ({
  uid: p.metadata.labels!.owner,
  scale: p.metadata.labels!.owner === 'rs1' ? 5 : 2,
});
const pdb = (spec: Record<string, unknown>): KubeObject => ({ metadata: { name: 'b' }, spec });

describe('disruption budget numbers', () => {
  it('rounds percentages up', () => {
    assert.equal(scaledValue('25%', 10), 3);
    assert.equal(scaledValue('50%', 3), 2);
    assert.equal(scaledValue(4, 10), 4);
    assert.equal(scaledValue('x', 10), undefined);
  });

  it('counts selected pods for an integer minAvailable', () => {
    assert.deepEqual(budgetNumbers(pdb({ minAvailable: 2 }), pods(3), scaleOf), {
      expectedPods: 3,
      desiredHealthy: 2,
    });
  });

  it('takes the controllers scale, each controller once, for percentages and maxUnavailable', () => {
    const mixed = [...pods(3), ...pods(1, 'rs2')];
    assert.deepEqual(budgetNumbers(pdb({ minAvailable: '50%' }), mixed, scaleOf), {
      expectedPods: 7,
      desiredHealthy: 4,
    });
    assert.deepEqual(budgetNumbers(pdb({ maxUnavailable: 1 }), mixed, scaleOf), {
      expectedPods: 7,
      desiredHealthy: 6,
    });
    assert.deepEqual(budgetNumbers(pdb({ maxUnavailable: 10 }), mixed, scaleOf), {
      expectedPods: 7,
      desiredHealthy: 0,
    });
  });

  it('passes on why the scale is unknown', () => {
    const none: ScaleOf = (p) => ({
      error: `found no controller ref for pod "${p.metadata.name}"`,
      reason: 'NoControllerRef',
    });
    assert.deepEqual(budgetNumbers(pdb({ maxUnavailable: 1 }), pods(1), none), {
      error: 'found no controller ref for pod "p0"',
      reason: 'NoControllerRef',
    });
  });
});
