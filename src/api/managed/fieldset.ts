// Field sets and their FieldsV1 encoding (structured-merge-diff's format, as upstream stores it
// in metadata.managedFields): `f:<field>` for struct fields and map keys, `k:{"name":"web"}` for
// items of lists keyed by merge keys, `v:<json>` for items of sets, `.` for "this element
// itself" on maps and keyed items. A set is held flat: one path string per leaf or node.
import { isRecord } from '../types.js';
import type { Definitions, PropSchema } from '../schema/dsl.js';

export const SEP = '\u0000';
export type FieldSet = Set<string>;

interface Ctx {
  defs: Definitions;
}

function resolve(node: PropSchema | undefined, defs: Definitions): PropSchema | undefined {
  let n = node;
  for (let i = 0; n?.$ref && i < 8; i++) n = defs[n.$ref];
  return n;
}

/** Merge keys of a list schema: list-map-keys, else the patch merge key; undefined = atomic. */
export function listKeys(node: PropSchema | undefined): string[] | undefined {
  if (!node) return undefined;
  if (node['x-kubernetes-list-type'] === 'map') return node['x-kubernetes-list-map-keys'];
  if (node['x-kubernetes-list-type'] === 'atomic') return undefined;
  const mk = node['x-kubernetes-patch-merge-key'];
  return mk ? [mk] : undefined;
}

export function isSet(node: PropSchema | undefined): boolean {
  return node?.['x-kubernetes-list-type'] === 'set';
}

/** Defaults of list-map key fields: an applied port without protocol is the TCP port (upstream keys by the defaulted value). */
export const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

export function itemKey(item: unknown, keys: string[]): string {
  const o: Record<string, unknown> = {};
  if (isRecord(item)) {
    for (const k of keys) {
      const v = item[k] ?? KEY_DEFAULTS[k];
      if (v !== undefined) o[k] = v;
    }
  }
  return `k:${JSON.stringify(o)}`;
}

/** Metadata fields the server owns; they are never in a manager's set. */
const SERVER_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
]);

export function fieldSetOf(obj: unknown, definitionName: string, defs: Definitions): FieldSet {
  const out: FieldSet = new Set();
  if (!isRecord(obj)) return out;
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    const prop = resolve({ $ref: definitionName }, defs)?.properties?.[k];
    if (k === 'metadata' && isRecord(v)) {
      for (const [mk, mv] of Object.entries(v)) {
        if (SERVER_META.has(mk)) continue;
        const mprop = resolve({ $ref: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }, defs)
          ?.properties?.[mk];
        walk(mv, mprop, `f:metadata${SEP}f:${mk}`, out, { defs });
      }
      if ([...out].some((p) => p.startsWith(`f:metadata${SEP}`))) out.add('f:metadata');
      continue;
    }
    walk(v, prop, `f:${k}`, out, { defs });
  }
  return out;
}

function walk(v: unknown, node: PropSchema | undefined, path: string, out: FieldSet, ctx: Ctx): void {
  out.add(path);
  const n = resolve(node, ctx.defs);
  if (n?.['x-kubernetes-map-type'] === 'atomic') return;
  if (Array.isArray(v)) {
    const keys = listKeys(n);
    if (keys) {
      for (const item of v) {
        const p = `${path}${SEP}${itemKey(item, keys)}`;
        out.add(`${p}${SEP}.`);
        walkObject(item, n?.items, p, out, ctx);
      }
    } else if (isSet(n)) for (const item of v) out.add(`${path}${SEP}v:${JSON.stringify(item)}`);
    return;
  }
  if (isRecord(v)) {
    if (n?.additionalProperties && !n.properties) out.add(`${path}${SEP}.`);
    walkObject(v, node, path, out, ctx);
  }
}

function walkObject(v: unknown, node: PropSchema | undefined, path: string, out: FieldSet, ctx: Ctx): void {
  if (!isRecord(v)) return;
  const n = resolve(node, ctx.defs);
  if (n?.['x-kubernetes-preserve-unknown-fields'] && !n.properties) {
    for (const [k, x] of Object.entries(v)) walk(x, undefined, `${path}${SEP}f:${k}`, out, ctx);
    return;
  }
  for (const [k, x] of Object.entries(v)) {
    const prop = n?.properties?.[k] ?? n?.additionalProperties;
    walk(x, prop, `${path}${SEP}f:${k}`, out, ctx);
  }
}

/** Nested FieldsV1 JSON from a flat set. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const path of [...set].sort()) {
    let cur = root;
    for (const part of path.split(SEP)) {
      cur[part] ??= {};
      cur = cur[part] as Record<string, unknown>;
    }
  }
  return root;
}

export function fromFieldsV1(fields: unknown): FieldSet {
  const out: FieldSet = new Set();
  const visit = (node: unknown, prefix: string) => {
    if (!isRecord(node)) return;
    for (const [k, child] of Object.entries(node)) {
      const p = prefix ? `${prefix}${SEP}${k}` : k;
      out.add(p);
      visit(child, p);
    }
  };
  visit(fields, '');
  return out;
}

/** Leaves: paths with nothing below them in the set (what ownership conflicts are about). */
export function leaves(set: FieldSet): string[] {
  const sorted = [...set].sort();
  return sorted.filter((p, i) => !(sorted[i + 1] ?? '').startsWith(p + SEP));
}

/** `.spec.replicas` / `.spec.containers[name="web"].image`, as upstream prints field paths in conflicts. */
export function displayPath(path: string): string {
  let out = '';
  for (const part of path.split(SEP)) {
    if (part === '.') continue;
    if (part.startsWith('f:')) out += `.${part.slice(2)}`;
    else if (part.startsWith('k:')) {
      const o = JSON.parse(part.slice(2)) as Record<string, unknown>;
      out += `[${Object.entries(o)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    } else if (part.startsWith('v:')) out += `[=${part.slice(2)}]`;
  }
  return out;
}
