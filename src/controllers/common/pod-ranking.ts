// Which pods a ReplicaSet deletes first when it scales down: upstream's ActivePodsWithRanks
// order (pkg/controller/controller_utils.go, with PodDeletionCost and LogarithmicScaleDown on,
// as in 1.31). The pods at the front of the sorted list are the victims.
import { isPodActive, isPodReady, podReadyTime } from './pod-util.js';
import type { Pod } from './objects.js';

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export interface RankedPod {
  pod: Pod;
  /** how many active related pods share this pod's node (more = delete sooner) */
  rank: number;
}

/** The annotation as an int32; anything unparsable counts as 0 (upstream ignores the error). */
export function deletionCost(p: Pod): number {
  const v = p.metadata?.annotations?.[POD_DELETION_COST];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0;
  const n = Number(v);
  return n < INT32_MIN || n > INT32_MAX ? 0 : n;
}

/** Go's afterOrZero: is t1 after t2, with a zero time counting as after any other. */
function afterOrZero(t1: number, t2: number): boolean {
  if (t1 === 0 || t2 === 0) return t1 === 0;
  return t1 > t2;
}

/** int64(log2(now - t in ns)), or -1 for a time not in the past. */
function logRank(t: number, now: number): number {
  const ns = (now - t) * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

/** Compares two times the way LogarithmicScaleDown does: newer first, equal buckets by UID. */
function newerFirst(t1: number, t2: number, now: number, uid1: string, uid2: string): boolean {
  if (now === 0 || t1 === 0 || t2 === 0) return afterOrZero(t1, t2);
  const diff = logRank(t1, now) - logRank(t2, now);
  if (diff === 0) return uid1 < uid2;
  return diff < 0;
}

function maxRestarts(p: Pod): [regular: number, sidecar: number] {
  let regular = 0;
  let sidecar = 0;
  for (const c of p.status?.containerStatuses ?? []) regular = Math.max(regular, c.restartCount ?? 0);
  const sidecars = new Set(
    (p.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name),
  );
  for (const c of p.status?.initContainerStatuses ?? [])
    if (sidecars.has(c.name)) sidecar = Math.max(sidecar, c.restartCount ?? 0);
  return [regular, sidecar];
}

const created = (p: Pod) => (p.metadata?.creationTimestamp ? Date.parse(p.metadata.creationTimestamp) : 0);

/** ActivePodsWithRanks.Less: true when `a` should be deleted before `b`. */
export function deleteBefore(a: RankedPod, b: RankedPod, now: number): boolean {
  const pa = a.pod;
  const pb = b.pod;
  const na = pa.spec?.nodeName ?? '';
  const nb = pb.spec?.nodeName ?? '';
  // 1. unassigned < assigned
  if (na !== nb && (na === '' || nb === '')) return na === '';
  // 2. Pending < Unknown < Running
  const oa = PHASE_ORDINAL[pa.status?.phase ?? ''] ?? 0;
  const ob = PHASE_ORDINAL[pb.status?.phase ?? ''] ?? 0;
  if (oa !== ob) return oa < ob;
  // 3. not ready < ready
  const ra = isPodReady(pa);
  const rb = isPodReady(pb);
  if (ra !== rb) return !ra;
  // 4. lower pod-deletion-cost < higher
  const ca = deletionCost(pa);
  const cb = deletionCost(pb);
  if (ca !== cb) return ca < cb;
  // 5. doubled up < not doubled up
  if (a.rank !== b.rank) return a.rank > b.rank;
  const uidA = pa.metadata?.uid ?? '';
  const uidB = pb.metadata?.uid ?? '';
  // 6. ready for a shorter time < longer
  if (ra && rb) {
    const ta = podReadyTime(pa);
    const tb = podReadyTime(pb);
    if (ta !== tb) return newerFirst(ta, tb, now, uidA, uidB);
  }
  // 7. more container restarts < fewer
  const [ra1, sa1] = maxRestarts(pa);
  const [rb1, sb1] = maxRestarts(pb);
  if (ra1 !== rb1) return ra1 > rb1;
  if (sa1 !== sb1) return sa1 > sb1;
  // 8. no creation time < newer < older
  const cta = created(pa);
  const ctb = created(pb);
  if (cta !== ctb) return newerFirst(cta, ctb, now, uidA, uidB);
  return false;
}

/**
 * Ranks `pods` by how many active `related` pods (of the same owner family) share their node,
 * as getPodsRankedByRelatedPodsOnSameNode does, and sorts them victims first.
 */
export function rankPodsForDeletion(pods: Pod[], related: Pod[], now = Date.now()): Pod[] {
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const n = p.spec?.nodeName ?? '';
    onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const ranked: RankedPod[] = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  // Go's sort.Sort is not stable, but Less is a strict weak order; a stable sort agrees on it
  ranked.sort((x, y) => (deleteBefore(x, y, now) ? -1 : deleteBefore(y, x, now) ? 1 : 0));
  return ranked.map((r) => r.pod);
}
