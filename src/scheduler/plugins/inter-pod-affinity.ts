// InterPodAffinity: the pod's required affinity needs a matching pod in the node's topology
// domain (the first pod of a group that matches its own terms may go anywhere), its required
// anti-affinity forbids one, and existing pods' required anti-affinity keeps it out of their
// domains (filter); preferred terms add or subtract their weights per domain (score, weight
// 2). Term namespaces: `namespaces`, else the pod's own; an empty namespaceSelector means all.
import type { NodeInfo, PodInfo } from '../framework/node-info.js';
import {
  Code,
  MAX_NODE_SCORE,
  Status,
  unresolvable,
  unschedulable,
  type FilterPlugin,
  type Pod,
  type PodAffinityTerm,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
} from '../framework/types.js';
import type { PodLister } from './pod-lister.js';
import { selectorMatches } from './selectors.js';

export const ERR_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
const FILTER_KEY = 'PreFilterInterPodAffinity';
const SCORE_KEY = 'PreScoreInterPodAffinity';

/** Whether `term` (of a pod in namespace `ownerNs`) selects `pod`. */
export function termSelects(term: PodAffinityTerm, ownerNs: string | undefined, pod: Pod): boolean {
  const ns = pod.metadata.namespace ?? '';
  const allNamespaces =
    !!term.namespaceSelector && Object.keys(term.namespaceSelector as object).length === 0;
  if (!allNamespaces) {
    const list = term.namespaces?.length ? term.namespaces : [ownerNs ?? ''];
    if (!list.includes(ns)) return false;
  }
  return selectorMatches(term.labelSelector, pod.metadata.labels ?? {});
}

interface FilterState {
  /** topology key → values (domains) existing pods' anti-affinity forbids for this pod */
  existingAnti: Map<string, Set<string>>;
  /** per required affinity term: domains holding a matching pod */
  affinity: Set<string>[];
  anyAffinityMatch: boolean;
  /** per required anti-affinity term: domains holding a matching pod */
  anti: Set<string>[];
}

function domainsMatching(term: PodAffinityTerm, pod: Pod, nodes: NodeInfo[]): Set<string> {
  const out = new Set<string>();
  for (const n of nodes) {
    const v = n.node.metadata.labels?.[term.topologyKey];
    if (v === undefined) continue;
    for (const p of n.pods.values())
      if (termSelects(term, pod.metadata.namespace, p.pod)) {
        out.add(`${term.topologyKey}=${v}`);
        break;
      }
  }
  return out;
}

const required = (pod: Pod) => ({
  affinity: pod.spec.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
  anti: pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [],
});

function existingAntiDomains(
  pod: Pod,
  holders: { info: PodInfo; node: NodeInfo }[],
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const { info, node } of holders)
    for (const term of required(info.pod).anti) {
      const v = node.node.metadata.labels?.[term.topologyKey];
      if (v === undefined || !termSelects(term, info.pod.metadata.namespace, pod)) continue;
      let values = out.get(term.topologyKey);
      if (!values) out.set(term.topologyKey, (values = new Set()));
      values.add(v);
    }
  return out;
}

export function interPodAffinity(
  deps: PodLister,
): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  return {
    name: 'InterPodAffinity',
    preFilter(state, pod) {
      const req = required(pod);
      const holders = deps.antiAffinityPods();
      if (!req.affinity.length && !req.anti.length && holders.length === 0) return new Status(Code.Skip);
      const nodes = req.affinity.length || req.anti.length ? deps.nodes() : [];
      const affinity = req.affinity.map((t) => domainsMatching(t, pod, nodes));
      state.write(FILTER_KEY, {
        existingAnti: existingAntiDomains(pod, holders),
        affinity,
        anyAffinityMatch: affinity.some((d) => d.size > 0),
        anti: req.anti.map((t) => domainsMatching(t, pod, nodes)),
      } satisfies FilterState);
      return Status.success();
    },
    filter(state, pod, node) {
      const s = state.read<FilterState>(FILTER_KEY);
      if (!s) return Status.success();
      const labels = node.node.metadata.labels ?? {};
      for (const [key, values] of s.existingAnti) {
        const v = labels[key];
        if (v !== undefined && values.has(v)) return unschedulable(ERR_EXISTING_ANTI_AFFINITY);
      }
      const req = required(pod);
      for (let i = 0; i < req.affinity.length; i++) {
        const t = req.affinity[i];
        const v = labels[t.topologyKey];
        if (v === undefined) return unresolvable(ERR_AFFINITY);
        if (s.affinity[i].has(`${t.topologyKey}=${v}`)) continue;
        // no pod matches anywhere and the pod matches its own terms: it may start the group
        const selfStart =
          !s.anyAffinityMatch && req.affinity.every((x) => termSelects(x, pod.metadata.namespace, pod));
        if (!selfStart) return unresolvable(ERR_AFFINITY);
      }
      for (let i = 0; i < req.anti.length; i++) {
        const t = req.anti[i];
        const v = labels[t.topologyKey];
        if (v !== undefined && s.anti[i].has(`${t.topologyKey}=${v}`))
          return unschedulable(ERR_ANTI_AFFINITY);
      }
      return Status.success();
    },
    preScore(state, pod) {
      const a = pod.spec.affinity;
      const terms = [
        ...(a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => ({
          ...t,
          sign: 1,
        })),
        ...(a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => ({
          ...t,
          sign: -1,
        })),
      ];
      if (!terms.length) return Status.success();
      const all = deps.nodes();
      const byDomain = new Map<string, number>();
      for (const t of terms)
        for (const d of domainsMatching(t.podAffinityTerm, pod, all))
          byDomain.set(d, (byDomain.get(d) ?? 0) + t.sign * t.weight);
      state.write(SCORE_KEY, {
        byDomain,
        keys: [...new Set(terms.map((t) => t.podAffinityTerm.topologyKey))],
      });
      return Status.success();
    },
    score(state, _pod, node) {
      const s = state.read<{ byDomain: Map<string, number>; keys: string[] }>(SCORE_KEY);
      if (!s) return 0;
      let total = 0;
      for (const k of s.keys) {
        const v = node.node.metadata.labels?.[k];
        if (v !== undefined) total += s.byDomain.get(`${k}=${v}`) ?? 0;
      }
      return total;
    },
    normalize(state, _pod, scores) {
      if (!state.read(SCORE_KEY)) return;
      let min = Infinity;
      let max = -Infinity;
      for (const s of scores) {
        min = Math.min(min, s.score);
        max = Math.max(max, s.score);
      }
      for (const s of scores)
        s.score = max === min ? 0 : Math.floor((MAX_NODE_SCORE * (s.score - min)) / (max - min));
    },
  };
}
