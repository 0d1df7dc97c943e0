// How many pods a PodDisruptionBudget expects and wants healthy (upstream's getExpectedPodCount):
// minAvailable as a number counts the selected pods; a percentage, or maxUnavailable, is taken
// of the desired scale of the pods' controllers (each controller counted once). Percentages
// round up, as upstream's GetScaledValueFromIntOrPercent(…, roundUp=true).
import type { KubeObject } from '../../api/types.js';

export type ScaleOf = (pod: KubeObject) => { uid: string; scale: number } | { error: string; reason: string };

export type BudgetNumbers =
  { expectedPods: number; desiredHealthy: number } | { error: string; reason: string };

/** An int-or-string of a total: "25%" of 10 is 3 (rounded up); 4 is 4. */
export function scaledValue(v: number | string, total: number): number | undefined {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (m) return Math.ceil((Number(m[1]) * total) / 100);
  if (/^\d+$/.test(v)) return Number(v);
  return undefined;
}

function expectedScale(pods: KubeObject[], scaleOf: ScaleOf): number | { error: string; reason: string } {
  const scales = new Map<string, number>();
  for (const pod of pods) {
    const s = scaleOf(pod);
    if ('error' in s) return s;
    scales.set(s.uid, s.scale);
  }
  let total = 0;
  for (const n of scales.values()) total += n;
  return total;
}

export function budgetNumbers(pdb: KubeObject, pods: KubeObject[], scaleOf: ScaleOf): BudgetNumbers {
  const spec = (pdb.spec ?? {}) as { minAvailable?: number | string; maxUnavailable?: number | string };
  if (spec.maxUnavailable !== undefined) {
    const expected = expectedScale(pods, scaleOf);
    if (typeof expected !== 'number') return expected;
    const max = scaledValue(spec.maxUnavailable, expected);
    if (max === undefined)
      return { error: `invalid value for IntOrString: ${spec.maxUnavailable}`, reason: 'SyncFailed' };
    return { expectedPods: expected, desiredHealthy: Math.max(0, expected - max) };
  }
  if (spec.minAvailable !== undefined) {
    if (typeof spec.minAvailable === 'number')
      return { expectedPods: pods.length, desiredHealthy: spec.minAvailable };
    const expected = expectedScale(pods, scaleOf);
    if (typeof expected !== 'number') return expected;
    const min = scaledValue(spec.minAvailable, expected);
    if (min === undefined)
      return { error: `invalid value for IntOrString: ${spec.minAvailable}`, reason: 'SyncFailed' };
    return { expectedPods: expected, desiredHealthy: min };
  }
  // neither set: nothing is required (upstream leaves both zero)
  return { expectedPods: 0, desiredHealthy: 0 };
}
