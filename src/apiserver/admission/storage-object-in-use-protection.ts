// StorageObjectInUseProtection (plugin/pkg/admission/storage/storageobjectinuseprotection): every
// new PersistentVolumeClaim gets the finalizer kubernetes.io/pvc-protection and every new
// PersistentVolume kubernetes.io/pv-protection, so that neither goes away while in use; the
// pvc-protection and pv-protection controllers remove them once nothing uses the object.
import type { AdmissionPlugin } from './types.js';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

const FINALIZER_OF: Record<string, string> = {
  persistentvolumeclaims: PVC_PROTECTION_FINALIZER,
  persistentvolumes: PV_PROTECTION_FINALIZER,
};

export function storageObjectInUseProtection(): AdmissionPlugin {
  return {
    name: 'StorageObjectInUseProtection',
    admit(req) {
      if (req.group !== '' || req.subresource !== '' || req.operation !== 'CREATE' || !req.object) return;
      const finalizer = FINALIZER_OF[req.resource];
      if (!finalizer) return;
      const meta = req.object.metadata;
      if (meta.finalizers?.includes(finalizer)) return;
      meta.finalizers = [...(meta.finalizers ?? []), finalizer];
    },
  };
}
