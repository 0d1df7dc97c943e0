// Structural rules for the logical junctors allOf, anyOf, oneOf and not (upstream's
// apiextensions-apiserver/pkg/apiserver/schema validation and completeness checks). Inside a
// junctor only value validations are allowed: no type, title, description, default, nullable,
// additionalProperties or Kubernetes extensions, no metadata; and every property or items a
// junctor names must also be specified outside of it. The one exception is int-or-string's
// `anyOf: [{type: integer}, {type: string}]` (also as the first allOf's anyOf).
import { forbidden, required, type FieldError } from '../registry/validation.js';
import type { JSONSchemaProps } from './types.js';

const INT_OR_STRING: JSONSchemaProps[] = [{ type: 'integer' }, { type: 'string' }];

function isIntOrStringAnyOf(anyOf: JSONSchemaProps[] | undefined): boolean {
  return JSON.stringify(anyOf) === JSON.stringify(INT_OR_STRING);
}

/** The junctor errors of one structural node `s` at `path` (not of its properties or items). */
export function junctorErrors(s: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const skipAnyOf = isIntOrStringAnyOf(s.anyOf);
  const skipFirstAllOfAnyOf = isIntOrStringAnyOf(s.allOf?.[0]?.anyOf);
  valueValidation(s, path, skipAnyOf, skipFirstAllOfAnyOf, errs);
  completeness(s, s, path, path, errs);
  return errs;
}

function valueValidation(
  v: JSONSchemaProps,
  path: string,
  skipAnyOf: boolean,
  skipFirstAllOfAnyOf: boolean,
  errs: FieldError[],
): void {
  if (!skipAnyOf) list(v.anyOf).forEach((n, i) => nested(n, `${path}.anyOf[${i}]`, false, errs));
  list(v.allOf).forEach((n, i) => nested(n, `${path}.allOf[${i}]`, skipFirstAllOfAnyOf && i === 0, errs));
  list(v.oneOf).forEach((n, i) => nested(n, `${path}.oneOf[${i}]`, false, errs));
  if (isSchema(v.not)) nested(v.not, `${path}.not`, false, errs);
}

const FORBIDDEN_EMPTY = ['type', 'title', 'description'] as const;

function nested(v: JSONSchemaProps, path: string, skipAnyOf: boolean, errs: FieldError[]): void {
  if (!isSchema(v)) return;
  valueValidation(v, path, skipAnyOf, false, errs);
  if (isSchema(v.items)) nested(v.items, `${path}.items`, false, errs);
  for (const [k, p] of Object.entries(v.properties ?? {})) nested(p, `${path}.properties[${k}]`, false, errs);
  const g = v as JSONSchemaProps & { title?: string };
  for (const k of FORBIDDEN_EMPTY)
    if (g[k]) errs.push(forbidden(`${path}.${k}`, 'must be empty to be structural'));
  if (v.additionalProperties !== undefined)
    errs.push(forbidden(`${path}.additionalProperties`, 'must be undefined to be structural'));
  if (v.default !== undefined) errs.push(forbidden(`${path}.default`, 'must be undefined to be structural'));
  if (v.nullable) errs.push(forbidden(`${path}.nullable`, 'must be false to be structural'));
  for (const k of [
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-embedded-resource',
    'x-kubernetes-int-or-string',
  ] as const)
    if (v[k]) errs.push(forbidden(`${path}.${k}`, 'must be false to be structural'));
  if (v['x-kubernetes-list-map-keys']?.length)
    errs.push(forbidden(`${path}.x-kubernetes-list-map-keys`, 'must be empty to be structural'));
  if (v['x-kubernetes-list-type'] !== undefined)
    errs.push(forbidden(`${path}.x-kubernetes-list-type`, 'must be undefined to be structural'));
  if (v.properties && 'metadata' in v.properties)
    errs.push(forbidden(`${path}.properties[metadata]`, 'must not be specified in a nested context'));
}

/**
 * Every property and items a junctor of `v` names exists in the structural node `s`
 * (`sPath`); `vPath` is where the junctor sits, for the message.
 */
function completeness(
  v: JSONSchemaProps,
  s: JSONSchemaProps | undefined,
  sPath: string,
  vPath: string,
  errs: FieldError[],
): void {
  const each = (kind: 'allOf' | 'anyOf' | 'oneOf') =>
    list(v[kind]).forEach((n, i) => nestedCompleteness(n, s, sPath, `${vPath}.${kind}[${i}]`, errs));
  if (isSchema(v.not)) nestedCompleteness(v.not, s, sPath, `${vPath}.not`, errs);
  each('allOf');
  each('anyOf');
  each('oneOf');
}

function nestedCompleteness(
  v: JSONSchemaProps,
  s: JSONSchemaProps | undefined,
  sPath: string,
  vPath: string,
  errs: FieldError[],
): void {
  if (!isSchema(v)) return;
  if (!s) {
    errs.push(required(sPath, `because it is defined in ${vPath}`));
    return;
  }
  completeness(v, s, sPath, vPath, errs);
  if (isSchema(v.items))
    nestedCompleteness(
      v.items,
      isSchema(s.items) ? s.items : undefined,
      `${sPath}.items`,
      `${vPath}.items`,
      errs,
    );
  for (const [k, p] of Object.entries(v.properties ?? {})) {
    const sp = s.properties?.[k];
    if (!sp)
      errs.push(required(`${sPath}.properties[${k}]`, `because it is defined in ${vPath}.properties[${k}]`));
    else nestedCompleteness(p, sp, `${sPath}.properties[${k}]`, `${vPath}.properties[${k}]`, errs);
  }
}

function list(v: unknown): JSONSchemaProps[] {
  return Array.isArray(v) ? (v as JSONSchemaProps[]) : [];
}

function isSchema(v: unknown): v is JSONSchemaProps {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
