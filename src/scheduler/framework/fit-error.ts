// The text of "the pod fits nowhere" (upstream's FitError.Error() in framework/types.go, 1.31):
//   0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {a: b}. preemption: ...
// Reasons are counted over nodes and sorted as strings ("<count> <reason>"), joined by ", ";
// a PreFilter rejection replaces the per-node histogram; the PostFilter message comes last.
import type { Status } from './types.js';

export const NO_NODE_AVAILABLE = 'no nodes available to schedule pods';

export interface Diagnosis {
  /** node name → why it was rejected */
  statuses: Map<string, Status>;
  preFilterMsg?: string;
  postFilterMsg?: string;
  unschedulablePlugins: Set<string>;
}

/** "0/N nodes are available: <sorted histogram>." */
export function reasonHistogram(
  numAllNodes: number,
  statuses: Map<string, Status>,
  preFilterMsg = '',
): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (preFilterMsg) return `${msg} ${preFilterMsg}.`;
  const counts = new Map<string, number>();
  for (const st of statuses.values()) for (const r of st.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (parts.length) msg += ` ${parts.join(', ')}.`;
  return msg;
}

export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = reasonHistogram(numAllNodes, d.statuses, d.preFilterMsg);
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}`;
  return msg;
}
