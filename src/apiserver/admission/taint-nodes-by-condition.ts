// TaintNodesByCondition (plugin/pkg/admission/nodetaint): a new Node starts with the
// node.kubernetes.io/not-ready:NoSchedule taint, so nothing is scheduled onto it before the
// node lifecycle controller has seen it Ready and lifted the taint.
import { isRecord } from '../../api/types.js';
import type { AdmissionPlugin } from './types.js';

export const NOT_READY_TAINT = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };

export function taintNodesByCondition(): AdmissionPlugin {
  return {
    name: 'TaintNodesByCondition',
    admit(req) {
      if (req.group !== '' || req.resource !== 'nodes' || req.subresource !== '') return;
      if (req.operation !== 'CREATE' || !req.object) return;
      const spec = isRecord(req.object.spec) ? req.object.spec : (req.object.spec = {});
      const taints = Array.isArray(spec.taints) ? spec.taints : [];
      // MatchTaint: same key and effect
      const present = taints.some(
        (t) => isRecord(t) && t.key === NOT_READY_TAINT.key && t.effect === NOT_READY_TAINT.effect,
      );
      if (!present) spec.taints = [...taints, { ...NOT_READY_TAINT }];
    },
  };
}
