// customresourcedefinitions (apiextensions.k8s.io/v1): stored like any resource; the CRD
// manager (../../crd/manager.ts) sets the status conditions and serves the custom resources.
// Deleting a CRD first holds it with the cleanup finalizer until its objects are gone.
import type { KubeObject } from '../../../api/types.js';
import { defineResource } from '../define.js';
import { defaultTable } from '../table.js';
import { CLEANUP_FINALIZER, type CustomResourceDefinition } from '../../crd/types.js';
import { validateCRD, validateCRDUpdate } from './crd-validation.js';
import { setCondition } from '../../crd/conditions.js';

const asCRD = (o: KubeObject) => o as CustomResourceDefinition;

function defaults(obj: KubeObject): void {
  const spec = asCRD(obj).spec;
  if (!spec || typeof spec !== 'object') return;
  const names = spec.names;
  if (names && typeof names === 'object' && typeof names.kind === 'string' && names.kind) {
    names.singular ||= names.kind.toLowerCase();
    names.listKind ||= `${names.kind}List`;
  }
  spec.conversion ??= { strategy: 'None' };
  if (spec.conversion.strategy === undefined) spec.conversion.strategy = 'None';
  // v1 defaults a conversion webhook's service port (as for admission webhooks)
  const svc = spec.conversion.webhook?.clientConfig?.service;
  if (svc && svc.port === undefined) svc.port = 443;
}

function storageVersion(crd: CustomResourceDefinition): string | undefined {
  return (crd.spec?.versions ?? []).find((v) => v.storage)?.name;
}

export const customresourcedefinitions = defineResource({
  group: 'apiextensions.k8s.io',
  version: 'v1',
  resource: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  namespaced: false,
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  definition: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
  status: true,
  generation: true,
  defaults,
  prepareForCreate: (obj) => {
    const crd = asCRD(obj);
    const sv = storageVersion(crd);
    crd.status = { acceptedNames: { plural: '', kind: '' }, storedVersions: sv ? [sv] : [] };
  },
  prepareForUpdate: (obj, old, ctx) => {
    const crd = asCRD(obj);
    if (ctx.subresource === 'status') return;
    // a new storage version joins storedVersions (objects may now be written in it)
    const sv = storageVersion(crd);
    const stored = [...(asCRD(old).status?.storedVersions ?? [])];
    if (sv && !stored.includes(sv)) stored.push(sv);
    crd.status = { ...(crd.status ?? {}), storedVersions: stored };
  },
  validate: (obj) => validateCRD(asCRD(obj)),
  validateUpdate: (obj, old) => validateCRDUpdate(asCRD(obj), asCRD(old)),
  // the first delete is held: the manager removes the objects, then the finalizer
  deletionHeld: (obj) => !obj.metadata.deletionTimestamp,
  beginDeletion: (obj) => {
    const m = obj.metadata;
    if (!(m.finalizers ?? []).includes(CLEANUP_FINALIZER))
      m.finalizers = [...(m.finalizers ?? []), CLEANUP_FINALIZER];
    setCondition(asCRD(obj), {
      type: 'Terminating',
      status: 'True',
      reason: 'InstanceDeletionPending',
      message: 'CustomResourceDefinition marked for deletion; instance deletion pending',
    });
  },
  table: defaultTable,
});
