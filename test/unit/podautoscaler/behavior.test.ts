// Scaling behavior arithmetic (upstream's horizontal_test.go TestNormalizeDesiredReplicas* and
// TestCalculateScale*LimitWithScalingRules), with upstream's condition reasons.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  normalizeWithBehavior,
  normalizeWithoutBehavior,
  recordScaleEvent,
  scaleDownLimitWithRules,
  scaleUpLimit,
  scaleUpLimitWithRules,
  ScalingHistory,
  type Behavior,
} from '../../../src/controllers/podautoscaler/behavior.js';

const NOW = 1_000_000_000;
const DEFAULTS: Behavior = {
  scaleUp: {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  },
  scaleDown: {
    stabilizationWindowSeconds: 300,
    selectPolicy: 'Max',
    policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  },
};

describe('without a behavior', () => {
  it('caps a scale-up at max(2 × current, 4)', () => {
    assert.equal(scaleUpLimit(1), 4);
    assert.equal(scaleUpLimit(3), 6);
    const n = normalizeWithoutBehavior(new ScalingHistory(), 3, 20, 1, 100, 300_000, NOW);
    assert.equal(n.replicas, 6);
    assert.equal(n.limitReason, 'ScaleUpLimit');
    assert.equal(
      n.limitMessage,
      'the desired replica count is increasing faster than the maximum scale rate',
    );
    assert.equal(n.limited, true);
  });

  it('bounds by maxReplicas and minReplicas with TooManyReplicas / TooFewReplicas', () => {
    const up = normalizeWithoutBehavior(new ScalingHistory(), 2, 4, 1, 3, 300_000, NOW);
    assert.deepEqual([up.replicas, up.limitReason, up.limited], [3, 'TooManyReplicas', true]);
    const down = normalizeWithoutBehavior(new ScalingHistory(), 2, 0, 1, 3, 300_000, NOW);
    assert.deepEqual([down.replicas, down.limitReason], [1, 'TooFewReplicas']);
    const within = normalizeWithoutBehavior(new ScalingHistory(), 2, 2, 1, 3, 300_000, NOW);
    assert.deepEqual(
      [within.limitReason, within.limitMessage, within.limited],
      ['DesiredWithinRange', 'the desired count is within the acceptable range', false],
    );
  });

  it('keeps the highest recommendation of the downscale window (ScaleDownStabilized)', () => {
    const h = new ScalingHistory();
    normalizeWithoutBehavior(h, 5, 5, 1, 10, 300_000, NOW - 60_000);
    const n = normalizeWithoutBehavior(h, 5, 2, 1, 10, 300_000, NOW);
    assert.equal(n.replicas, 5);
    assert.equal(n.ableReason, 'ScaleDownStabilized');
    // once the old recommendation is out of the window, the scale-down goes through
    const later = normalizeWithoutBehavior(h, 5, 2, 1, 10, 300_000, NOW + 301_000);
    assert.equal(later.replicas, 2);
    assert.equal(later.ableReason, 'ReadyForNewScale');
  });
});

describe('with a behavior', () => {
  it('the default scale-up allows max(+4 pods, +100%) per 15 s', () => {
    const h = new ScalingHistory();
    assert.equal(scaleUpLimitWithRules(1, h, DEFAULTS.scaleUp!, NOW), 5);
    assert.equal(scaleUpLimitWithRules(10, h, DEFAULTS.scaleUp!, NOW), 20);
    // selectPolicy Min takes the smaller change
    assert.equal(scaleUpLimitWithRules(10, h, { ...DEFAULTS.scaleUp!, selectPolicy: 'Min' }, NOW), 14);
    assert.equal(scaleUpLimitWithRules(10, h, { ...DEFAULTS.scaleUp!, selectPolicy: 'Disabled' }, NOW), 10);
  });

  it("counts the period's earlier scale events against the policies", () => {
    const h = new ScalingHistory();
    recordScaleEvent(h, DEFAULTS, 1, 5, NOW - 5_000);
    // the period started at 1 replica: 1+4 = 5 or 1×2 = 2: no more room now
    const n = normalizeWithBehavior(h, DEFAULTS, 5, 12, 1, 100, 300_000, NOW);
    assert.deepEqual([n.replicas, n.limitReason], [5, 'ScaleUpLimit']);
    // 15 s later the period is over: 5+4 = 9 or 10
    const later = normalizeWithBehavior(h, DEFAULTS, 5, 12, 1, 100, 300_000, NOW + 15_001);
    assert.equal(later.replicas, 10);
  });

  it('scale-down policies: Pods 1 per 60 s and Percent 10 %, Max vs Min', () => {
    const h = new ScalingHistory();
    const rules = {
      policies: [
        { type: 'Pods' as const, value: 1, periodSeconds: 60 },
        { type: 'Percent' as const, value: 10, periodSeconds: 60 },
      ],
    };
    // Max (the biggest change): 20 - 1 = 19 or trunc(20 × 0.9) = 18 → 18
    assert.equal(scaleDownLimitWithRules(20, h, { ...rules, selectPolicy: 'Max' }, NOW), 18);
    assert.equal(scaleDownLimitWithRules(20, h, { ...rules, selectPolicy: 'Min' }, NOW), 19);
    const b: Behavior = {
      scaleUp: DEFAULTS.scaleUp!,
      scaleDown: { ...rules, stabilizationWindowSeconds: 0 },
    };
    const n = normalizeWithBehavior(h, b, 20, 2, 1, 100, 300_000, NOW);
    assert.deepEqual(
      [n.replicas, n.limitReason, n.limitMessage],
      [18, 'ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate'],
    );
  });

  it('a scale-up stabilization window takes the lowest recent recommendation', () => {
    const h = new ScalingHistory();
    const b: Behavior = {
      scaleUp: { ...DEFAULTS.scaleUp!, stabilizationWindowSeconds: 60 },
      scaleDown: DEFAULTS.scaleDown!,
    };
    normalizeWithBehavior(h, b, 2, 3, 1, 10, 300_000, NOW - 30_000);
    const n = normalizeWithBehavior(h, b, 2, 6, 1, 10, 300_000, NOW);
    assert.deepEqual(
      [n.replicas, n.ableReason, n.ableMessage],
      [
        3,
        'ScaleUpStabilized',
        'recent recommendations were lower than current one, applying the lowest recent recommendation',
      ],
    );
  });
});
