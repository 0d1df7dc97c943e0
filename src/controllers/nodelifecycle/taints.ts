// Taints and tolerations as the scheduler and the taint-eviction controller read them
// (upstream's v1helper.TolerationsTolerateTaint), and the taints the node lifecycle
// controller keeps in step with node conditions.

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/** The NoSchedule taints a condition status stands for (upstream's nodeConditionToTaintKeyStatusMap). */
export const CONDITION_TAINTS: { type: string; status: string; key: string }[] = [
  { type: 'Ready', status: 'False', key: TAINT_NOT_READY },
  { type: 'Ready', status: 'Unknown', key: TAINT_UNREACHABLE },
  { type: 'MemoryPressure', status: 'True', key: TAINT_MEMORY_PRESSURE },
  { type: 'DiskPressure', status: 'True', key: TAINT_DISK_PRESSURE },
  { type: 'NetworkUnavailable', status: 'True', key: TAINT_NETWORK_UNAVAILABLE },
  { type: 'PIDPressure', status: 'True', key: TAINT_PID_PRESSURE },
];

/** Taint keys the node lifecycle controller owns with the NoSchedule effect. */
export const MANAGED_NOSCHEDULE_KEYS = new Set([...CONDITION_TAINTS.map((c) => c.key), TAINT_UNSCHEDULABLE]);

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === 'Exists') return !t.key || t.key === taint.key;
  // Equal (the default): same key and value
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

/**
 * When a pod on a node with these NoExecute taints is to be deleted: 'now' when a taint is not
 * tolerated, 'never' when all are tolerated for ever, else the epoch ms of the earliest
 * timeAdded + tolerationSeconds (upstream's getMinTolerationTime over the used tolerations).
 */
export function evictionTime(
  tolerations: Toleration[],
  taints: Taint[],
  now: number,
): number | 'now' | 'never' {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (!noExecute.length) return 'never';
  let at: number | undefined;
  for (const taint of noExecute) {
    const used = tolerations.filter((t) => tolerates(t, taint));
    if (!used.length) return 'now';
    // the shortest tolerationSeconds among those that tolerate it; none means for ever
    const seconds = used.map((t) => t.tolerationSeconds).filter((s): s is number => typeof s === 'number');
    if (!seconds.length) continue;
    const min = Math.max(0, Math.min(...seconds));
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : now;
    const t = added + min * 1000;
    if (at === undefined || t < at) at = t;
  }
  return at ?? 'never';
}
