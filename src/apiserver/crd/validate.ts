// Validation of a custom resource against its version's structural schema, with the texts of
// kube-openapi's validator as apiextensions-apiserver turns them into field errors, e.g.
// `spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`
// or `spec.cronSpec: Invalid value: "x": spec.cronSpec in body should match '^\d+$'`.
// Paths: properties joined by ".", list items as "[i]", map values by ".key" (kube-openapi's).
import { sameJSON } from '../../api/json-value.js';
import { isRecord } from '../../api/types.js';
import { invalidValue, notSupported, required, type FieldError } from '../registry/validation.js';
import { formatError } from './formats.js';
import type { JSONSchemaProps } from './types.js';

/** JSON Schema's name for a value's type, as kube-openapi infers it. */
export function jsonType(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  return 'object';
}

/** Go's %v of a float64 bound. */
const num = (n: number) => String(n);

/**
 * The correlated old value on an update (CRDValidationRatcheting, beta and on by default in
 * v1.31): a node equal to its old value reports no errors, so a tightened schema does not block
 * edits elsewhere in an object. `undefined` means nothing correlates (a create, a field the old
 * object lacks, an item of a list that is not a map-type list).
 */
export interface Correlated {
  old: unknown;
}

export function validateValue(
  v: unknown,
  s: JSONSchemaProps,
  path: string,
  errs: FieldError[],
  prior?: Correlated,
): void {
  if (prior && sameJSON(v, prior.old)) return;
  const name = path;
  const typeInvalid = (typeName: string, actual: string) =>
    errs.push(invalidValue(path, actual, `${name} in body must be of type ${typeName}: "${actual}"`));
  const actual = jsonType(v);
  if (s['x-kubernetes-int-or-string']) {
    if (actual !== 'integer' && actual !== 'string') return void typeInvalid('integer,string', actual);
  } else if (v === null || v === undefined) {
    if (s.type && !s.nullable) typeInvalid(s.type, 'null');
    return;
  } else if (s.type) {
    const ok = s.type === actual || (s.type === 'number' && actual === 'integer');
    if (!ok) return void typeInvalid(s.type, actual);
  }
  if (s.enum && s.enum.length && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v)))
    errs.push(
      notSupported(
        path,
        v,
        s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))),
      ),
    );
  if (typeof v === 'string') validateString(v, s, path, errs);
  if (typeof v === 'number') validateNumber(v, s, path, errs);
  if (Array.isArray(v)) validateArray(v, s, path, errs, prior);
  if (isRecord(v)) validateObject(v, s, path, errs, prior);
  validateJunctors(v, s, path, errs);
}

/**
 * Where kube-openapi's junctor errors land: they carry no field name, so apiextensions reports
 * them at the root of what it validates (`<nil>` for a custom resource).
 */
export const JUNCTOR_FIELD = '<nil>';

function attempt(v: unknown, s: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  validateValue(v, s, path, errs);
  return errs;
}

/**
 * allOf/anyOf/oneOf/not as kube-openapi's schema-props validator applies them: the junctor's
 * message, then the errors of the failing alternative that came closest (kube-openapi picks the
 * one with most passed checks; k8ts picks the one with fewest errors, the first on a tie).
 */
function validateJunctors(v: unknown, s: JSONSchemaProps, path: string, errs: FieldError[]): void {
  const junctor = (detail: string) =>
    errs.push(invalidValue(JUNCTOR_FIELD, '', `${JSON.stringify(path)} ${detail}`));
  const closest = (results: FieldError[][]) =>
    results.reduce<FieldError[] | undefined>(
      (best, r) => (!best || r.length < best.length ? r : best),
      undefined,
    ) ?? [];
  if (Array.isArray(s.anyOf) && s.anyOf.length) {
    const results: FieldError[][] = [];
    for (const alt of s.anyOf) {
      const r = attempt(v, alt, path);
      if (!r.length) {
        results.length = 0;
        break;
      }
      results.push(r);
    }
    if (results.length) {
      junctor('must validate at least one schema (anyOf)');
      errs.push(...closest(results));
    }
  }
  if (Array.isArray(s.oneOf) && s.oneOf.length) {
    const results = s.oneOf.map((alt) => attempt(v, alt, path));
    const valid = results.filter((r) => !r.length).length;
    if (valid !== 1) {
      junctor(
        `must validate one and only one schema (oneOf). ${valid === 0 ? 'Found none valid' : `Found ${valid} valid alternatives`}`,
      );
      if (valid === 0) errs.push(...closest(results));
    }
  }
  if (Array.isArray(s.allOf) && s.allOf.length) {
    const results = s.allOf.map((alt) => attempt(v, alt, path));
    const valid = results.filter((r) => !r.length).length;
    for (const r of results) errs.push(...r);
    if (valid !== s.allOf.length)
      junctor(`must validate all the schemas (allOf)${valid === 0 ? '. None validated' : ''}`);
  }
  if (s.not && typeof s.not === 'object' && !attempt(v, s.not, path).length)
    junctor('must not validate the schema (not)');
}

