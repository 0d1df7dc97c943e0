// ObjectMeta validation (upstream's ValidateObjectMeta / ValidateObjectMetaUpdate, with the extra
// finalizer-name rule of the built-in types): names, labels, annotations, finalizers,
// ownerReferences, and what an update may not change. Paths and texts are upstream's.
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
/** Finalizer names without a domain prefix that built-in types accept. */
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);
/** Kinds that may not own anything (upstream's BannedOwners). */
const BANNED_OWNERS = new Set(['/v1, Kind=Event']);

/**
 * A generateName is checked as a name whose random suffix is still to come: a trailing dash
 * is masked as upstream's maskTrailingDash does (it also drops the character before the dash).
 */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? name.slice(0, -2) + 'a' : name;
}

export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...fieldErrors(path, k, isQualifiedName(k)));
    errs.push(...fieldErrors(path, v, isValidLabelValue(String(v))));
  }
  return errs;
}

export function validateAnnotations(
  annotations: Record<string, string> | undefined,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    // keys are qualified names in any letter case
    errs.push(...fieldErrors(path, k, isQualifiedName(k.toLowerCase())));
    size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (size > ANNOTATIONS_MAX_BYTES) errs.push(tooLong(path, ANNOTATIONS_MAX_BYTES));
  return errs;
}

function validateFinalizers(finalizers: string[], path: string, kubeNames: boolean): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers) errs.push(...fieldErrors(path, f, isQualifiedName(f)));
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion'))
    errs.push(invalidValue(path, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  finalizers.forEach((f, i) => {
    if (kubeNames && !f.includes('/') && !STANDARD_FINALIZERS.has(f))
      errs.push(
        invalidValue(
          `${path}[${i}]`,
          f,
          'name is neither a standard finalizer name nor is it fully qualified',
        ),
      );
  });
  return errs;
}

/** Version part of an apiVersion ("" when malformed), as schema.ParseGroupVersion reads it. */
function versionOf(apiVersion: string): string {
  const parts = apiVersion.split('/');
  if (parts.length === 1) return parts[0];
  if (parts.length === 2) return parts[1];
  return '';
}

function validateOwnerReferences(refs: NonNullable<KubeObject['metadata']['ownerReferences']>, path: string) {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const r of refs) {
    // upstream reports these on the list's path, not on an indexed element
    const version = versionOf(r.apiVersion ?? '');
    if (!version)
      errs.push(invalidValue(`${path}.apiVersion`, r.apiVersion ?? '', 'version must not be empty'));
    if (!r.kind) errs.push(invalidValue(`${path}.kind`, r.kind ?? '', 'kind must not be empty'));
    if (!r.name) errs.push(invalidValue(`${path}.name`, r.name ?? '', 'name must not be empty'));
    if (!r.uid) errs.push(invalidValue(`${path}.uid`, r.uid ?? '', 'uid must not be empty'));
    const apiVersion = r.apiVersion ?? '';
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    const gvk = `${group}/${version}, Kind=${r.kind ?? ''}`;
    if (BANNED_OWNERS.has(gvk)) errs.push(invalidValue(path, r, `${gvk} is disallowed from being an owner`));
    if (r.controller) {
      const current = `${r.kind}/${r.name}`;
      if (firstController)
        errs.push(
          invalidValue(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      else firstController = current;
    }
  }
  return errs;
}

/** Everything but names: shared by create and update. */
function validateMetaContent(obj: KubeObject): FieldError[] {
  const m = obj.metadata;
  const errs: FieldError[] = [];
  if (typeof m.generation === 'number' && m.generation < 0)
    errs.push(invalidValue('metadata.generation', m.generation, 'must be greater than or equal to 0'));
  errs.push(...validateLabels(m.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(m.annotations, 'metadata.annotations'));
  errs.push(...validateOwnerReferences(m.ownerReferences ?? [], 'metadata.ownerReferences'));
  errs.push(...validateFinalizers(m.finalizers ?? [], 'metadata.finalizers', !servedByApiextensions(obj)));
  return errs;
}

/**
 * CRDs and custom resources are served by upstream's apiextensions-apiserver, whose generic
 * ObjectMeta validation lacks the core types' finalizer-name rule. Built-in groups have no dot
 * or end in .k8s.io; apiextensions.k8s.io is the CRDs' own.
 */
function servedByApiextensions(obj: KubeObject): boolean {
  const apiVersion = obj.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return group === 'apiextensions.k8s.io' || (group.includes('.') && !group.endsWith('.k8s.io'));
}

export function validateObjectMeta(
  obj: KubeObject,
  opts: { namespaced: boolean; nameValidator?: NameValidator },
): FieldError[] {
  const m = obj.metadata;
  const errs: FieldError[] = [];
  const validName = opts.nameValidator ?? isDNS1123Subdomain;
  if (m.generateName)
    errs.push(
      ...fieldErrors('metadata.generateName', m.generateName, validName(maskTrailingDash(m.generateName))),
    );
  if (!m.name) errs.push(required('metadata.name', 'name or generateName is required'));
  else errs.push(...fieldErrors('metadata.name', m.name, validName(m.name)));
  if (opts.namespaced) {
    if (!m.namespace) errs.push(required('metadata.namespace'));
    else errs.push(...fieldErrors('metadata.namespace', m.namespace, isDNS1123Label(m.namespace)));
  } else if (m.namespace) errs.push(forbidden('metadata.namespace', 'not allowed on this type'));
  errs.push(...validateMetaContent(obj));
  return errs;
}

function immutable(field: string, now: unknown, before: unknown): FieldError[] {
  return JSON.stringify(now ?? null) === JSON.stringify(before ?? null)
    ? []
    : [invalidValue(field, now ?? '', 'field is immutable')];
}

export function validateObjectMetaUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const m = obj.metadata;
  const o = old.metadata;
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const before = new Set(o.finalizers ?? []);
    const extra = [...new Set(m.finalizers ?? [])].filter((f) => !before.has(f)).sort();
    if (extra.length)
      errs.push(
        forbidden(
          'metadata.finalizers',
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(', ')}}`,
        ),
      );
  }
  if ((m.generation ?? 0) < (o.generation ?? 0))
    errs.push(invalidValue('metadata.generation', m.generation ?? 0, 'must not be decremented'));
  errs.push(...immutable('metadata.name', m.name, o.name));
  errs.push(...immutable('metadata.namespace', m.namespace, o.namespace));
  errs.push(...immutable('metadata.uid', m.uid, o.uid));
  errs.push(...immutable('metadata.creationTimestamp', m.creationTimestamp, o.creationTimestamp));
  errs.push(...immutable('metadata.deletionTimestamp', m.deletionTimestamp, o.deletionTimestamp));
  errs.push(
    ...immutable(
      'metadata.deletionGracePeriodSeconds',
      m.deletionGracePeriodSeconds,
      o.deletionGracePeriodSeconds,
    ),
  );
  // labels, annotations etc. are checked by validateObjectMeta, which the store runs on updates too
  return errs;
}

export const dns1123Label: NameValidator = isDNS1123Label;
export const dns1035Label: NameValidator = isDNS1035Label;
