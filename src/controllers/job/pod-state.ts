// How the job controller reads a pod and a Job's conditions.
import type { Pod } from '../common/objects.js';
import { INDEX_FAILURE_COUNT, JOB_TRACKING_FINALIZER, type Job, type JobStatus } from './types.js';

export interface BackoffRecord {
  failures: number;
  lastFailure: number;
}

export const finished = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
/** gone or going: a terminal phase, or deleted (TerminatingOrFailed counts those as failed) */
export const terminal = (p: Pod) => finished(p) || !!p.metadata?.deletionTimestamp;
export const hasFinalizer = (p: Pod) => (p.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
export const indexFailureCount = (p: Pod) => {
  const v = p.metadata?.annotations?.[INDEX_FAILURE_COUNT];
  return v && /^\d+$/.test(v) ? Number(v) : 0;
};
export const cond = (j: { status?: JobStatus }, type: string) =>
  j.status?.conditions?.find((c) => c.type === type);
export const isTrue = (j: { status?: JobStatus }, type: string) => cond(j, type)?.status === 'True';

export function jobFinished(j: Job): boolean {
  return isTrue(j, 'Complete') || isTrue(j, 'Failed');
}

/** When the pod's containers last stopped (now when unknown). */
export function finishTime(p: Pod): number {
  let t = 0;
  for (const cs of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
    const f = cs.state?.terminated?.finishedAt;
    if (f) t = Math.max(t, Date.parse(f));
  }
  return t || Date.now();
}
