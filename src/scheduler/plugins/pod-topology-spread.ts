// PodTopologySpread: DoNotSchedule constraints keep the skew (pods matching the selector in a
// topology domain minus the least-populated domain's, counting the incoming pod) within maxSkew
// (filter); ScheduleAnyway constraints prefer the emptier domains (score, weight 2). Domains
// are counted over nodes that have every constraint's key and satisfy the pod's node
// selector/affinity (nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore: upstream's defaults).
// The cluster-level default constraints are not applied.
import type { NodeInfo } from '../framework/node-info.js';
import {
  Code,
  CycleState,
  MAX_NODE_SCORE,
  Status,
  unresolvable,
  unschedulable,
  type FilterPlugin,
  type Pod,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
  type TopologySpreadConstraint,
} from '../framework/types.js';
import { nodeAffinity } from './node-affinity.js';
import type { PodLister } from './pod-lister.js';
import { selectorMatches } from './selectors.js';

export const ERR_REASON_CONSTRAINTS = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_MISSING_LABEL =
  "node(s) didn't match pod topology spread constraints (missing required label)";
const FILTER_KEY = 'PreFilterPodTopologySpread';
const SCORE_KEY = 'PreScorePodTopologySpread';

interface Counted {
  constraint: TopologySpreadConstraint;
  counts: Map<string, number>;
  selfMatch: boolean;
  /** the least-populated domain's count (0 while fewer domains than minDomains) */
  min: number;
}

const constraintsOf = (pod: Pod, mode: TopologySpreadConstraint['whenUnsatisfiable']) =>
  (pod.spec.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === mode);

function count(
  pod: Pod,
  constraints: TopologySpreadConstraint[],
  nodes: NodeInfo[],
  state: CycleState,
): Counted[] {
  const out = constraints.map((c) => ({
    constraint: c,
    counts: new Map<string, number>(),
    selfMatch: selectorMatches(c.labelSelector, pod.metadata.labels ?? {}),
    min: 0,
  }));
  const ns = pod.metadata.namespace;
  for (const n of nodes) {
    const labels = n.node.metadata.labels ?? {};
    if (!constraints.every((c) => labels[c.topologyKey] !== undefined)) continue;
    if (!nodeAffinity.filter(state, pod, n).isSuccess()) continue;
    for (const c of out) {
      const domain = labels[c.constraint.topologyKey];
      let matches = 0;
      for (const p of n.pods.values()) {
        if (p.pod.metadata.namespace !== ns || p.pod.metadata.deletionTimestamp) continue;
        if (selectorMatches(c.constraint.labelSelector, p.pod.metadata.labels ?? {})) matches++;
      }
      c.counts.set(domain, (c.counts.get(domain) ?? 0) + matches);
    }
  }
  for (const c of out) {
    let min = Infinity;
    for (const v of c.counts.values()) min = Math.min(min, v);
    c.min = min === Infinity || c.counts.size < (c.constraint.minDomains ?? 1) ? 0 : min;
  }
  return out;
}

export function podTopologySpread(
  deps: PodLister,
): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  return {
    name: 'PodTopologySpread',
    preFilter(state, pod) {
      const hard = constraintsOf(pod, 'DoNotSchedule');
      if (hard.length === 0) return new Status(Code.Skip);
      state.write(FILTER_KEY, count(pod, hard, deps.nodes(), state));
      return Status.success();
    },
    filter(state, pod, node) {
      const counted = state.read<Counted[]>(FILTER_KEY);
      if (!counted) return Status.success();
      const labels = node.node.metadata.labels ?? {};
      for (const c of counted) {
        const domain = labels[c.constraint.topologyKey];
        if (domain === undefined) return unresolvable(ERR_REASON_MISSING_LABEL);
        const skew = (c.counts.get(domain) ?? 0) + (c.selfMatch ? 1 : 0) - c.min;
        if (skew > c.constraint.maxSkew) return unschedulable(ERR_REASON_CONSTRAINTS);
      }
      return Status.success();
    },
    preScore(state, pod, nodes) {
      const soft = constraintsOf(pod, 'ScheduleAnyway');
      if (soft.length) state.write(SCORE_KEY, count(pod, soft, nodes, state));
      return Status.success();
    },
    score(state, _pod, node) {
      const counted = state.read<Counted[]>(SCORE_KEY);
      if (!counted) return 0;
      const labels = node.node.metadata.labels ?? {};
      let total = 0;
      for (const c of counted) {
        const domain = labels[c.constraint.topologyKey];
        if (domain === undefined) continue;
        // upstream weighs a constraint by log(domains + 2) so that bigger topologies matter more
        total += (c.counts.get(domain) ?? 0) * Math.log(c.counts.size + 2) + (c.constraint.maxSkew - 1);
      }
      return Math.round(total);
    },
    normalize(state, _pod, scores) {
      if (!state.read<Counted[]>(SCORE_KEY)) return;
      let min = Infinity;
      let max = 0;
      for (const s of scores) {
        min = Math.min(min, s.score);
        max = Math.max(max, s.score);
      }
      for (const s of scores)
        s.score = max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max + min - s.score)) / max);
    },
  };
}
