// Pure parts of the job controller: the pod failure policy match, the exponential pod-failure
// backoff, and completed-index bookkeeping (pkg/controller/job: pod_failure_policy.go,
// backoff_utils.go, indexed_job_utils.go).
import type { Pod } from '../common/objects.js';
import type { Job, PodFailurePolicyRule } from './types.js';

/** DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff */
export const POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

/** The delay before replacing pods after `failures` consecutive failures: 10 s doubling, capped at 10 min. */
export function failureBackoffMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(POD_FAILURE_BACKOFF_MS * 2 ** (failures - 1), MAX_POD_FAILURE_BACKOFF_MS);
}

export interface PolicyMatch {
  action: PodFailurePolicyRule['action'];
  /** the FailJob message, as upstream words it */
  message: string;
}

/** matchPodFailurePolicy: the first rule a failed pod matches, or undefined (count the failure). */
export function matchPodFailurePolicy(job: Job, pod: Pod): PolicyMatch | undefined {
  const rules = job.spec.podFailurePolicy?.rules ?? [];
  const who = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (rule.onExitCodes) {
      const req = rule.onExitCodes;
      const statuses = [
        ...(pod.status?.initContainerStatuses ?? []),
        ...(pod.status?.containerStatuses ?? []),
      ];
      for (const cs of statuses) {
        if (req.containerName && req.containerName !== cs.name) continue;
        const code = cs.state?.terminated?.exitCode;
        if (code === undefined) continue;
        const listed = req.values.includes(code);
        const hit = req.operator === 'In' ? listed : !listed && code !== 0;
        if (hit)
          return {
            action: rule.action,
            message: `Container ${cs.name} for pod ${who} failed with exit code ${code} matching ${rule.action} rule at index ${i}`,
          };
      }
    }
    if (rule.onPodConditions) {
      for (const pattern of rule.onPodConditions) {
        const c = pod.status?.conditions?.find((x) => x.type === pattern.type);
        if (c && c.status === (pattern.status ?? 'True'))
          return {
            action: rule.action,
            message: `Pod ${who} has condition ${pattern.type} matching ${rule.action} rule at index ${i}`,
          };
      }
    }
  }
  return undefined;
}

/** Parses "1,3-5" into index numbers. */
export function parseIndexes(s: string | undefined): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',')) {
    if (!part) continue;
    const [a, b] = part.split('-').map(Number);
    for (let i = a; i <= (b ?? a); i++) out.add(i);
  }
  return out;
}

/** Formats indexes as upstream's compressed intervals: "0-2,4". */
export function formatIndexes(ids: Iterable<number>): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function completionIndexOf(p: Pod): number | undefined {
  const v = p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

/** The first successPolicy rule the completed indexes meet: its index, or undefined. */
export function matchSuccessPolicy(job: Job, completed: Set<number>): number | undefined {
  const rules = job.spec.successPolicy?.rules ?? [];
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    const wanted = r.succeededIndexes !== undefined ? parseIndexes(r.succeededIndexes) : undefined;
    const have = wanted ? [...wanted].filter((x) => completed.has(x)).length : completed.size;
    if (
      r.succeededCount !== undefined ? have >= r.succeededCount : wanted !== undefined && have === wanted.size
    )
      return i;
  }
  return undefined;
}
