// persistentvolumeclaims (pvc)
import type { KubeObject } from '../../../api/types.js';
import { defineResource, ensureObject, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { accessModesText } from './persistentvolumes.js';

type Obj = Record<string, unknown>;
const spec = (o: KubeObject) => (o.spec ?? {}) as Obj;

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
  },
  prepareForCreate(pvc) {
    pvc.status = { phase: 'Pending' };
  },
  table: {
    columns: [
      nameColumn,
      col('Status', 'The phase of the claim.'),
      col('Volume', 'The bound volume.'),
      col('Capacity', 'The capacity of the bound volume.'),
      col('Access Modes', 'How the volume can be mounted.'),
      col('StorageClass', 'The storage class.'),
      col('VolumeAttributesClass', 'The volume attributes class.'),
      ageColumn,
      col('VolumeMode', 'Filesystem or Block.', 1),
    ],
    cells: (pvc, now) => {
      const s = spec(pvc);
      const st = (pvc.status ?? {}) as { phase?: string; capacity?: Obj; accessModes?: string[] };
      return [
        pvc.metadata.name,
        st.phase ?? '',
        s.volumeName ?? '',
        (st.capacity?.storage as string) ?? '',
        accessModesText(st.accessModes),
        s.storageClassName ?? '',
        (s.volumeAttributesClassName as string) || '<unset>',
        age(pvc.metadata.creationTimestamp, now),
        s.volumeMode ?? '',
      ];
    },
  },
});
