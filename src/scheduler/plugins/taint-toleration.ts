// TaintToleration: NoSchedule and NoExecute taints keep out pods that do not tolerate them
// (filter); PreferNoSchedule taints a pod does not tolerate count against a node (score,
// reversed so fewer is better; weight 3 by default).
import {
  defaultNormalizeScore,
  Status,
  unresolvable,
  type FilterPlugin,
  type ScorePlugin,
} from '../framework/types.js';
import { toleratedBy } from './helpers.js';

export const taintToleration: FilterPlugin & ScorePlugin = {
  name: 'TaintToleration',
  filter(_state, pod, node) {
    const tolerations = pod.spec.tolerations ?? [];
    for (const taint of node.node.spec?.taints ?? []) {
      if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
      if (!toleratedBy(tolerations, taint))
        return unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
    }
    return Status.success();
  },
  score(_state, pod, node) {
    // only tolerations that could apply to PreferNoSchedule count, as upstream
    const tolerations = (pod.spec.tolerations ?? []).filter(
      (t) => !t.effect || t.effect === 'PreferNoSchedule',
    );
    let n = 0;
    for (const taint of node.node.spec?.taints ?? [])
      if (taint.effect === 'PreferNoSchedule' && !toleratedBy(tolerations, taint)) n++;
    return n;
  },
  normalize(_state, _pod, scores) {
    defaultNormalizeScore(scores, true);
  },
};
