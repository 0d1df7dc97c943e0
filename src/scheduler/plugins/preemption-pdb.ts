// PodDisruptionBudgets in preemption (upstream's filterPodsWithPDBViolation): a victim
// "violates" a budget when evicting it, after the victims counted before it, would take a
// matching budget's status.disruptionsAllowed below zero. Pods already listed in a budget's
// status.disruptedPods were counted by the API server's eviction and are not counted again.
// A budget with an empty (or absent) selector matches nothing, as upstream.
import type { KubeObject } from '../../api/types.js';
import type { PodInfo } from '../framework/node-info.js';
import type { PodAffinityTerm } from '../framework/types.js';
import { selectorMatches } from './selectors.js';

export interface DisruptionBudget extends KubeObject {
  spec?: { selector?: PodAffinityTerm['labelSelector'] };
  status?: { disruptionsAllowed?: number; disruptedPods?: Record<string, string> };
}

function hasTerms(sel: NonNullable<DisruptionBudget['spec']>['selector']): boolean {
  return !!sel && (Object.keys(sel.matchLabels ?? {}).length > 0 || (sel.matchExpressions ?? []).length > 0);
}

/** Splits pods (in the order given) into those whose eviction violates a budget and the rest. */
export function splitByBudgetViolation(
  pods: PodInfo[],
  budgets: DisruptionBudget[],
): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = budgets.map((b) => b.status?.disruptionsAllowed ?? 0);
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const p of pods) {
    const labels = p.pod.metadata.labels ?? {};
    let violated = false;
    if (Object.keys(labels).length > 0) {
      budgets.forEach((b, i) => {
        if (b.metadata.namespace !== p.pod.metadata.namespace) return;
        const sel = b.spec?.selector;
        if (!hasTerms(sel) || !selectorMatches(sel, labels)) return;
        if (b.status?.disruptedPods?.[p.pod.metadata.name ?? ''] !== undefined) return;
        allowed[i]--;
        if (allowed[i] < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(p);
  }
  return { violating, nonViolating };
}
