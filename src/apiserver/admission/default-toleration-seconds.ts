// DefaultTolerationSeconds (plugin/pkg/admission/defaulttolerationseconds): pods that do not
// already tolerate them get the not-ready and unreachable NoExecute taints tolerated for 300 s,
// so a pod is evicted five minutes after its node stops answering.
import { isRecord } from '../../api/types.js';
import type { AdmissionPlugin } from './types.js';

/** upstream's --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds */
export const DEFAULT_TOLERATION_SECONDS = 300;
const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

function tolerates(tolerations: Record<string, unknown>[], key: string): boolean {
  return tolerations.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
}

export function defaultTolerationSeconds(): AdmissionPlugin {
  return {
    name: 'DefaultTolerationSeconds',
    admit(req) {
      if (req.group !== '' || req.resource !== 'pods' || req.subresource !== '' || !req.object) return;
      if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return;
      const spec = isRecord(req.object.spec) ? req.object.spec : (req.object.spec = {});
      const list = Array.isArray(spec.tolerations) ? spec.tolerations : [];
      const current = list.filter(isRecord);
      const added = [NOT_READY, UNREACHABLE]
        .filter((key) => !tolerates(current, key))
        .map((key) => ({
          key,
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: DEFAULT_TOLERATION_SECONDS,
        }));
      if (added.length) spec.tolerations = [...list, ...added];
    },
  };
}
