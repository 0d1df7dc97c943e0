// The status a ReplicaSet reports (calculateStatus): counts over the pods it owns, and the
// ReplicaFailure condition while creating or deleting pods fails.
import { getCondition, removeCondition, setCondition, type Condition } from '../common/conditions.js';
import { isPodAvailable, isPodReady } from '../common/pod-util.js';
import { nowStamp, type Pod, type Workload } from '../common/objects.js';
import { messageOf } from '../common/pod-control.js';

export interface ReplicaStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: Condition[];
}

export function calculateStatus(
  rs: Workload,
  pods: Pod[],
  manageError: unknown,
  now = Date.now(),
): ReplicaStatus {
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of pods) {
    const labels = p.metadata?.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  const old = (rs.status ?? {}) as unknown as ReplicaStatus;
  let conditions = old.conditions ?? [];
  const failure = getCondition(conditions, 'ReplicaFailure');
  if (manageError !== undefined && !failure) {
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions = setCondition(conditions, {
      type: 'ReplicaFailure',
      status: 'True',
      lastTransitionTime: nowStamp(now),
      reason,
      message: messageOf(manageError),
    });
  } else if (manageError === undefined && failure) {
    conditions = removeCondition(conditions, 'ReplicaFailure');
  }
  // as Go serializes ReplicaSetStatus: replicas always, the rest omitted when zero or empty
  const out: ReplicaStatus = { replicas: pods.length };
  if (fullyLabeled) out.fullyLabeledReplicas = fullyLabeled;
  if (ready) out.readyReplicas = ready;
  if (available) out.availableReplicas = available;
  if (old.observedGeneration) out.observedGeneration = old.observedGeneration;
  if (conditions.length) out.conditions = conditions;
  return out;
}

/** Whether writing `next` would change anything (updateReplicaSetStatus's early return). */
export function statusUnchanged(rs: Workload, next: ReplicaStatus): boolean {
  const old = (rs.status ?? {}) as unknown as ReplicaStatus;
  return (
    (old.replicas ?? 0) === next.replicas &&
    (old.fullyLabeledReplicas ?? 0) === (next.fullyLabeledReplicas ?? 0) &&
    (old.readyReplicas ?? 0) === (next.readyReplicas ?? 0) &&
    (old.availableReplicas ?? 0) === (next.availableReplicas ?? 0) &&
    (rs.metadata.generation ?? 0) === (old.observedGeneration ?? 0) &&
    JSON.stringify(old.conditions ?? []) === JSON.stringify(next.conditions ?? [])
  );
}
