// Strategic merge patch (application/strategic-merge-patch+json): a merge patch that knows,
// from the type definitions, which lists merge by key (containers by name) and which replace.
// Directives as upstream: $patch (replace|delete|merge), $retainKeys, $setElementOrder/<f>,
// $deleteFromPrimitiveList/<f>. Where the schema is unknown, lists replace (merge-patch rules).
import { badRequest } from '../errors.js';
import { isRecord } from '../types.js';
import type { Definitions, PropSchema } from '../schema/dsl.js';

type Obj = Record<string, unknown>;

interface Schema {
  node: PropSchema | undefined;
  defs: Definitions;
}

function resolve(s: Schema): PropSchema | undefined {
  let n = s.node;
  for (let i = 0; n?.$ref && i < 8; i++) n = s.defs[n.$ref];
  return n;
}

function field(s: Schema, name: string): Schema {
  const n = resolve(s);
  const f = n?.properties?.[name] ?? n?.additionalProperties;
  return { node: f, defs: s.defs };
}

function items(s: Schema): Schema {
  const n = resolve(s);
  return { node: n?.items, defs: s.defs };
}

function mergeKeyOf(s: Schema): { merge: boolean; key?: string } {
  const n = s.node;
  const strategy = n?.['x-kubernetes-patch-strategy'] ?? '';
  return { merge: strategy.split(',').includes('merge'), key: n?.['x-kubernetes-patch-merge-key'] };
}

export function applyStrategicMergePatch(doc: unknown, patch: unknown, definitionName: string, defs: Definitions): unknown {
  if (!isRecord(patch)) throw badRequest('json: cannot unmarshal into Go value of type map[string]interface {}');
  return mergeMap(isRecord(doc) ? structuredClone(doc) : {}, patch, { node: { $ref: definitionName }, defs });
}

function mergeMap(orig: Obj, patch: Obj, s: Schema): Obj {
  const directive = patch['$patch'];
  if (directive === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return stripDirectives(rest) as Obj;
  }
  if (directive === 'delete') return {};
  const out: Obj = { ...orig };
  const retain = Array.isArray(patch['$retainKeys']) ? (patch['$retainKeys'] as string[]) : undefined;
  const orders: Record<string, unknown[]> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) {
      if (Array.isArray(v)) orders[k.slice('$setElementOrder/'.length)] = v;
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const name = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[name]) && Array.isArray(v)) {
        const drop = new Set(v.map((x) => JSON.stringify(x)));
        out[name] = (out[name] as unknown[]).filter((x) => !drop.has(JSON.stringify(x)));
      }
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const fs = field(s, k);
    if (isRecord(v)) {
      if (v['$patch'] === 'delete') delete out[k];
      else out[k] = mergeMap(isRecord(out[k]) ? (out[k] as Obj) : {}, v, fs);
    } else if (Array.isArray(v)) {
      out[k] = mergeList(Array.isArray(out[k]) ? (out[k] as unknown[]) : [], v, fs);
    } else out[k] = v;
  }
  for (const [name, order] of Object.entries(orders)) {
    if (Array.isArray(out[name])) out[name] = reorder(out[name] as unknown[], order, mergeKeyOf(field(s, name)).key);
  }
  if (retain) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  return out;
}

function mergeList(orig: unknown[], patch: unknown[], s: Schema): unknown[] {
  const { merge, key } = mergeKeyOf(s);
  if (!merge) return stripDirectives(patch) as unknown[];
  if (!key) {
    // a merged list of primitives: union, keeping the original order
    const seen = new Set(orig.map((x) => JSON.stringify(x)));
    const out = [...orig];
    for (const p of patch) if (!seen.has(JSON.stringify(p))) out.push(p);
    return out;
  }
  const replaceAll = patch.find((p) => isRecord(p) && p['$patch'] === 'replace' && !(key in p));
  if (replaceAll) return stripDirectives(patch.filter((p) => p !== replaceAll)) as unknown[];
  const out = orig.map((x) => x);
  const itemSchema = items(s);
  for (const p of patch) {
    if (!isRecord(p)) continue;
    const i = out.findIndex((o) => isRecord(o) && JSON.stringify(o[key]) === JSON.stringify(p[key]));
    if (p['$patch'] === 'delete') {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    if (i >= 0) out[i] = mergeMap(out[i] as Obj, p, itemSchema);
    else out.push(stripDirectives(p));
  }
  return out;
}

function reorder(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const id = (x: unknown) => JSON.stringify(key && isRecord(x) ? x[key] : x);
  const rank = new Map(order.map((o, i) => [id(o), i]));
  const known = list.filter((x) => rank.has(id(x))).sort((a, b) => rank.get(id(a))! - rank.get(id(b))!);
  const rest = list.filter((x) => !rank.has(id(x)));
  return [...known, ...rest];
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (isRecord(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      if (k.startsWith('$')) continue;
      if (x !== null) out[k] = stripDirectives(x);
    }
    return out;
  }
  return v;
}
