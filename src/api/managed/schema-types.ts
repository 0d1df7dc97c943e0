// How server-side apply sees a schema node: a scalar, a struct, a map, or a list that is
// atomic, a set, or keyed by its list-map-keys — the shapes structured-merge-diff works on,
// derived from our OpenAPI-shaped definitions the way kube-openapi's schemaconv derives them.
import { isRecord } from '../types.js';
import type { Definitions, PropSchema } from '../schema/dsl.js';
import { fieldPE, indexPE, keyPE, valuePE, type PathElement } from './fieldset.js';

export type NodeType =
  | { kind: 'scalar' }
  | { kind: 'struct'; fields: Record<string, PropSchema>; atomic: boolean; schema: PropSchema }
  | { kind: 'map'; element: PropSchema | undefined; atomic: boolean }
  | { kind: 'list'; element: PropSchema | undefined; relation: 'atomic' | 'set' | 'map'; keys: string[] }
  | { kind: 'untyped' };

/**
 * Structs upstream marks `+structType=atomic` (owned and replaced whole). Our generated
 * definitions do not carry x-kubernetes-map-type yet; a definition that does is honoured too.
 */
const ATOMIC_STRUCTS = new Set([
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
  'io.k8s.api.core.v1.NodeSelector',
  'io.k8s.api.core.v1.NodeSelectorTerm',
  'io.k8s.api.core.v1.ObjectReference',
  'io.k8s.api.core.v1.LocalObjectReference',
  'io.k8s.api.core.v1.TypedLocalObjectReference',
  'io.k8s.api.core.v1.ConfigMapKeySelector',
  'io.k8s.api.core.v1.SecretKeySelector',
  'io.k8s.api.core.v1.ObjectFieldSelector',
  'io.k8s.api.core.v1.ResourceFieldSelector',
  'io.k8s.api.core.v1.SecretReference',
]);

/** Follows $ref chains; extensions written on the referring property win over the target's. */
export function resolveSchema(node: PropSchema | undefined, defs: Definitions): PropSchema | undefined {
  let n = node;
  let atomicByName = false;
  const ext: PropSchema = {};
  for (let i = 0; n?.$ref && i < 16; i++) {
    if (ATOMIC_STRUCTS.has(n.$ref)) atomicByName = true;
    for (const k of ['x-kubernetes-map-type', 'x-kubernetes-list-type'] as const)
      if (n[k] && !ext[k]) Object.assign(ext, { [k]: n[k] });
    n = defs[n.$ref];
  }
  if (!n) return undefined;
  const out: PropSchema = { ...n, ...ext };
  if (atomicByName && !out['x-kubernetes-map-type']) out['x-kubernetes-map-type'] = 'atomic';
  return out;
}

export function typeOf(node: PropSchema | undefined, defs: Definitions): NodeType {
  const n = resolveSchema(node, defs);
  if (!n) return { kind: 'untyped' };
  if (n.type === 'array') {
    const listType = n['x-kubernetes-list-type'];
    const strategy = n['x-kubernetes-patch-strategy'] ?? '';
    const mergeKey = n['x-kubernetes-patch-merge-key'];
    if (listType === 'map') return list(n, 'map', n['x-kubernetes-list-map-keys'] ?? []);
    if (listType === 'set') return list(n, 'set', []);
    if (listType === 'atomic') return list(n, 'atomic', []);
    // no list-type: schemaconv falls back to the strategic-merge-patch hints
    if (strategy.split(',').includes('merge'))
      return mergeKey ? list(n, 'map', [mergeKey]) : list(n, 'set', []);
    return list(n, 'atomic', []);
  }
  const atomic = n['x-kubernetes-map-type'] === 'atomic';
  if (n.properties && Object.keys(n.properties).length)
    return { kind: 'struct', fields: n.properties, atomic, schema: n };
  if (n.additionalProperties) return { kind: 'map', element: n.additionalProperties, atomic };
  if (n.type === 'object') return atomic ? { kind: 'map', element: undefined, atomic } : { kind: 'untyped' };
  return { kind: 'scalar' };
}

function list(n: PropSchema, relation: 'atomic' | 'set' | 'map', keys: string[]): NodeType {
  return { kind: 'list', element: n.items, relation, keys };
}

/**
 * The type a value is walked with: untyped (schema-less) values are deduced as upstream does —
 * objects are granular maps of untyped values, arrays are atomic.
 */
export function effectiveType(t: NodeType, value: unknown): NodeType {
  if (t.kind !== 'untyped') return t;
  if (isRecord(value)) return { kind: 'map', element: undefined, atomic: false };
  if (Array.isArray(value)) return { kind: 'list', element: undefined, relation: 'atomic', keys: [] };
  return { kind: 'scalar' };
}

/** Schema of a struct field or map value. */
export function childSchema(t: NodeType, name: string): PropSchema | undefined {
  if (t.kind === 'struct') return t.fields[name] ?? t.schema.additionalProperties;
  if (t.kind === 'map') return t.element;
  return undefined;
}

export function isNamedField(t: NodeType, name: string): boolean {
  return t.kind === 'struct' && name in t.fields;
}

/** The path element naming one item of a non-atomic list. */
export function itemPE(t: NodeType, item: unknown, index: number, defs: Definitions): PathElement {
  if (t.kind !== 'list') return indexPE(index);
  if (t.relation === 'set') return valuePE(item);
  if (t.relation === 'map' && t.keys.length) {
    const key: Record<string, unknown> = {};
    const itemSchema = resolveSchema(t.element, defs);
    for (const k of t.keys) {
      if (isRecord(item) && item[k] !== undefined) key[k] = item[k];
      else if (itemSchema?.properties?.[k]?.default !== undefined) key[k] = itemSchema.properties[k].default;
    }
    return keyPE(key);
  }
  return indexPE(index);
}

export { fieldPE };
