// Pure rollout arithmetic and bookkeeping of pkg/controller/deployment/util: surge and
// unavailability fenceposts, how many new pods a rollout may add, proportional shares when a
// deployment is scaled mid-rollout, revisions and the annotations a ReplicaSet carries.
import { isRecord } from '../../api/types.js';
import type { Condition } from '../common/conditions.js';
import {
  DESIRED_REPLICAS,
  LAST_APPLIED,
  MAX_REPLICAS,
  POD_TEMPLATE_HASH,
  REVISION,
  REVISION_HISTORY,
  ROLLBACK_TO,
  replicasOf,
  type Deployment,
  type IntOrString,
  type ReplicaSet,
} from './types.js';

const MAX_INT32 = 2 ** 31 - 1;
/** upstream's maxRevHistoryLengthInChars */
const REVISION_HISTORY_CHARS = 2000;

/** intstr.GetScaledValueFromIntOrPercent */
export function scaledValue(v: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    if (/^\d+$/.test(v)) return Number(v);
    throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  }
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

export const isRollingUpdate = (d: Deployment) =>
  (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** ResolveFenceposts: surge rounds up, unavailable down; both zero means one may be unavailable. */
export function fenceposts(d: Deployment): [surge: number, unavailable: number] {
  const ru = d.spec.strategy?.rollingUpdate ?? {};
  const desired = replicasOf(d);
  const surge = scaledValue(ru.maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(ru.maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d)[0] : 0;
}

export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d) || replicasOf(d) === 0) return 0;
  return Math.min(fenceposts(d)[1], replicasOf(d));
}

export const sumReplicas = (sets: (ReplicaSet | undefined)[]) =>
  sets.reduce((n, rs) => n + (rs ? replicasOf(rs) : 0), 0);
export const sumActual = (sets: (ReplicaSet | undefined)[]) =>
  sets.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
export const sumReady = (sets: (ReplicaSet | undefined)[]) =>
  sets.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
export const sumAvailable = (sets: (ReplicaSet | undefined)[]) =>
  sets.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);

/** NewRSNewReplicas: the size the new ReplicaSet may grow to now. */
export function newRSNewReplicas(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const surge = scaledValue(d.spec.strategy?.rollingUpdate?.maxSurge ?? 0, replicasOf(d), true);
  const current = sumReplicas(all);
  const maxTotal = replicasOf(d) + surge;
  if (current >= maxTotal) return replicasOf(newRS);
  const up = Math.min(maxTotal - current, replicasOf(d) - replicasOf(newRS));
  return replicasOf(newRS) + up;
}

export function annotationInt(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n > MAX_INT32 || n < -MAX_INT32 - 1 ? undefined : n;
}

/** Go's math.Round (half away from zero). */
const goRound = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

/** GetProportion: this set's share of `toAdd`, never beyond what is left to add. */
export function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (replicasOf(d) === 0) return -replicasOf(rs);
  const deploymentMax = replicasOf(d) + maxSurge(d);
  let before = annotationInt(rs, MAX_REPLICAS);
  if (before === undefined || before === 0) before = d.status?.replicas ?? 0;
  return goRound((replicasOf(rs) * deploymentMax) / before) - replicasOf(rs);
}

const created = (rs: ReplicaSet) => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;

/** ReplicaSetsByCreationTimestamp: older first, then by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  return a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0;
}

/** ReplicaSetsBySizeNewer: larger first, newer first among equals (scaling up). */
export const bySizeNewer = (a: ReplicaSet, b: ReplicaSet) =>
  replicasOf(a) === replicasOf(b) ? byCreation(b, a) : replicasOf(b) - replicasOf(a);
/** ReplicaSetsBySizeOlder: larger first, older first among equals (scaling down). */
export const bySizeOlder = (a: ReplicaSet, b: ReplicaSet) =>
  replicasOf(a) === replicasOf(b) ? byCreation(a, b) : replicasOf(b) - replicasOf(a);

export function revisionOf(o: { metadata: { annotations?: Record<string, string> } }): number {
  const v = o.metadata.annotations?.[REVISION];
  return v && /^\d+$/.test(v) ? Number(v) : 0;
}

export const maxRevision = (sets: ReplicaSet[]) => sets.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);

/** ReplicaSetsByRevision: lower revision first, then older. */
export const byRevision = (a: ReplicaSet, b: ReplicaSet) =>
  revisionOf(a) === revisionOf(b) ? byCreation(a, b) : revisionOf(a) - revisionOf(b);

