// namespaces (ns): phase Active, the `kubernetes` finalizer, the kubernetes.io/metadata.name
// label (always equal to the name), and deletion that waits for the namespace controller.
import { isRecord, type KubeObject } from '../../../api/types.js';
import { defineResource, ensureObject } from '../define.js';
import { dns1123Label } from '../meta-validation.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { fieldErrors, invalidValue, isQualifiedName, type FieldError } from '../validation.js';

type Obj = Record<string, unknown>;
const NAME_LABEL = 'kubernetes.io/metadata.name';

const finalizers = (ns: KubeObject): string[] =>
  isRecord(ns.spec) && Array.isArray(ns.spec.finalizers) ? (ns.spec.finalizers as string[]) : [];
const phase = (ns: KubeObject): string =>
  isRecord(ns.status) && typeof ns.status.phase === 'string' ? ns.status.phase : '';

/** The name label is the name, whatever a client sent (upstream's defaulting and Canonicalize). */
function labelWithName(ns: KubeObject): void {
  if (ns.metadata.name) ns.metadata.labels = { ...ns.metadata.labels, [NAME_LABEL]: ns.metadata.name };
}

function validateSpecFinalizers(ns: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers(ns)) {
    errs.push(...fieldErrors('spec.finalizers', f, isQualifiedName(f)));
    if (!f.includes('/') && f !== 'kubernetes')
      errs.push(
        invalidValue(
          'spec.finalizers',
          f,
          'name is neither a standard finalizer name nor is it fully qualified',
        ),
      );
  }
  return errs;
}

export const namespaces = defineResource({
  group: '',
  version: 'v1',
  resource: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
  shortNames: ['ns'],
  // upstream's namespace storage has no deletecollection
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  definition: 'io.k8s.api.core.v1.Namespace',
  status: true,
  returnDeletedObject: true,
  nameValidator: dns1123Label,
  defaults(ns) {
    labelWithName(ns);
    if (isRecord(ns.status) && !ns.status.phase) ns.status.phase = 'Active';
  },
  prepareForCreate(ns) {
    const spec = ensureObject<Obj>(ns, 'spec');
    if (!finalizers(ns).includes('kubernetes')) spec.finalizers = [...finalizers(ns), 'kubernetes'];
    ns.status = { phase: 'Active' };
    labelWithName(ns);
  },
  prepareForUpdate(ns, old) {
    // spec.finalizers change only through the finalize subresource, which reaches this store as
    // a plain update: a deleting namespace may drop finalizers, never gain them
    if (!ns.metadata.deletionTimestamp || finalizers(ns).some((f) => !finalizers(old).includes(f)))
      ensureObject<Obj>(ns, 'spec').finalizers = finalizers(old);
    labelWithName(ns);
  },
  validate: validateSpecFinalizers,
  deletionHeld: (ns) => finalizers(ns).length > 0,
  beginDeletion(ns) {
    ns.status = { ...(isRecord(ns.status) ? ns.status : {}), phase: 'Terminating' };
  },
  table: {
    columns: [nameColumn, col('Status', 'Whether the namespace is Active or Terminating.'), ageColumn],
    cells: (ns, now) => [ns.metadata.name, phase(ns), age(ns.metadata.creationTimestamp, now)],
  },
  fieldSelectors: { 'status.phase': phase },
});
