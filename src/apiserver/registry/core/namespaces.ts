// namespaces (ns): phase Active, the `kubernetes` finalizer, the metadata.name label, and
// deletion that waits for the namespace controller to empty it.
import { isRecord, type KubeObject } from '../../../api/types.js';
import { defineResource, ensureObject } from '../define.js';
import { dns1123Label } from '../meta-validation.js';
import { age, ageColumn, col, nameColumn } from '../table.js';

type Obj = Record<string, unknown>;
const finalizers = (ns: KubeObject) => ((isRecord(ns.spec) ? ns.spec.finalizers : undefined) as string[] | undefined) ?? [];

export const namespaces = defineResource({
  group: '',
  version: 'v1',
  resource: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
  shortNames: ['ns'],
  definition: 'io.k8s.api.core.v1.Namespace',
  status: true,
  returnDeletedObject: true,
  nameValidator: dns1123Label,
  defaults(ns) {
    ns.metadata.labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name ?? '' };
  },
  prepareForCreate(ns) {
    const spec = ensureObject<Obj>(ns, 'spec');
    const f = new Set(finalizers(ns));
    f.add('kubernetes');
    spec.finalizers = [...f];
    ns.status = { phase: 'Active' };
  },
  prepareForUpdate(ns, old) {
    // spec.finalizers change only through the finalize subresource
    if (!ns.metadata.deletionTimestamp || finalizers(ns).length > finalizers(old).length) ensureObject<Obj>(ns, 'spec').finalizers = finalizers(old);
  },
  deletionHeld: (ns) => finalizers(ns).length > 0,
  beginDeletion(ns) {
    ns.status = { ...(isRecord(ns.status) ? ns.status : {}), phase: 'Terminating' };
  },
  table: {
    columns: [nameColumn, col('Status', 'The phase of the namespace: Active or Terminating.'), ageColumn],
    cells: (ns, now) => [ns.metadata.name, (isRecord(ns.status) && ns.status.phase) || 'Active', age(ns.metadata.creationTimestamp, now)],
  },
  fieldSelectors: { 'status.phase': (ns) => (isRecord(ns.status) ? (ns.status.phase as string) : '') },
});
