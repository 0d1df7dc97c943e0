// DefaultStorageClass (plugin/pkg/admission/storage/storageclass/setdefault): a new claim that
// names no class (no storageClassName field at all, no beta annotation) gets the default class:
// the one annotated storageclass.kubernetes.io/is-default-class: "true" (newest first, then by
// name, when several are).
import { isRecord, type KubeObject } from '../../api/types.js';
import { listObjects } from './lookup.js';
import type { AdmissionDeps, AdmissionPlugin } from './types.js';

const IS_DEFAULT = 'storageclass.kubernetes.io/is-default-class';
const IS_DEFAULT_BETA = 'storageclass.beta.kubernetes.io/is-default-class';
const BETA_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

export function isDefaultClass(sc: KubeObject): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[IS_DEFAULT] === 'true' || a[IS_DEFAULT_BETA] === 'true';
}

/** util.GetDefaultClass */
export function pickDefaultClass(classes: KubeObject[]): KubeObject | undefined {
  const created = (sc: KubeObject) => Date.parse(sc.metadata.creationTimestamp ?? '') || 0;
  return classes
    .filter(isDefaultClass)
    .sort((a, b) => created(b) - created(a) || (a.metadata.name! < b.metadata.name! ? -1 : 1))[0];
}

export function defaultStorageClass(deps: AdmissionDeps): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    async admit(req) {
      if (req.group !== '' || req.resource !== 'persistentvolumeclaims') return;
      if (req.subresource !== '' || req.operation !== 'CREATE' || !req.object) return;
      const pvc = req.object;
      const spec = isRecord(pvc.spec) ? pvc.spec : (pvc.spec = {});
      // an explicit "" means "no class" and is kept
      if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
      if (pvc.metadata.annotations?.[BETA_CLASS_ANNOTATION] !== undefined) return;
      const dflt = pickDefaultClass(await listObjects(deps, 'storage.k8s.io', 'storageclasses'));
      if (dflt) spec.storageClassName = dflt.metadata.name;
    },
  };
}
