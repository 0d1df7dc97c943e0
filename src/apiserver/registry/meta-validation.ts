// ObjectMeta validation (upstream's ValidateObjectMeta / ValidateObjectMetaUpdate): names,
// labels, annotations, finalizers, ownerReferences, and what an update may not change.
import type { KubeObject } from '../../api/types.js';
import {
  fieldErrors,
  forbidden,
  invalidValue,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  required,
  tooLong,
  type FieldError,
} from './validation.js';

export type NameValidator = (name: string) => string[];

/** upstream's TotalAnnotationSizeLimitB */
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

export function validateObjectMeta(obj: KubeObject, opts: { namespaced: boolean; nameValidator?: NameValidator }): FieldError[] {
  const m = obj.metadata;
  const errs: FieldError[] = [];
  const validName = opts.nameValidator ?? isDNS1123Subdomain;
  if (!m.name) {
    if (!m.generateName) errs.push(required('metadata.name', 'name or generateName is required'));
  } else errs.push(...fieldErrors('metadata.name', m.name, validName(m.name)));
  if (m.generateName && !m.name) {
    // generateName is checked with a valid suffix appended, as upstream does
    const msgs = validName(m.generateName.replace(/-$/, '') + 'x').filter((s) => !s.includes('no more than'));
    errs.push(...fieldErrors('metadata.generateName', m.generateName, msgs));
  }
  if (opts.namespaced) {
    if (!m.namespace) errs.push(required('metadata.namespace'));
    else errs.push(...fieldErrors('metadata.namespace', m.namespace, isDNS1123Label(m.namespace)));
  } else if (m.namespace) errs.push(forbidden('metadata.namespace', 'not allowed on this type'));
  for (const [k, v] of Object.entries(m.labels ?? {})) {
    errs.push(...fieldErrors('metadata.labels', k, isQualifiedName(k)));
    errs.push(...fieldErrors(`metadata.labels`, v, isValidLabelValue(String(v))));
  }
  let size = 0;
  for (const [k, v] of Object.entries(m.annotations ?? {})) {
    errs.push(...fieldErrors('metadata.annotations', k, isQualifiedName(k.toLowerCase())));
    size += k.length + String(v).length;
  }
  if (size > ANNOTATIONS_MAX_BYTES) errs.push(tooLong('metadata.annotations', ANNOTATIONS_MAX_BYTES));
  (m.finalizers ?? []).forEach((f, i) => {
    const msgs = isQualifiedName(f);
    errs.push(...fieldErrors(`metadata.finalizers[${i}]`, f, msgs));
  });
  (m.ownerReferences ?? []).forEach((r, i) => {
    const p = `metadata.ownerReferences[${i}]`;
    if (!r.apiVersion) errs.push(invalidValue(`${p}.apiVersion`, r.apiVersion ?? '', 'version must not be empty'));
    if (!r.kind) errs.push(invalidValue(`${p}.kind`, r.kind ?? '', 'kind must not be empty'));
    if (!r.name) errs.push(invalidValue(`${p}.name`, r.name ?? '', 'name must not be empty'));
    if (!r.uid) errs.push(invalidValue(`${p}.uid`, r.uid ?? '', 'uid must not be empty'));
  });
  if ((m.ownerReferences ?? []).filter((r) => r.controller).length > 1) {
    errs.push(invalidValue('metadata.ownerReferences', m.ownerReferences, 'Only one reference can have Controller set to true'));
  }
  return errs;
}

export function validateObjectMetaUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const m = obj.metadata;
  const o = old.metadata;
  if (m.name !== o.name) errs.push(invalidValue('metadata.name', m.name, 'field is immutable'));
  if ((m.namespace ?? '') !== (o.namespace ?? '')) errs.push(invalidValue('metadata.namespace', m.namespace, 'field is immutable'));
  return errs;
}

export const dns1123Label: NameValidator = isDNS1123Label;
export const dns1035Label: NameValidator = isDNS1035Label;
