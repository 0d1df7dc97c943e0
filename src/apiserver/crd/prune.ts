// Pruning and defaulting of custom resources by their structural schema (upstream's
// apiextensions-apiserver/pkg/apiserver/schema/{pruning,defaulting}). Pruning drops fields the
// schema does not specify (except under x-kubernetes-preserve-unknown-fields) and returns their
// paths, which the request reports as `unknown field "spec.foo"` warnings or errors.
// apiVersion, kind and metadata are kept at the root and in embedded resources.
import { isRecord } from '../../api/types.js';
import type { JSONSchemaProps } from './types.js';

export function prune(obj: Record<string, unknown>, schema: JSONSchemaProps): string[] {
  const pruned: string[] = [];
  pruneObject(obj, schema, '', true, pruned);
  return pruned;
}

/** Prunes a value below the root (a default value, an item, a field) in place. */
export function pruneValue(v: unknown, s: JSONSchemaProps | undefined, path: string, out: string[]): void {
  if (!s || s['x-kubernetes-int-or-string']) return;
  if (Array.isArray(v)) {
    if (s.items) v.forEach((item, i) => pruneValue(item, s.items, `${path}[${i}]`, out));
    return;
  }
  if (isRecord(v)) pruneObject(v, s, path, s['x-kubernetes-embedded-resource'] === true, out);
}

function pruneObject(
  v: Record<string, unknown>,
  s: JSONSchemaProps,
  path: string,
  keepTypeMeta: boolean,
  out: string[],
): void {
  const additional = isRecord(s.additionalProperties)
    ? (s.additionalProperties as JSONSchemaProps)
    : undefined;
  for (const key of Object.keys(v)) {
    const child = path ? `${path}.${key}` : key;
    if (keepTypeMeta && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) {
      const p = s.properties?.[key];
      if (key !== 'metadata' && p) pruneValue(v[key], p, child, out);
      continue;
    }
    const prop = s.properties?.[key] ?? additional;
    if (prop) {
      pruneValue(v[key], prop, child, out);
      continue;
    }
    if (s['x-kubernetes-preserve-unknown-fields'] || s.additionalProperties === true) continue;
    out.push(child);
    delete v[key];
  }
}

/** Applies the schema's defaults in place (missing fields, and nulls of non-nullable fields). */
export function applyDefaults(v: unknown, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (Array.isArray(v)) {
    if (s.items) for (const item of v) applyDefaults(item, s.items);
    return;
  }
  if (!isRecord(v)) return;
  for (const [key, prop] of Object.entries(s.properties ?? {})) {
    const missing = !(key in v) || (v[key] === null && !prop.nullable);
    if (missing && prop.default !== undefined) v[key] = structuredClone(prop.default);
    if (key in v) applyDefaults(v[key], prop);
  }
  if (isRecord(s.additionalProperties)) {
    const values = s.additionalProperties as JSONSchemaProps;
    for (const key of Object.keys(v)) if (!s.properties?.[key]) applyDefaults(v[key], values);
  }
}
