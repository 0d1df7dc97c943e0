// NodeResourcesFit: the pod's requests (resources.ts: init containers and overhead as upstream
// counts them) must fit in allocatable minus what the node's pods request, for pods, cpu,
// memory, ephemeral-storage and every extended resource (filter, with every shortfall as a
// reason); LeastAllocated prefers emptier nodes by cpu and memory (score, weight 1).
// MostAllocated is the other scoring strategy (--config).
import type { NodeInfo } from '../framework/node-info.js';
import { nonZeroRequests, podRequests, type ResourceList } from '../framework/resources.js';
import {
  CycleState,
  MAX_NODE_SCORE,
  Status,
  unschedulable,
  type FilterPlugin,
  type Pod,
  type PreFilterPlugin,
  type ScorePlugin,
} from '../framework/types.js';

const STATE_KEY = 'PreFilterNodeResourcesFit';
const BASIC = new Set(['cpu', 'memory', 'ephemeral-storage', 'pods']);

interface FitState {
  requests: ResourceList;
  nonZero: { cpu: number; memory: number };
  /** the requests other than cpu, memory, ephemeral-storage and pods that are not zero */
  extended: [string, number][];
  asksAnything: boolean;
}

function fitState(state: CycleState, pod: Pod): FitState {
  let s = state.read<FitState>(STATE_KEY);
  if (!s) {
    const requests = podRequests(pod);
    const extended = Object.entries(requests).filter(([name, v]) => !BASIC.has(name) && v !== 0);
    s = {
      requests,
      nonZero: nonZeroRequests(pod),
      extended,
      asksAnything: Object.values(requests).some((v) => v > 0),
    };
    state.write(STATE_KEY, s);
  }
  return s;
}

/** The reasons a pod does not fit on a node (upstream's fitsRequest). */
export function insufficientResources(requests: ResourceList, node: NodeInfo): string[] {
  const s: FitState = {
    requests,
    nonZero: { cpu: 0, memory: 0 },
    extended: Object.entries(requests).filter(([name, v]) => !BASIC.has(name) && v !== 0),
    asksAnything: Object.values(requests).some((v) => v > 0),
  };
  return shortfalls(s, node);
}

function shortfalls(s: FitState, node: NodeInfo): string[] {
  const reasons: string[] = [];
  const alloc = node.allocatable;
  const used = node.requested;
  if (node.pods.size + 1 > (alloc.pods ?? 0)) reasons.push('Too many pods');
  if (!s.asksAnything) return reasons;
  const r = s.requests;
  if (r.cpu > 0 && r.cpu > (alloc.cpu ?? 0) - (used.cpu ?? 0)) reasons.push('Insufficient cpu');
  if (r.memory > 0 && r.memory > (alloc.memory ?? 0) - (used.memory ?? 0))
    reasons.push('Insufficient memory');
  const es = r['ephemeral-storage'];
  if (es > 0 && es > (alloc['ephemeral-storage'] ?? 0) - (used['ephemeral-storage'] ?? 0))
    reasons.push('Insufficient ephemeral-storage');
  for (const [name, want] of s.extended)
    if (want > (alloc[name] ?? 0) - (used[name] ?? 0)) reasons.push(`Insufficient ${name}`);
  return reasons;
}

export type ScoringStrategy = 'LeastAllocated' | 'MostAllocated';

/** `weights`: resource → weight (upstream default cpu=1, memory=1). */
export function nodeResourcesFit(
  strategy: ScoringStrategy = 'LeastAllocated',
  weights: Record<string, number> = { cpu: 1, memory: 1 },
): PreFilterPlugin & FilterPlugin & ScorePlugin {
  const weightList = Object.entries(weights);
  return {
    name: 'NodeResourcesFit',
    preFilter(state, pod) {
      fitState(state, pod);
      return Status.success();
    },
    filter(state, pod, node) {
      const reasons = shortfalls(fitState(state, pod), node);
      return reasons.length ? unschedulable(...reasons) : Status.success();
    },
    score(state, pod, node) {
      const s = fitState(state, pod);
      let total = 0;
      let weightSum = 0;
      for (const [name, w] of weightList) {
        const alloc = node.allocatable[name] ?? 0;
        if (alloc === 0) continue;
        const requested =
          name === 'cpu'
            ? node.nonZeroRequested.cpu + s.nonZero.cpu
            : name === 'memory'
              ? node.nonZeroRequested.memory + s.nonZero.memory
              : (node.requested[name] ?? 0) + (s.requests[name] ?? 0);
        let score: number;
        if (strategy === 'LeastAllocated')
          score = requested > alloc ? 0 : Math.floor(((alloc - requested) * MAX_NODE_SCORE) / alloc);
        else score = requested > alloc ? MAX_NODE_SCORE : Math.floor((requested * MAX_NODE_SCORE) / alloc);
        total += score * w;
        weightSum += w;
      }
      return weightSum === 0 ? 0 : Math.floor(total / weightSum);
    },
  };
}

/** BalancedAllocation: prefers nodes whose cpu and memory fractions stay close (weight 1). */
export function balancedAllocation(resources: string[] = ['cpu', 'memory']): ScorePlugin {
  return {
    name: 'NodeResourcesBalancedAllocation',
    score(state, pod, node) {
      const s = fitState(state, pod);
      const fractions: number[] = [];
      for (const name of resources) {
        const alloc = node.allocatable[name] ?? 0;
        if (alloc === 0) continue;
        const requested = (node.requested[name] ?? 0) + (s.requests[name] ?? 0);
        fractions.push(Math.min(requested / alloc, 1));
      }
      if (fractions.length === 0) return 0;
      let std: number;
      if (fractions.length === 2) std = Math.abs(fractions[0] - fractions[1]) / 2;
      else {
        const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
        std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) ** 2, 0) / fractions.length);
      }
      return Math.floor((1 - std) * MAX_NODE_SCORE);
    },
  };
}
