// How far one sync may move the replica count (upstream's normalizeDesiredReplicas and
// normalizeDesiredReplicasWithBehaviors): stabilization over past recommendations, then the
// scaling rate (policies over recent scale events) and min/maxReplicas. Each HPA keeps its own
// history in memory, as upstream's controller does (a restart forgets it).

export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: ScalingPolicy[];
}

export interface Behavior {
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
}

interface Recommendation {
  replicas: number;
  atMs: number;
}
interface ScaleEvent {
  change: number;
  atMs: number;
  outdated: boolean;
}

/** What the controller remembers of one HPA between syncs. */
export class ScalingHistory {
  recommendations: Recommendation[] = [];
  scaleUpEvents: ScaleEvent[] = [];
  scaleDownEvents: ScaleEvent[] = [];
}

export interface Normalized {
  replicas: number;
  /** AbleToScale (True): ReadyForNewScale, ScaleUpStabilized or ScaleDownStabilized */
  ableReason: string;
  ableMessage: string;
  /** ScalingLimited: True when the count was cut, with the reason */
  limited: boolean;
  limitReason: string;
  limitMessage: string;
}

const READY = ['ReadyForNewScale', 'recommended size matches current size'] as const;
const DOWN_STABILIZED = [
  'ScaleDownStabilized',
  'recent recommendations were higher than current one, applying the highest recent recommendation',
] as const;
const UP_STABILIZED = [
  'ScaleUpStabilized',
  'recent recommendations were lower than current one, applying the lowest recent recommendation',
] as const;
const WITHIN = ['DesiredWithinRange', 'the desired count is within the acceptable range'] as const;
const TOO_FEW = [
  'TooFewReplicas',
  'the desired replica count is less than the minimum replica count',
] as const;
const TOO_MANY = [
  'TooManyReplicas',
  'the desired replica count is more than the maximum replica count',
] as const;
const UP_LIMIT = [
  'ScaleUpLimit',
  'the desired replica count is increasing faster than the maximum scale rate',
] as const;
const DOWN_LIMIT = [
  'ScaleDownLimit',
  'the desired replica count is decreasing faster than the maximum scale rate',
] as const;

/** Without a behavior a scale-up is capped at max(2 × current, 4) (upstream's calculateScaleUpLimit). */
export function scaleUpLimit(current: number): number {
  return Math.max(2 * current, 4);
}

function result(
  replicas: number,
  stabilized: number,
  able: readonly [string, string],
  limit: readonly [string, string],
): Normalized {
  return {
    replicas,
    ableReason: able[0],
    ableMessage: able[1],
    limited: replicas !== stabilized,
    limitReason: limit[0],
    limitMessage: limit[1],
  };
}

/** The path of an HPA without spec.behavior: --horizontal-pod-autoscaler-downscale-stabilization only. */
export function normalizeWithoutBehavior(
  h: ScalingHistory,
  current: number,
  desired: number,
  min: number,
  max: number,
  downscaleWindowMs: number,
  now: number,
): Normalized {
  // the highest recommendation of the window; the oldest stale sample is replaced
  let stabilized = desired;
  let stale = -1;
  for (const [i, r] of h.recommendations.entries()) {
    if (r.atMs < now - downscaleWindowMs) stale = i;
    else if (r.replicas > stabilized) stabilized = r.replicas;
  }
  const rec = { replicas: desired, atMs: now };
  if (stale >= 0) h.recommendations[stale] = rec;
  else h.recommendations.push(rec);
  const able = stabilized !== desired ? DOWN_STABILIZED : READY;
  const upLimit = scaleUpLimit(current);
  const [maxAllowed, overLimit] = max > upLimit ? [upLimit, UP_LIMIT] : [max, TOO_MANY];
  if (stabilized < min) return result(min, stabilized, able, TOO_FEW);
  if (stabilized > maxAllowed) return result(maxAllowed, stabilized, able, overLimit);
  return result(stabilized, stabilized, able, WITHIN);
}

/** Replicas added (or removed) by the events of the last `periodSeconds`. */
function changeInPeriod(events: ScaleEvent[], periodSeconds: number, now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.reduce((sum, e) => (e.atMs > cutoff ? sum + e.change : sum), 0);
}

/** The replica count at the start of a policy's period: now, less what was added, plus what was removed since. */
function periodStart(current: number, h: ScalingHistory, periodSeconds: number, now: number): number {
  return (
    current -
    changeInPeriod(h.scaleUpEvents, periodSeconds, now) +
    changeInPeriod(h.scaleDownEvents, periodSeconds, now)
  );
}