/** Removes empty lists and maps, which Go's semantic DeepEqual treats as absent. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(normalize) : undefined;
  if (isRecord(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const n = normalize(v[k]);
      if (n !== undefined && n !== null) out[k] = n;
    }
    return out;
  }
  return v;
}

function withoutHash(t: unknown): unknown {
  const c = structuredClone(t) as { metadata?: { labels?: Record<string, string> } };
  if (c?.metadata?.labels) delete c.metadata.labels[POD_TEMPLATE_HASH];
  return normalize(c);
}

/** EqualIgnoreHash: the templates match once the pod-template-hash label is set aside. */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  return JSON.stringify(withoutHash(a)) === JSON.stringify(withoutHash(b));
}

const SKIPPED_ANNOTATIONS = new Set([
  LAST_APPLIED,
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  ROLLBACK_TO,
]);

/** SetNewReplicaSetAnnotations; returns whether anything changed. Mutates rs. */
export function setNewReplicaSetAnnotations(
  d: Deployment,
  rs: ReplicaSet,
  newRevision: number,
  exists: boolean,
): boolean {
  const ann = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (SKIPPED_ANNOTATIONS.has(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  const had = REVISION in ann;
  const oldRevision = ann[REVISION] ?? '';
  let oldInt = 0;
  if (oldRevision !== '') {
    if (!/^-?\d+$/.test(oldRevision)) return false;
    oldInt = Number(oldRevision);
  }
  if (oldInt < newRevision) {
    ann[REVISION] = String(newRevision);
    changed = true;
  }
  if (had && oldInt < newRevision) {
    const history = ann[REVISION_HISTORY] ?? '';
    const olds = history.split(',');
    if (olds[0] === '') ann[REVISION_HISTORY] = oldRevision;
    else {
      let total = history.length + oldRevision.length + 1;
      let start = 0;
      while (total > REVISION_HISTORY_CHARS && start < olds.length) {
        total -= olds[start].length + 1;
        start++;
      }
      if (total <= REVISION_HISTORY_CHARS)
        ann[REVISION_HISTORY] = [...olds.slice(start), oldRevision].join(',');
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** SetReplicasAnnotations: desired-replicas and max-replicas; returns whether they changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const ann = (rs.metadata.annotations ??= {});
  let changed = false;
  if (ann[DESIRED_REPLICAS] !== String(desired)) {
    ann[DESIRED_REPLICAS] = String(desired);
    changed = true;
  }
  if (ann[MAX_REPLICAS] !== String(max)) {
    ann[MAX_REPLICAS] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const ann = rs.metadata.annotations ?? {};
  return ann[DESIRED_REPLICAS] !== String(desired) || ann[MAX_REPLICAS] !== String(max);
}

/** IsSaturated: the new set runs every desired replica, all available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  return (
    annotationInt(rs, DESIRED_REPLICAS) === replicasOf(d) &&
    replicasOf(rs) === replicasOf(d) &&
    (rs.status?.availableReplicas ?? 0) === replicasOf(d)
  );
}

export const hasProgressDeadline = (d: Deployment) =>
  d.spec.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== MAX_INT32;

export const hasRevisionHistoryLimit = (d: Deployment) =>
  d.spec.revisionHistoryLimit !== undefined && d.spec.revisionHistoryLimit !== MAX_INT32;

export function newDeploymentCondition(
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  now: string,
): Condition {
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

/** SetDeploymentCondition: same status and reason change nothing; same status keeps the transition time. */
export function setDeploymentCondition(conds: Condition[], c: Condition): Condition[] {
  const cur = conds.find((x) => x.type === c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return conds;
  const next = { ...c };
  if (cur && cur.status === c.status) next.lastTransitionTime = cur.lastTransitionTime;
  return [...conds.filter((x) => x.type !== c.type), next];
}

const activeSets = (sets: (ReplicaSet | undefined)[]) =>
  sets.filter((rs): rs is ReplicaSet => !!rs && replicasOf(rs) > 0);

/** FindActiveOrLatest: the only active set, the newest when none is active, or none. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, old: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && old.length === 0) return undefined;
  const sorted = [...old].sort((a, b) => byCreation(b, a));
  const all = activeSets([...sorted, newRS]);
  if (all.length === 0) return newRS ?? sorted[0];
  if (all.length === 1) return all[0];
  return undefined;
}
