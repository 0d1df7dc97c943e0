// Status conditions as upstream's workload controllers keep them: setting a condition with the
// same status and reason changes nothing (so lastTransitionTime stays); otherwise it replaces
// the condition of that type.
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
  [field: string]: unknown;
}

export function getCondition(conds: Condition[] | undefined, type: string): Condition | undefined {
  return conds?.find((c) => c.type === type);
}

/** SetCondition of the ReplicaSet/StatefulSet/DaemonSet utils: a no-op for an equal status and reason. */
export function setCondition(conds: Condition[], cond: Condition): Condition[] {
  const cur = getCondition(conds, cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return conds;
  return [...conds.filter((c) => c.type !== cond.type), cond];
}

export function removeCondition(conds: Condition[], type: string): Condition[] {
  return conds.filter((c) => c.type !== type);
}
