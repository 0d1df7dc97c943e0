// The PVC evaluator (pkg/quota/v1/evaluator/core/persistent_volume_claims.go): claims count and
// requested storage, in total and per storage class as
// <class>.storageclass.storage.k8s.io/{persistentvolumeclaims,requests.storage}.
import { isRecord, type KubeObject } from '../types.js';
import { fromValue, type Quantity } from '../quantity.js';
import { resourceList, type ResourceList } from './resources.js';
import { objectCountName, type Evaluator } from './evaluator.js';

const PVC_COUNT = objectCountName('', 'persistentvolumeclaims');
const PVC_RESOURCES = ['persistentvolumeclaims', 'requests.storage'];
export const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';
const BETA_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/** storagehelpers.GetPersistentVolumeClaimClass: the beta annotation wins over the field. */
export function claimClass(pvc: KubeObject): string {
  const annotated = pvc.metadata.annotations?.[BETA_CLASS_ANNOTATION];
  if (annotated !== undefined) return annotated;
  const spec = isRecord(pvc.spec) ? pvc.spec : {};
  return typeof spec.storageClassName === 'string' ? spec.storageClassName : '';
}

/** Requested storage rounded up to whole bytes (issue 94313). */
function requestedStorage(pvc: KubeObject): Quantity | undefined {
  const spec = isRecord(pvc.spec) ? pvc.spec : {};
  const q = resourceList(isRecord(spec.resources) ? spec.resources.requests : undefined).get('storage');
  if (!q) return undefined;
  const NANO = 1_000_000_000n;
  if (q.nanos % NANO === 0n) return q;
  const whole = q.nanos / NANO + (q.nanos > 0n ? 1n : 0n);
  return { nanos: whole * NANO, format: q.format };
}

export const pvcEvaluator: Evaluator = {
  group: '',
  resource: 'persistentvolumeclaims',
  handles: (op) => op === 'CREATE' || op === 'UPDATE',
  matchingResources: (input) =>
    input.filter(
      (n) =>
        n === PVC_COUNT ||
        PVC_RESOURCES.includes(n) ||
        PVC_RESOURCES.some((r) => n.endsWith(STORAGE_CLASS_SUFFIX + r)),
    ),
  matchesScope: () => false,
  constraints: () => undefined,
  usage(pvc) {
    const out: ResourceList = new Map([
      ['persistentvolumeclaims', fromValue(1)],
      [PVC_COUNT, fromValue(1)],
    ]);
    const cls = claimClass(pvc);
    if (cls) out.set(`${cls}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`, fromValue(1));
    const storage = requestedStorage(pvc);
    if (storage) {
      out.set('requests.storage', storage);
      if (cls) out.set(`${cls}${STORAGE_CLASS_SUFFIX}requests.storage`, storage);
    }
    return out;
  },
};
