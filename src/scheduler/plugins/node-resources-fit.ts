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
}

function fitState(state: CycleState, pod: Pod): FitState {
  let s = state.read<FitState>(STATE_KEY);
  if (!s) {
    s = { requests: podRequests(pod), nonZero: nonZeroRequests(pod) };
    state.write(STATE_KEY, s);
  }
  return s;
}

/** The reasons a pod does not fit on a node (upstream's fitsRequest). */
export function insufficientResources(requests: ResourceList, node: NodeInfo): string[] {
  const reasons: string[] = [];
  const alloc = node.allocatable;
  if (node.pods.size + 1 > (alloc.pods ?? 0)) reasons.push('Too many pods');
  let any = false;
  for (const v of Object.values(requests)) if (v > 0) any = true;
  if (!any) return reasons;
  const free = (name: string) => (alloc[name] ?? 0) - (node.requested[name] ?? 0);
  for (const name of ['cpu', 'memory', 'ephemeral-storage'])
    if ((requests[name] ?? 0) > 0 && requests[name] > free(name)) reasons.push(`Insufficient ${name}`);
  for (const [name, want] of Object.entries(requests)) {
    if (BASIC.has(name) || want === 0) continue;
    if (want > free(name)) reasons.push(`Insufficient ${name}`);
  }
  return reasons;
}

export type ScoringStrategy = 'LeastAllocated' | 'MostAllocated';

/** `weights`: resource → weight (upstream default cpu=1, memory=1). */
export function nodeResourcesFit(
  strategy: ScoringStrategy = 'LeastAllocated',
  weights: Record<string, number> = { cpu: 1, memory: 1 },
): PreFilterPlugin & FilterPlugin & ScorePlugin {
  return {
    name: 'NodeResourcesFit',
    preFilter(state, pod) {
      fitState(state, pod);
      return Status.success();
    },
    filter(state, pod, node) {
      const reasons = insufficientResources(fitState(state, pod).requests, node);
      return reasons.length ? unschedulable(...reasons) : Status.success();
    },
    score(state, pod, node) {
      const s = fitState(state, pod);
      let total = 0;
      let weightSum = 0;
      for (const [name, w] of Object.entries(weights)) {
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
