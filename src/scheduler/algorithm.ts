// One pod's placement decision (upstream's schedulePod), free of any I/O so that the scheduler
// and the benchmark run the same code: PreFilter, Filter over the nodes until enough feasible
// ones are found (upstream's adaptive percentageOfNodesToScore, starting where the previous
// decision stopped), PostFilter when none fits, Score and selectHost otherwise.
import { fitErrorMessage, NO_NODE_AVAILABLE, type Diagnosis } from './framework/fit-error.js';
import type { NodeInfo } from './framework/node-info.js';
import type { Framework } from './framework/runtime.js';
import { CycleState, type Pod } from './framework/types.js';

const MIN_FEASIBLE_NODES = 100;
const MIN_FEASIBLE_PERCENTAGE = 5;

/** upstream's numFeasibleNodesToFind with the adaptive percentage */
export function numFeasibleNodesToFind(numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES) return numAllNodes;
  const percentage = Math.max(50 - Math.floor(numAllNodes / 125), MIN_FEASIBLE_PERCENTAGE);
  return Math.max(Math.floor((numAllNodes * percentage) / 100), MIN_FEASIBLE_NODES);
}

export type Decision =
  | { host: string }
  | {
      /** the FitError text (or why scheduling could not even start) */
      message: string;
      /** the pod must wait for the cluster to change (else: an error, plain backoff) */
      unschedulable: boolean;
      nominatedNodeName?: string;
    };

export class Placement {
  private nextStartNodeIndex = 0;

  decide(fwk: Framework, pod: Pod, nodes: NodeInfo[]): Decision {
    if (nodes.length === 0) return { message: NO_NODE_AVAILABLE, unschedulable: true };
    const state = new CycleState();
    const diagnosis: Diagnosis = { statuses: new Map(), unschedulablePlugins: new Set() };
    const pre = fwk.runPreFilter(state, pod, nodes);
    let feasible: NodeInfo[] = [];
    if (pre.isRejected()) {
      diagnosis.preFilterMsg = pre.message();
      for (const n of nodes) diagnosis.statuses.set(n.name, pre);
    } else if (!pre.isSuccess()) {
      return { message: pre.message(), unschedulable: false };
    } else feasible = this.findFeasible(fwk, state, pod, nodes, diagnosis);
    if (feasible.length === 0) {
      const post = fwk.runPostFilter(state, pod, diagnosis.statuses);
      if (!post.status.isSuccess()) diagnosis.postFilterMsg = post.status.message();
      const out: Decision = { message: fitErrorMessage(nodes.length, diagnosis), unschedulable: true };
      if (post.nominatedNodeName) out.nominatedNodeName = post.nominatedNodeName;
      return out;
    }
    if (feasible.length === 1) return { host: feasible[0].name };
    return { host: selectHost(fwk.runScore(state, pod, feasible)) };
  }

  private findFeasible(
    fwk: Framework,
    state: CycleState,
    pod: Pod,
    nodes: NodeInfo[],
    diagnosis: Diagnosis,
  ): NodeInfo[] {
    const want = numFeasibleNodesToFind(nodes.length);
    const feasible: NodeInfo[] = [];
    const start = this.nextStartNodeIndex % nodes.length;
    let checked = 0;
    for (; checked < nodes.length && feasible.length < want; checked++) {
      const n = nodes[(start + checked) % nodes.length];
      const st = fwk.runFilters(state, pod, n);
      if (st.isSuccess()) feasible.push(n);
      else {
        diagnosis.statuses.set(n.name, st);
        diagnosis.unschedulablePlugins.add(st.plugin);
      }
    }
    this.nextStartNodeIndex = (start + checked) % nodes.length;
    return feasible;
  }
}

/** The highest total; ties broken uniformly at random (reservoir sampling, as upstream). */
export function selectHost(scores: Map<string, number>): string {
  let best = '';
  let bestScore = -Infinity;
  let ties = 0;
  for (const [node, score] of scores) {
    if (score > bestScore) {
      best = node;
      bestScore = score;
      ties = 1;
    } else if (score === bestScore && Math.random() * ++ties < 1) best = node;
  }
  return best;
}
