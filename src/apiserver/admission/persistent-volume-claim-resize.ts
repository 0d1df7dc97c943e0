// PersistentVolumeClaimResize (plugin/pkg/admission/storage/persistentvolume/resize): a claim's
// storage request may grow only once the claim is Bound, and only when its StorageClass (the
// same before and after, read from the beta annotation or spec.storageClassName) says
// allowVolumeExpansion: true. Requests that stay or shrink are left to validation.
import { isRecord, type KubeObject } from '../../api/types.js';
import { storageClassOf } from '../registry/core/persistentvolumes.js';
import { storageRequest } from '../registry/core/persistentvolumeclaims.js';
import { admissionForbidden } from './errors.js';
import { getObject } from './lookup.js';
import type { AdmissionDeps, AdmissionPlugin } from './types.js';

export const NOT_BOUND_MESSAGE = 'Only bound persistent volume claims can be expanded';
export const NOT_EXPANDABLE_MESSAGE =
  'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize';

const phaseOf = (o: KubeObject) => (isRecord(o.status) ? o.status.phase : undefined);

export function persistentVolumeClaimResize(deps: AdmissionDeps): AdmissionPlugin {
  /** upstream's allowResize: one named class on both sides, and that class allows it. */
  const allowResize = async (pvc: KubeObject, old: KubeObject): Promise<boolean> => {
    const name = storageClassOf(pvc);
    if (!name || name !== storageClassOf(old)) return false;
    const sc = await getObject(deps, 'storage.k8s.io', 'storageclasses', '', name);
    return (sc as { allowVolumeExpansion?: unknown } | undefined)?.allowVolumeExpansion === true;
  };
  return {
    name: 'PersistentVolumeClaimResize',
    async validate(req) {
      if (req.group !== '' || req.resource !== 'persistentvolumeclaims' || req.subresource !== '') return;
      if (req.operation !== 'UPDATE' || !req.object || !req.oldObject) return;
      const now = storageRequest(req.object) ?? 0n;
      const was = storageRequest(req.oldObject) ?? 0n;
      if (now <= was) return;
      if (phaseOf(req.oldObject) !== 'Bound') throw admissionForbidden(req, NOT_BOUND_MESSAGE);
      if (!(await allowResize(req.object, req.oldObject)))
        throw admissionForbidden(req, NOT_EXPANDABLE_MESSAGE);
    },
  };
}
