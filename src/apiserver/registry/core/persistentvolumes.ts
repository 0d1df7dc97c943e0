// persistentvolumes (pv)
import type { KubeObject } from '../../../api/types.js';
import { defineResource, ensureObject, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';

type Obj = Record<string, unknown>;
const spec = (o: KubeObject) => (o.spec ?? {}) as Obj;

export function accessModesText(modes: unknown): string {
  const short: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
  return ((modes as string[] | undefined) ?? []).map((m) => short[m] ?? m).join(',');
}

export const persistentvolumes = defineResource({
  group: '',
  version: 'v1',
  resource: 'persistentvolumes',
  kind: 'PersistentVolume',
  namespaced: false,
  shortNames: ['pv'],
  definition: 'io.k8s.api.core.v1.PersistentVolume',
  status: true,
  defaults(pv) {
    const s = ensureObject<Obj>(pv, 'spec');
    setDefault(s, 'persistentVolumeReclaimPolicy', 'Retain');
    setDefault(s, 'volumeMode', 'Filesystem');
  },
  prepareForCreate(pv) {
    pv.status = { phase: 'Pending' };
  },
  table: {
    columns: [
      nameColumn,
      col('Capacity', 'The storage capacity.'),
      col('Access Modes', 'How the volume can be mounted.'),
      col('Reclaim Policy', 'What happens to the volume when released.'),
      col('Status', 'The phase of the volume.'),
      col('Claim', 'The claim bound to the volume.'),
      col('StorageClass', 'The storage class.'),
      col('VolumeAttributesClass', 'The volume attributes class.'),
      col('Reason', 'Why the volume is in its phase.'),
      ageColumn,
      col('VolumeMode', 'Filesystem or Block.', 1),
    ],
    cells: (pv, now) => {
      const s = spec(pv);
      const claim = s.claimRef as { namespace?: string; name?: string } | undefined;
      const st = (pv.status ?? {}) as { phase?: string; reason?: string };
      return [
        pv.metadata.name,
        ((s.capacity as Obj | undefined)?.storage as string) ?? '',
        accessModesText(s.accessModes),
        s.persistentVolumeReclaimPolicy ?? '',
        st.phase ?? '',
        claim ? `${claim.namespace}/${claim.name}` : '',
        s.storageClassName ?? '',
        (s.volumeAttributesClassName as string) || '<unset>',
        st.reason ?? '',
        age(pv.metadata.creationTimestamp, now),
        s.volumeMode ?? '',
      ];
    },
  },
});
