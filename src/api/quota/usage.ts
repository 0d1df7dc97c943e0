// Recounting a quota's usage from the objects in its namespace (quota.CalculateUsage with each
// evaluator's UsageStats), and the status the resourcequota controller writes from it.
import { isRecord, type KubeObject } from '../types.js';
import { evaluatorsFor } from './registry.js';
import { quotaScopeSelectors, hardOf, type Evaluator } from './evaluator.js';
import { add, equals, mask, resourceList, toJSON, type ResourceList } from './resources.js';
import { fromValue } from '../quantity.js';

/** Lists the objects an evaluator measures in the quota's namespace. */
export type ObjectLister = (ev: Evaluator) => KubeObject[];

/** Usage of every resource the quota limits that some evaluator can measure. */
export function calculateUsage(quota: KubeObject, list: ObjectLister, now: Date): ResourceList {
  const hardNames = Object.keys(hardOf(quota, 'spec') ?? {});
  const selectors = quotaScopeSelectors(quota);
  let used: ResourceList = new Map();
  const measured = new Set<string>();
  for (const ev of evaluatorsFor(hardNames)) {
    const names = ev.matchingResources(hardNames);
    if (names.length === 0) continue;
    // each tracked resource starts at zero
    let stats: ResourceList = new Map(names.map((n) => [n, fromValue(0)]));
    for (const obj of list(ev)) {
      if (!selectors.every((s) => ev.matchesScope(s, obj))) continue;
      stats = add(stats, ev.usage(obj, now));
    }
    used = add(used, stats);
    for (const n of names) measured.add(n);
  }
  return mask(used, measured);
}

export interface QuotaStatus {
  hard: Record<string, string>;
  used: Record<string, string>;
}

/**
 * What syncResourceQuota writes: hard from spec, used recounted (earlier observations kept for
 * what nothing measures), only for names the quota limits. Undefined when nothing changed.
 */
export function quotaStatusUpdate(quota: KubeObject, recounted: ResourceList): QuotaStatus | undefined {
  const status = isRecord(quota.status) ? quota.status : {};
  const specHard = resourceList(hardOf(quota, 'spec'));
  const statusHard = isRecord(status.hard) ? resourceList(status.hard) : undefined;
  const statusUsed = isRecord(status.used) ? resourceList(status.used) : undefined;
  let dirty = !statusHard || !statusUsed || !equals(specHard, statusHard);
  let used: ResourceList = new Map(statusUsed ?? []);
  for (const [k, q] of recounted) used.set(k, q);
  used = mask(used, specHard.keys());
  dirty = dirty || !equals(used, statusUsed ?? new Map());
  if (!dirty) return undefined;
  return { hard: toJSON(specHard), used: toJSON(used) };
}
