// A Deployment's status from its ReplicaSets (calculateStatus) and the progress predicates
// behind the Progressing condition (DeploymentComplete, DeploymentProgressing, DeploymentTimedOut).
import type { Condition } from '../common/conditions.js';
import { nowStamp } from '../common/objects.js';
import { Reasons, replicasOf, type Deployment, type DeploymentStatus, type ReplicaSet } from './types.js';
import {
  maxUnavailable,
  newDeploymentCondition,
  setDeploymentCondition,
  sumActual,
  sumAvailable,
  sumReady,
  sumReplicas,
} from './util.js';

export function calculateStatus(
  all: ReplicaSet[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
): DeploymentStatus {
  const available = sumAvailable(all);
  const total = sumReplicas(all);
  const unavailable = Math.max(0, total - available);
  let conditions = [...(d.status?.conditions ?? [])];
  const now = nowStamp();
  if (available >= replicasOf(d) - maxUnavailable(d))
    conditions = setDeploymentCondition(
      conditions,
      newDeploymentCondition(
        'Available',
        'True',
        Reasons.MinimumReplicasAvailable,
        'Deployment has minimum availability.',
        now,
      ),
    );
  else
    conditions = setDeploymentCondition(
      conditions,
      newDeploymentCondition(
        'Available',
        'False',
        Reasons.MinimumReplicasUnavailable,
        'Deployment does not have minimum availability.',
        now,
      ),
    );
  // Go's omitempty: zero counts are left out
  const st: DeploymentStatus = {};
  const put = (k: keyof DeploymentStatus, v: number | undefined) => {
    if (v) (st as Record<string, unknown>)[k] = v;
  };
  put('observedGeneration', d.metadata.generation);
  put('replicas', sumActual(all));
  put('updatedReplicas', sumActual([newRS]));
  put('readyReplicas', sumReady(all));
  put('availableReplicas', available);
  put('unavailableReplicas', unavailable);
  if (conditions.length) st.conditions = conditions;
  if (d.status?.collisionCount !== undefined) st.collisionCount = d.status.collisionCount;
  return st;
}

/** The first ReplicaFailure of the new set, else of an old one, as a Deployment condition. */
export function replicaFailures(all: ReplicaSet[], newRS: ReplicaSet | undefined): Condition | undefined {
  const pick = (rs: ReplicaSet | undefined) =>
    rs?.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  const c =
    pick(newRS) ??
    all
      .filter((rs) => rs.metadata.uid !== newRS?.metadata.uid)
      .map(pick)
      .find(Boolean);
  if (!c) return undefined;
  return {
    type: 'ReplicaFailure',
    status: c.status,
    lastUpdateTime: c.lastTransitionTime,
    lastTransitionTime: c.lastTransitionTime,
    reason: c.reason,
    message: c.message,
  };
}

export function deploymentComplete(d: Deployment, st: DeploymentStatus): boolean {
  const want = replicasOf(d);
  return (
    (st.updatedReplicas ?? 0) === want &&
    (st.replicas ?? 0) === want &&
    (st.availableReplicas ?? 0) === want &&
    (st.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

export function deploymentProgressing(d: Deployment, st: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (st.replicas ?? 0) - (st.updatedReplicas ?? 0);
  return (
    (st.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    (st.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (st.availableReplicas ?? 0) > (old.availableReplicas ?? 0) ||
    oldOld > newOld
  );
}

export function deploymentTimedOut(d: Deployment, st: DeploymentStatus, now: number): boolean {
  const c = (st.conditions ?? []).find((x) => x.type === 'Progressing');
  if (!c) return false;
  if (c.reason === Reasons.NewRSAvailable) return false;
  if (c.reason === Reasons.TimedOut) return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  return from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 < now;
}