function validateString(v: string, s: JSONSchemaProps, path: string, errs: FieldError[]): void {
  const length = [...v].length;
  if (s.maxLength !== undefined && length > s.maxLength)
    errs.push({
      type: 'FieldValueTooLong',
      field: path,
      value: v,
      detail: `may not be longer than ${s.maxLength}`,
    });
  if (s.minLength !== undefined && length < s.minLength)
    errs.push(invalidValue(path, v, `${path} in body should be at least ${s.minLength} chars long`));
  if (s.pattern !== undefined) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(s.pattern, 'u');
    } catch {
      re = undefined;
    }
    if (re && !re.test(v)) errs.push(invalidValue(path, v, `${path} in body should match '${s.pattern}'`));
  }
  if (s.format) {
    const bad = formatError(s.format, v);
    if (bad) errs.push(invalidValue(path, v, `${path} in body must be of type ${s.format}: "${v}"`));
  }
}

function validateNumber(v: number, s: JSONSchemaProps, path: string, errs: FieldError[]): void {
  if (s.maximum !== undefined) {
    if (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)
      errs.push(
        invalidValue(
          path,
          v,
          `${path} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${num(s.maximum)}`,
        ),
      );
  }
  if (s.minimum !== undefined) {
    if (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)
      errs.push(
        invalidValue(
          path,
          v,
          `${path} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${num(s.minimum)}`,
        ),
      );
  }
  if (s.multipleOf !== undefined && s.multipleOf !== 0) {
    const q = v / s.multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9)
      errs.push(invalidValue(path, v, `${path} in body should be a multiple of ${num(s.multipleOf)}`));
  }
}

function validateArray(
  v: unknown[],
  s: JSONSchemaProps,
  path: string,
  errs: FieldError[],
  prior: Correlated | undefined,
): void {
  if (s.maxItems !== undefined && v.length > s.maxItems)
    errs.push({
      type: 'FieldValueTooMany',
      field: path,
      value: v.length,
      detail: `must have at most ${s.maxItems} items`,
    });
  if (s.minItems !== undefined && v.length < s.minItems)
    errs.push(invalidValue(path, v.length, `${path} in body should have at least ${s.minItems} items`));
  const oldItem = correlateItems(s, prior);
  if (s.items) v.forEach((item, i) => validateValue(item, s.items!, `${path}[${i}]`, errs, oldItem(item)));
}

function validateObject(
  v: Record<string, unknown>,
  s: JSONSchemaProps,
  path: string,
  errs: FieldError[],
  prior: Correlated | undefined,
): void {
  const child = (k: string) => (path ? `${path}.${k}` : k);
  const old = prior && isRecord(prior.old) ? prior.old : undefined;
  // as upstream, apiVersion and kind of the root cannot ratchet (both sides are converted)
  const oldChild = (k: string): Correlated | undefined =>
    old && Object.hasOwn(old, k) && !(path === '' && (k === 'apiVersion' || k === 'kind'))
      ? { old: old[k] }
      : undefined;
  for (const r of s.required ?? []) if (!(r in v)) errs.push(required(child(r), ''));
  const count = Object.keys(v).length;
  if (s.maxProperties !== undefined && count > s.maxProperties)
    errs.push({
      type: 'FieldValueTooMany',
      field: path,
      value: count,
      detail: `must have at most ${s.maxProperties} items`,
    });
  if (s.minProperties !== undefined && count < s.minProperties)
    errs.push(
      invalidValue(path, count, `${path} in body should have at least ${s.minProperties} properties`),
    );
  if (s['x-kubernetes-embedded-resource']) {
    for (const k of ['apiVersion', 'kind'])
      if (typeof v[k] !== 'string' || v[k] === '') errs.push(required(child(k), 'must not be empty'));
  }
  for (const [k, value] of Object.entries(v)) {
    const prop = s.properties?.[k];
    if (prop) validateValue(value, prop, child(k), errs, oldChild(k));
    else if (s.additionalProperties && typeof s.additionalProperties === 'object')
      validateValue(value, s.additionalProperties, child(k), errs, oldChild(k));
  }
}

/** Old items correlate by the keys of a map-type list only (upstream's CorrelatedObject.Index). */
export function correlateItems(
  s: JSONSchemaProps,
  prior: Correlated | undefined,
): (item: unknown) => Correlated | undefined {
  const keys = s['x-kubernetes-list-map-keys'];
  const old = prior?.old;
  if (!Array.isArray(old) || s['x-kubernetes-list-type'] !== 'map' || !keys?.length) return () => undefined;
  const keyOf = (item: unknown) =>
    isRecord(item) ? JSON.stringify(keys.map((k) => item[k] ?? null)) : undefined;
  const byKey = new Map(old.map((o) => [keyOf(o), o]));
  return (item) => {
    const k = keyOf(item);
    return byKey.has(k) ? { old: byKey.get(k) } : undefined;
  };
}