/**
 * The count the scaling rules allow now: the highest for scale-up (upstream's
 * calculateScaleUpLimitWithScalingRules), the lowest for scale-down
 * (calculateScaleDownLimitWithBehaviors). selectPolicy Max takes the policy allowing the biggest
 * change, Min the smallest.
 */
function limitWithRules(
  up: boolean,
  current: number,
  h: ScalingHistory,
  rules: ScalingRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const highest = (rules.selectPolicy !== 'Min') === up;
  const pick = highest ? Math.max : Math.min;
  let out = highest ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const start = periodStart(current, h, p.periodSeconds, now);
    // up: rounded up, so a small percentage of few pods still allows one more
    const proposed = up
      ? p.type === 'Pods'
        ? start + p.value
        : Math.ceil(start * (1 + p.value / 100))
      : p.type === 'Pods'
        ? start - p.value
        : Math.trunc(start * (1 - p.value / 100));
    out = pick(out, proposed);
  }
  return out;
}

export const scaleUpLimitWithRules = (current: number, h: ScalingHistory, rules: ScalingRules, now: number) =>
  limitWithRules(true, current, h, rules, now);

export const scaleDownLimitWithRules = (
  current: number,
  h: ScalingHistory,
  rules: ScalingRules,
  now: number,
) => limitWithRules(false, current, h, rules, now);

/** The path of an HPA with spec.behavior (defaulted by the API server; scaleDown's window by the flag). */
export function normalizeWithBehavior(
  h: ScalingHistory,
  behavior: Behavior,
  current: number,
  desired: number,
  min: number,
  max: number,
  downscaleWindowMs: number,
  now: number,
): Normalized {
  const up = behavior.scaleUp ?? {};
  const down = behavior.scaleDown ?? {};
  const upCutoff = now - (up.stabilizationWindowSeconds ?? 0) * 1000;
  const downCutoff =
    now -
    (down.stabilizationWindowSeconds !== undefined
      ? down.stabilizationWindowSeconds * 1000
      : downscaleWindowMs);
  let upRec = desired;
  let downRec = desired;
  let stale = -1;
  for (const [i, r] of h.recommendations.entries()) {
    if (r.atMs > upCutoff) upRec = Math.min(upRec, r.replicas);
    if (r.atMs > downCutoff) downRec = Math.max(downRec, r.replicas);
    if (r.atMs < upCutoff && r.atMs < downCutoff) stale = i;
  }
  let stabilized = Math.min(Math.max(current, upRec), downRec);
  const rec = { replicas: desired, atMs: now };
  if (stale >= 0) h.recommendations[stale] = rec;
  else h.recommendations.push(rec);
  const able = stabilized === desired ? READY : desired >= current ? UP_STABILIZED : DOWN_STABILIZED;
  stabilized = Math.trunc(stabilized);
  if (stabilized > current) {
    const limit = Math.max(scaleUpLimitWithRules(current, h, up, now), current);
    const [allowed, why] = max > limit ? [limit, UP_LIMIT] : [max, TOO_MANY];
    if (stabilized > allowed) return result(allowed, stabilized, able, why);
  } else if (stabilized < current) {
    const limit = Math.min(scaleDownLimitWithRules(current, h, down, now), current);
    const [allowed, why] = min < limit ? [limit, DOWN_LIMIT] : [min, TOO_FEW];
    if (stabilized < allowed) return result(allowed, stabilized, able, why);
  }
  return result(stabilized, stabilized, able, WITHIN);
}

/** Remembers a rescale for the rate policies (only with a behavior, as upstream's storeScaleEvent). */
export function recordScaleEvent(
  h: ScalingHistory,
  behavior: Behavior,
  prev: number,
  next: number,
  now: number,
): void {
  const up = next > prev;
  const rules = (up ? behavior.scaleUp : behavior.scaleDown) ?? {};
  const events = up ? h.scaleUpEvents : h.scaleDownEvents;
  const longest = Math.max(0, ...(rules.policies ?? []).map((p) => p.periodSeconds));
  let stale = -1;
  for (const [i, e] of events.entries()) {
    if (e.atMs < now - longest * 1000) e.outdated = true;
    if (e.outdated) stale = i;
  }
  const ev = { change: Math.abs(next - prev), atMs: now, outdated: false };
  if (stale >= 0) events[stale] = ev;
  else events.push(ev);
}
