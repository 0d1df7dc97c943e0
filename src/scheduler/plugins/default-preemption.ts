// DefaultPreemption (PostFilter): when a pod fits nowhere, find a node where evicting pods of
// lower priority makes room (upstream's SelectVictimsOnNode: remove every lower-priority pod,
// check the filters, then give back the most important ones while the pod still fits), pick
// the node with the fewest PodDisruptionBudget violations, then the least important and fewest
// victims, and report the victims. Victims whose eviction would violate a budget are given back
// first (preemption-pdb.ts). The texts follow upstream: "preemption: 0/N nodes are available:
// ...", "not eligible due to preemptionPolicy=Never.".
import { reasonHistogram } from '../framework/fit-error.js';
import type { NodeInfo, PodInfo } from '../framework/node-info.js';
import {
  Code,
  CycleState,
  Status,
  unresolvable,
  type Pod,
  type PostFilterPlugin,
} from '../framework/types.js';
import { priorityOf } from './priority-sort.js';
import { splitByBudgetViolation, type DisruptionBudget } from './preemption-pdb.js';

export const NO_VICTIMS = 'No preemption victims found for incoming pod';
export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';

export interface PreemptionDeps {
  nodes(): NodeInfo[];
  /** Runs every Filter plugin against a what-if NodeInfo. */
  filter(state: CycleState, pod: Pod, node: NodeInfo): Status;
  /** The cluster's PodDisruptionBudgets (none when the scheduler does not watch them). */
  budgets?(): DisruptionBudget[];
  /** Evicts the victims and nominates the node (async; errors are logged by the caller). */
  preempt(pod: Pod, nodeName: string, victims: Pod[]): void;
}

interface Candidate {
  node: string;
  victims: PodInfo[];
  /** victims whose eviction violates a PodDisruptionBudget */
  budgetViolations: number;
}

const startOf = (p: PodInfo) => Date.parse(String(p.pod.status?.startTime ?? '')) || Number.MAX_SAFE_INTEGER;

/** Upstream's MoreImportantPod: higher priority, then the one that started earlier. */
const moreImportantFirst = (a: PodInfo, b: PodInfo) =>
  priorityOf(b.pod) - priorityOf(a.pod) || startOf(a) - startOf(b);

function selectVictims(
  deps: PreemptionDeps,
  state: CycleState,
  pod: Pod,
  node: NodeInfo,
): Candidate | Status {
  const prio = priorityOf(pod);
  const copy = node.clone();
  const lower = [...copy.pods.values()].filter((p) => priorityOf(p.pod) < prio);
  if (lower.length === 0) return unresolvable(NO_VICTIMS);
  for (const v of lower) copy.removePod(v.key);
  const st = deps.filter(state, pod, copy);
  if (!st.isSuccess()) return st;
  // give back the most important victims while the pod still fits, those protected by a
  // disruption budget first
  lower.sort(moreImportantFirst);
  const { violating, nonViolating } = splitByBudgetViolation(lower, deps.budgets?.() ?? []);
  const victims: PodInfo[] = [];
  let budgetViolations = 0;
  const reprieve = (v: PodInfo): boolean => {
    copy.addPod(v);
    if (deps.filter(state, pod, copy).isSuccess()) return true;
    copy.removePod(v.key);
    victims.push(v);
    return false;
  };
  for (const v of violating) if (!reprieve(v)) budgetViolations++;
  for (const v of nonViolating) reprieve(v);
  return { node: node.name, victims, budgetViolations };
}

/** Upstream's pickOneNodeForPreemption order: budget violations, top priority, priority sum, count, start time. */
function better(a: Candidate, b: Candidate): boolean {
  const maxPrio = (c: Candidate) => Math.max(...c.victims.map((v) => priorityOf(v.pod)));
  const sumPrio = (c: Candidate) => c.victims.reduce((s, v) => s + priorityOf(v.pod), 0);
  // the earliest start among the most important victims: the later, the better
  const topStart = (c: Candidate) =>
    Math.min(...c.victims.filter((v) => priorityOf(v.pod) === maxPrio(c)).map(startOf));
  if (a.budgetViolations !== b.budgetViolations) return a.budgetViolations < b.budgetViolations;
  if (maxPrio(a) !== maxPrio(b)) return maxPrio(a) < maxPrio(b);
  if (sumPrio(a) !== sumPrio(b)) return sumPrio(a) < sumPrio(b);
  if (a.victims.length !== b.victims.length) return a.victims.length < b.victims.length;
  return topStart(a) > topStart(b);
}

export function defaultPreemption(deps: PreemptionDeps): PostFilterPlugin {
  return {
    name: 'DefaultPreemption',
    postFilter(state, pod, statuses) {
      if (pod.spec.preemptionPolicy === 'Never')
        return {
          status: new Status(Code.Unschedulable, ['preemption: not eligible due to preemptionPolicy=Never.']),
        };
      const nodes = deps.nodes();
      const result = new Map<string, Status>();
      let best: Candidate | undefined;
      for (const n of nodes) {
        const why = statuses.get(n.name);
        if (why && why.code === Code.UnschedulableAndUnresolvable) {
          result.set(n.name, unresolvable(NOT_HELPFUL));
          continue;
        }
        const c = selectVictims(deps, state, pod, n);
        if (c instanceof Status) result.set(n.name, c);
        else if (!best || better(c, best)) best = c;
      }
      if (!best) {
        const msg = `preemption: ${reasonHistogram(nodes.length, result)}`;
        return { status: new Status(Code.Unschedulable, [msg]) };
      }
      deps.preempt(
        pod,
        best.node,
        best.victims.map((v) => v.pod),
      );
      return { status: new Status(Code.Success), nominatedNodeName: best.node };
    },
  };
}
