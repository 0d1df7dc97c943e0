// Pod predicates every workload controller shares (upstream's podutil and controller_utils).
import type { Pod } from './objects.js';

/** Not finished and not being deleted (controller.IsPodActive). */
export function isPodActive(p: Pod): boolean {
  const phase = p.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !p.metadata?.deletionTimestamp;
}

export function isPodTerminating(p: Pod): boolean {
  const phase = p.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !!p.metadata?.deletionTimestamp;
}

export function readyCondition(p: Pod) {
  return p.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(p: Pod): boolean {
  return readyCondition(p)?.status === 'True';
}

/** When the pod last became ready, in ms (0 when not ready or unknown). */
export function podReadyTime(p: Pod): number {
  const c = readyCondition(p);
  if (c?.status !== 'True' || !c.lastTransitionTime) return 0;
  return Date.parse(c.lastTransitionTime);
}

/**
 * Ready for at least minReadySeconds (podutil.IsPodAvailable). A ready pod without a transition
 * time counts as available only when minReadySeconds is 0, as upstream.
 */
export function isPodAvailable(p: Pod, minReadySeconds: number, now = Date.now()): boolean {
  if (!isPodReady(p)) return false;
  if (minReadySeconds === 0) return true;
  const since = podReadyTime(p);
  return since > 0 && since + minReadySeconds * 1000 <= now;
}

export function filterActivePods(pods: Pod[]): Pod[] {
  return pods.filter(isPodActive);
}
