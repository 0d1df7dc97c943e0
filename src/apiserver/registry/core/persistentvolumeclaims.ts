// persistentvolumeclaims (pvc): volume mode default, phase Pending, required fields, and
// upstream's table (capacity and access modes only once bound).
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { defineResource, ensureObject, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { required, type FieldError } from '../validation.js';
import { accessModesText, storageClassOf } from './persistentvolumes.js';

type Obj = Record<string, unknown>;
const spec = (o: KubeObject): Obj => (isRecord(o.spec) ? o.spec : {});
const status = (o: KubeObject): Obj => (isRecord(o.status) ? o.status : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function validate(pvc: KubeObject): FieldError[] {
  const s = spec(pvc);
  const errs: FieldError[] = [];
  if (!Array.isArray(s.accessModes) || !s.accessModes.length)
    errs.push(required('spec.accessModes', 'at least 1 access mode is required'));
  const requests = isRecord(s.resources) && isRecord(s.resources.requests) ? s.resources.requests : {};
  if (requests.storage === undefined) errs.push(required('spec.resources[storage]'));
  return errs;
}

export const persistentvolumeclaims = defineResource({
  group: '',
  version: 'v1',
  resource: 'persistentvolumeclaims',
  kind: 'PersistentVolumeClaim',
  namespaced: true,
  shortNames: ['pvc'],
  definition: 'io.k8s.api.core.v1.PersistentVolumeClaim',
  status: true,
  defaults(pvc) {
    setDefault(ensureObject<Obj>(pvc, 'spec'), 'volumeMode', 'Filesystem');
    if (isRecord(pvc.status)) setDefault(pvc.status, 'phase', 'Pending');
  },
  prepareForCreate(pvc) {
    pvc.status = { phase: 'Pending' };
  },
  validate,
  table: {
    columns: [
      nameColumn,
      col('Status', 'The phase of the claim.'),
      col('Volume', 'The volume bound to the claim.'),
      col('Capacity', 'Capacity of the bound volume.'),
      col('Access Modes', 'Access modes of the bound volume.'),
      col('StorageClass', 'Storage class the claim asks for.'),
      col('VolumeAttributesClass', 'Volume attributes class the claim asks for.'),
      ageColumn,
      col('VolumeMode', 'Filesystem or Block.', 1),
    ],
    cells: (pvc, now) => {
      const s = spec(pvc);
      const st = status(pvc);
      const bound = str(s.volumeName) !== '';
      const capacity =
        isRecord(st.capacity) && st.capacity.storage !== undefined ? String(st.capacity.storage) : '0';
      return [
        pvc.metadata.name,
        pvc.metadata.deletionTimestamp ? 'Terminating' : str(st.phase),
        str(s.volumeName),
        bound ? capacity : '',
        bound ? accessModesText(st.accessModes) : '',
        storageClassOf(pvc),
        str(s.volumeAttributesClassName) || '<unset>',
        age(pvc.metadata.creationTimestamp, now),
        str(s.volumeMode) || '<unset>',
      ];
    },
  },
});
