// Schema-aware walks over JSON objects, as structured-merge-diff's typed values do them: the
// field set an object sets, the comparison of two objects, the merge of an applied
// configuration into a live object, and the removal of a set of fields.
import { isRecord } from '../types.js';
import type { Definitions, PropSchema } from '../schema/dsl.js';
import { FieldSet, fieldPE, type Path, type PathElement } from './fieldset.js';
import { childSchema, effectiveType, isNamedField, itemPE, typeOf, type NodeType } from './schema-types.js';
import { cloneJSON } from '../json-value.js';

interface Walk {
  defs: Definitions;
}

const root = (definitionName: string): PropSchema => ({ $ref: definitionName });

/** Every field `obj` sets, with list items and map entries spelled as FieldsV1 does. */
export function fieldSetOf(obj: unknown, definitionName: string, defs: Definitions): FieldSet {
  const out = new FieldSet();
  toSet(obj, root(definitionName), [], out, { defs });
  return out;
}

function toSet(v: unknown, schema: PropSchema | undefined, path: Path, out: FieldSet, w: Walk): void {
  const t = effectiveType(typeOf(schema, w.defs), v);
  if (t.kind === 'scalar' || t.kind === 'untyped') return void out.insert(path);
  if (t.kind === 'list') {
    if (t.relation === 'atomic') return void out.insert(path);
    if (!Array.isArray(v)) return;
    v.forEach((item, i) => {
      const p = [...path, itemPE(t, item, i, w.defs)];
      toSet(item, t.element, p, out, w);
      out.insert(p);
    });
    return;
  }
  if (t.atomic) return void out.insert(path);
  if (!isRecord(v)) {
    if (v === null) out.insert(path);
    return;
  }
  for (const [k, x] of Object.entries(v)) {
    const p = [...path, fieldPE(k)];
    toSet(x, childSchema(t, k), p, out, w);
    // a null or empty value is owned as a leaf; map entries (not struct fields) are owned themselves
    if (x === null || (isRecord(x) && Object.keys(x).length === 0) || !isNamedField(t, k)) out.insert(p);
  }
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** What changed from `lhs` to `rhs`: leaves by value, and non-leaf nodes that appeared or vanished. */
export function compare(lhs: unknown, rhs: unknown, definitionName: string, defs: Definitions): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  cmp(lhs, rhs, root(definitionName), [], c, { defs });
  return c;
}

const isEmpty = (v: unknown) =>
  v === undefined ||
  v === null ||
  (Array.isArray(v) ? v.length === 0 : isRecord(v) && !Object.keys(v).length);

function cmp(l: unknown, r: unknown, schema: PropSchema | undefined, path: Path, c: Comparison, w: Walk) {
  const t = effectiveType(typeOf(schema, w.defs), r !== undefined ? r : l);
  const leaf = isAtomic(t) || (isEmpty(l) && isEmpty(r));
  const shapeOk = t.kind === 'list' ? isListish(l) && isListish(r) : isMapish(l) && isMapish(r);
  if (leaf || !shapeOk) {
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
    else if (!deepEqual(l, r)) c.modified.insert(path);
    return;
  }
  if (t.kind === 'list') {
    const ls = indexItems(t, l, w);
    const rs = indexItems(t, r, w);
    for (const [pe, item] of rs) cmp(ls.get(pe), item, t.element, [...path, pe], c, w);
    for (const [pe, item] of ls) if (!rs.has(pe)) cmp(item, undefined, t.element, [...path, pe], c, w);
  } else {
    const lo = isRecord(l) ? l : {};
    const ro = isRecord(r) ? r : {};
    for (const k of new Set([...Object.keys(lo), ...Object.keys(ro)]))
      cmp(lo[k], ro[k], childSchema(t, k), [...path, fieldPE(k)], c, w);
  }
  if (path.length && l === undefined) c.added.insert(path);
  if (path.length && r === undefined) c.removed.insert(path);
}

/** Scalars, atomic lists and atomic maps are compared whole. */
function isAtomic(t: NodeType): boolean {
  if (t.kind === 'list') return t.relation === 'atomic';
  if (t.kind === 'map' || t.kind === 'struct') return t.atomic;
  return true;
}

const isListish = (v: unknown) => v === undefined || v === null || Array.isArray(v);
const isMapish = (v: unknown) => v === undefined || v === null || isRecord(v);

