// persistentvolumeclaims (pvc): volume mode default, phase Pending, required fields, and
// upstream's table (capacity and access modes only once bound).
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { defineResource, ensureObject, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { forbidden, required, type FieldError } from '../validation.js';
import { tryParseQuantity } from '../../../api/quantity.js';
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

/** Quantities compared by value, so that 1Gi and 1024Mi are the same request. */
function normalized(spec: Obj): string {
  const res = isRecord(spec.resources) ? spec.resources : {};
  const norm = (list: unknown) =>
    isRecord(list)
      ? Object.fromEntries(
          Object.entries(list)
            .map(([k, v]) => [k, tryParseQuantity(String(v))?.nanos.toString() ?? String(v)])
            .sort(),
        )
      : undefined;
  const { volumeAttributesClassName: _vac, ...rest } = spec;
  return JSON.stringify({ ...rest, resources: { limits: norm(res.limits), requests: norm(res.requests) } });
}

/**
 * upstream's ValidatePersistentVolumeClaimUpdate: the spec is fixed once created, except that
 * the binder may set volumeName on an unbound claim, and a bound claim's requests (expansion)
 * and volumeAttributesClassName may change.
 */
function validateUpdate(pvc: KubeObject, old: KubeObject): FieldError[] {
  const next = { ...spec(pvc) };
  const prev = { ...spec(old) };
  if (!str(prev.volumeName)) prev.volumeName = next.volumeName;
  // upstream asks the claim's phase (the main resource keeps the stored status), not volumeName
  const bound = status(old).phase === 'Bound';
  if (bound) {
    const requests = isRecord(next.resources) ? next.resources.requests : undefined;
    prev.resources = { ...(isRecord(prev.resources) ? prev.resources : {}), requests };
    prev.volumeAttributesClassName = next.volumeAttributesClassName;
  }
  const errs: FieldError[] = [];
  if (
    normalized(next) !== normalized(prev) ||
    next.volumeAttributesClassName !== prev.volumeAttributesClassName
  )
    errs.push(
      forbidden(
        'spec',
        'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
      ),
    );
  // Volumes only grow. Upstream's RecoverVolumeExpansionFailure gate (alpha, off in v1.31) would
  // allow going back down to just above status.capacity ("field can not be less than
  // status.capacity"); with the gate off the floor is the previous request.
  const was = storageRequest(old);
  const now = storageRequest(pvc);
  if (was !== undefined && now !== undefined && now < was)
    errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  return errs;
}

/** spec.resources.requests.storage in nano-units, when it parses. */
export function storageRequest(pvc: KubeObject): bigint | undefined {
  const s = spec(pvc);
  const requests = isRecord(s.resources) && isRecord(s.resources.requests) ? s.resources.requests : {};
  return requests.storage === undefined ? undefined : tryParseQuantity(String(requests.storage))?.nanos;
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
  prepareForUpdate(pvc, old) {
    // upstream's dropDisabledFields: with RecoverVolumeExpansionFailure off (v1.31's default)
    // the status keeps allocatedResources and allocatedResourceStatuses only if already in use
    if (!isRecord(pvc.status)) return;
    const st = pvc.status;
    const before = status(old);
    if (before.allocatedResources === undefined && before.allocatedResourceStatuses === undefined) {
      delete st.allocatedResources;
      delete st.allocatedResourceStatuses;
    }
  },
  validate,
  validateUpdate,
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
