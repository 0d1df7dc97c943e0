// persistentvolumes (pv): reclaim policy and volume mode defaults, phase Pending with its
// transition time, required fields, and upstream's table.
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { defineResource, ensureObject, setDefault } from '../define.js';
import { timestampOf } from './time.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { required, type FieldError } from '../validation.js';

type Obj = Record<string, unknown>;
const spec = (o: KubeObject): Obj => (isRecord(o.spec) ? o.spec : {});
const status = (o: KubeObject): Obj => (isRecord(o.status) ? o.status : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const BETA_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';
const SOURCE_FIELDS = [
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'hostPath',
  'glusterfs',
  'nfs',
  'rbd',
  'iscsi',
  'cinder',
  'cephfs',
  'fc',
  'flocker',
  'flexVolume',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'local',
  'storageos',
  'csi',
];

/** RWO,ROX,RWX,RWOP in that fixed order, duplicates dropped (upstream's GetAccessModesAsString). */
export function accessModesText(modes: unknown): string {
  const have = new Set(Array.isArray(modes) ? modes : []);
  const order: [string, string][] = [
    ['ReadWriteOnce', 'RWO'],
    ['ReadOnlyMany', 'ROX'],
    ['ReadWriteMany', 'RWX'],
    ['ReadWriteOncePod', 'RWOP'],
  ];
  return order
    .filter(([m]) => have.has(m))
    .map(([, s]) => s)
    .join(',');
}

/** The storage class: the old beta annotation wins over spec.storageClassName, as upstream reads it. */
export function storageClassOf(o: KubeObject): string {
  return o.metadata.annotations?.[BETA_CLASS_ANNOTATION] ?? str(spec(o).storageClassName);
}

function validate(pv: KubeObject): FieldError[] {
  const s = spec(pv);
  const errs: FieldError[] = [];
  if (!Array.isArray(s.accessModes) || !s.accessModes.length) errs.push(required('spec.accessModes'));
  if (!isRecord(s.capacity) || !Object.keys(s.capacity).length) errs.push(required('spec.capacity'));
  if (!SOURCE_FIELDS.some((k) => s[k] !== undefined && s[k] !== null))
    errs.push(required('spec', 'must specify a volume type'));
  return errs;
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
    if (isRecord(pv.status)) setDefault(pv.status, 'phase', 'Pending');
  },
  prepareForCreate(pv, ctx) {
    pv.status = { phase: 'Pending', lastPhaseTransitionTime: timestampOf(ctx.now) };
  },
  prepareForUpdate(pv, old, ctx) {
    // a new phase (written through status) stamps its transition time
    if (isRecord(pv.status) && pv.status.phase !== status(old).phase)
      pv.status.lastPhaseTransitionTime = timestampOf(ctx.now);
  },
  validate,
  table: {
    columns: [
      nameColumn,
      col('Capacity', 'Storage capacity of the volume.'),
      col('Access Modes', 'How the volume may be mounted: RWO, ROX, RWX, RWOP.'),
      col('Reclaim Policy', 'What happens to the volume once its claim is released.'),
      col('Status', 'The phase of the volume.'),
      col('Claim', 'The claim bound to the volume, as namespace/name.'),
      col('StorageClass', 'Storage class of the volume.'),
      col('VolumeAttributesClass', 'Volume attributes class of the volume.'),
      col('Reason', 'Why the volume is in its phase.'),
      ageColumn,
      col('VolumeMode', 'Filesystem or Block.', 1),
    ],
    cells: (pv, now) => {
      const s = spec(pv);
      const claim = isRecord(s.claimRef) ? `${str(s.claimRef.namespace)}/${str(s.claimRef.name)}` : '';
      const capacity =
        isRecord(s.capacity) && s.capacity.storage !== undefined ? String(s.capacity.storage) : '0';
      return [
        pv.metadata.name,
        capacity,
        accessModesText(s.accessModes),
        str(s.persistentVolumeReclaimPolicy),
        pv.metadata.deletionTimestamp ? 'Terminating' : str(status(pv).phase),
        claim,
        storageClassOf(pv),
        str(s.volumeAttributesClassName) || '<unset>',
        str(status(pv).reason),
        age(pv.metadata.creationTimestamp, now),
        str(s.volumeMode) || '<unset>',
      ];
    },
  },
});
