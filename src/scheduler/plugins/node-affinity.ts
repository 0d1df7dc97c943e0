// NodeAffinity: nodeSelector and required node affinity must both hold (filter); preferred
// terms add their weights (score, normalized to 0..100; weight 2 by default).
import {
  defaultNormalizeScore,
  Status,
  unresolvable,
  type FilterPlugin,
  type ScorePlugin,
} from '../framework/types.js';
import { anyTermMatches, termMatches } from './helpers.js';

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";

export const nodeAffinity: FilterPlugin & ScorePlugin = {
  name: 'NodeAffinity',
  filter(_state, pod, node) {
    const labels = node.node.metadata.labels ?? {};
    for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {}))
      if (labels[k] !== v) return unresolvable(ERR_REASON_POD);
    const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (required && !anyTermMatches(required.nodeSelectorTerms ?? [], node.node))
      return unresolvable(ERR_REASON_POD);
    return Status.success();
  },
  score(_state, pod, node) {
    let total = 0;
    for (const p of pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
      if (p.weight && termMatches(p.preference, node.node)) total += p.weight;
    return total;
  },
  normalize(_state, _pod, scores) {
    defaultNormalizeScore(scores, false);
  },
};
