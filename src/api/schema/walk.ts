// Schema-driven decode checks: what a Go decode of the body into upstream's structs would
// notice. Unknown fields are reported (dotted paths as upstream's strict decoder prints them)
// and removed; JSON type mismatches are reported with the Go decoder's wording; nulls are
// dropped (omitempty). Fields under preserve-unknown-fields or in maps are never unknown.
import { isRecord } from '../types.js';
import type { Definitions, PropSchema } from './dsl.js';

export interface DecodeCheck {
  unknownFields: string[];
  typeErrors: string[];
}

function resolve(node: PropSchema | undefined, defs: Definitions): PropSchema | undefined {
  let n = node;
  for (let i = 0; n?.$ref && i < 8; i++) n = defs[n.$ref];
  return n;
}

function goType(n: PropSchema): string {
  if (n.format === 'int32') return 'int32';
  if (n.format === 'int64') return 'int64';
  if (n.type === 'integer') return 'int';
  if (n.type === 'number') return 'float64';
  if (n.type === 'boolean') return 'bool';
  if (n.type === 'array') return '[]';
  if (n.type === 'object') return n.additionalProperties ? 'map[string]' : 'struct';
  return 'string';
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

export function checkAndNormalize(obj: unknown, definitionName: string, defs: Definitions): DecodeCheck {
  const out: DecodeCheck = { unknownFields: [], typeErrors: [] };
  if (!defs[definitionName]) return out;
  walk(obj, { $ref: definitionName }, '', defs, out, definitionName.split('.').pop()!);
  return out;
}

function walk(v: unknown, node: PropSchema, path: string, defs: Definitions, out: DecodeCheck, structName: string): void {
  const n = resolve(node, defs);
  if (!n || n['x-kubernetes-preserve-unknown-fields'] || n['x-kubernetes-embedded-resource']) return;
  const intOrString = n['x-kubernetes-int-or-string'] || n.format === 'int-or-string';
  if (intOrString) {
    if (typeof v !== 'number' && typeof v !== 'string') out.typeErrors.push(typeError(v, 'intstr.IntOrString', path, structName));
    return;
  }
  if (n.type === 'string') {
    if (typeof v !== 'string') out.typeErrors.push(typeError(v, 'string', path, structName));
    return;
  }
  if (n.type === 'integer' || n.type === 'number') {
    if (typeof v !== 'number' || (n.type === 'integer' && !Number.isInteger(v))) out.typeErrors.push(typeError(v, goType(n), path, structName));
    return;
  }
  if (n.type === 'boolean') {
    if (typeof v !== 'boolean') out.typeErrors.push(typeError(v, 'bool', path, structName));
    return;
  }
  if (n.type === 'array') {
    if (!Array.isArray(v)) {
      out.typeErrors.push(typeError(v, `[]${n.items ? goTypeName(n.items, defs) : 'interface {}'}`, path, structName));
      return;
    }
    v.forEach((item, i) => item !== null && n.items && walk(item, n.items, `${path}[${i}]`, defs, out, structName));
    return;
  }
  // objects: maps (additionalProperties) or structs (properties)
  if (!isRecord(v)) {
    if (n.properties || n.additionalProperties) out.typeErrors.push(typeError(v, n.additionalProperties ? 'map[string]' : goTypeName(node, defs), path, structName));
    return;
  }
  if (n.additionalProperties && !n.properties) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null && n.additionalProperties.type !== 'string') continue;
      if (x !== null) walk(x, n.additionalProperties, path ? `${path}.${k}` : k, defs, out, structName);
    }
    return;
  }
  if (!n.properties) return;
  const name = node.$ref ? node.$ref.split('.').pop()! : structName;
  for (const [k, x] of Object.entries(v)) {
    const p = path ? `${path}.${k}` : k;
    const prop = n.properties[k];
    if (!prop) {
      out.unknownFields.push(p);
      delete v[k];
      continue;
    }
    if (x === null) {
      delete v[k];
      continue;
    }
    walk(x, prop, p, defs, out, name);
  }
}

function goTypeName(node: PropSchema, defs: Definitions): string {
  if (node.$ref) {
    const parts = node.$ref.split('.');
    return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
  }
  const n = resolve(node, defs);
  return n ? goType(n) : 'interface {}';
}

/** The Go decoder's message, e.g. `json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type int32`. */
function typeError(v: unknown, want: string, path: string, structName: string): string {
  return `json: cannot unmarshal ${jsonKind(v)} into Go struct field ${structName}.${path} of type ${want}`;
}