function indexItems(t: NodeType, v: unknown, w: Walk): Map<PathElement, unknown> {
  const m = new Map<PathElement, unknown>();
  if (Array.isArray(v)) v.forEach((item, i) => m.set(itemPE(t, item, i, w.defs), item));
  return m;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** The applied configuration merged into the live object: the configuration wins on every leaf it sets. */
export function merge(live: unknown, applied: unknown, definitionName: string, defs: Definitions): unknown {
  return mergeValue(live, applied, root(definitionName), { defs });
}

function mergeValue(l: unknown, r: unknown, schema: PropSchema | undefined, w: Walk): unknown {
  if (r === undefined) return l;
  if (l === undefined || l === null) return cloneJSON(r);
  const t = effectiveType(typeOf(schema, w.defs), r);
  if (t.kind === 'list' && t.relation !== 'atomic' && Array.isArray(l) && Array.isArray(r))
    return mergeList(t, l, r, w);
  if ((t.kind === 'map' || t.kind === 'struct') && !t.atomic && isRecord(l) && isRecord(r)) {
    const out: Record<string, unknown> = { ...l };
    for (const [k, x] of Object.entries(r)) out[k] = mergeValue(l[k], x, childSchema(t, k), w);
    return out;
  }
  if (r === null && (isRecord(l) || Array.isArray(l)) && t.kind !== 'scalar') return l;
  return cloneJSON(r);
}

/**
 * Items of both lists, merged by identity. Order follows upstream's merge: items only the live
 * list has keep their place, items the configuration lists come in the configuration's order.
 */
function mergeList(t: NodeType, l: unknown[], r: unknown[], w: Walk): unknown[] {
  if (t.kind !== 'list') return r;
  const lpe = l.map((x, i) => itemPE(t, x, i, w.defs));
  const rpe = r.map((x, i) => itemPE(t, x, i, w.defs));
  const lItems = new Map(lpe.map((pe, i) => [pe, l[i]]));
  const rItems = new Map(rpe.map((pe, i) => [pe, r[i]]));
  const shared = rpe.filter((pe) => lItems.has(pe));
  let next = 0;
  const done = new Set<PathElement>();
  const out: unknown[] = [];
  const emit = (pe: PathElement) => {
    done.add(pe);
    out.push(mergeValue(lItems.get(pe), rItems.get(pe), t.element, w));
    if (shared[next] === pe) next++;
  };
  let li = 0;
  let ri = 0;
  while (li < lpe.length || ri < rpe.length) {
    if (li < lpe.length && ri < rpe.length && lpe[li] === rpe[ri]) {
      if (!done.has(lpe[li])) emit(lpe[li]);
      li++;
      ri++;
      continue;
    }
    if (li < lpe.length) {
      const pe = lpe[li];
      if (!rItems.has(pe)) {
        done.add(pe);
        out.push(l[li]);
        li++;
        continue;
      }
      if (done.has(pe) || (ri < rpe.length && shared[next] !== pe)) {
        li++;
        continue;
      }
    }
    if (ri < rpe.length) {
      if (!done.has(rpe[ri])) emit(rpe[ri]);
      ri++;
    } else li++;
  }
  return out;
}

/** `obj` without the members of `set` (a member removes its whole subtree). */
export function removeItems(obj: unknown, set: FieldSet, definitionName: string, defs: Definitions): unknown {
  return removeValue(obj, set, root(definitionName), { defs });
}

function removeValue(v: unknown, set: FieldSet, schema: PropSchema | undefined, w: Walk): unknown {
  const t = effectiveType(typeOf(schema, w.defs), v);
  if (Array.isArray(v) && t.kind === 'list' && t.relation !== 'atomic') {
    const out: unknown[] = [];
    v.forEach((item, i) => {
      const pe = itemPE(t, item, i, w.defs);
      if (set.members.has(pe)) return;
      const sub = set.children.get(pe);
      out.push(sub ? removeValue(item, sub, t.element, w) : item);
    });
    return out;
  }
  if (isRecord(v) && (t.kind === 'map' || t.kind === 'struct') && !t.atomic) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const pe = fieldPE(k);
      if (set.members.has(pe)) continue;
      const sub = set.children.get(pe);
      out[k] = sub ? removeValue(x, sub, childSchema(t, k), w) : x;
    }
    return out;
  }
  return v;
}

/** Struct fields that only lead to owned paths become members too (upstream's EnsureNamedFieldsAreMembers). */
export function ensureNamedFieldsAreMembers(
  set: FieldSet,
  definitionName: string,
  defs: Definitions,
): FieldSet {
  return ensureNamed(set, root(definitionName), defs);
}

function ensureNamed(set: FieldSet, schema: PropSchema | undefined, defs: Definitions): FieldSet {
  const t = typeOf(schema, defs);
  const out = new FieldSet();
  for (const m of set.members) out.members.add(m);
  for (const [pe, child] of set.children) {
    if (t.kind === 'struct' && pe.startsWith('f:') && isNamedField(t, pe.slice(2))) out.members.add(pe);
    const sub = t.kind === 'list' ? t.element : pe.startsWith('f:') ? childSchema(t, pe.slice(2)) : undefined;
    out.children.set(pe, ensureNamed(child, sub, defs));
  }
  return out;
}
