// Strategic merge patch (application/strategic-merge-patch+json), following
// k8s.io/apimachinery/pkg/util/strategicpatch as kube-apiserver applies it (StrategicMergeMapPatch):
//  - maps merge recursively; null deletes a key;
//  - a list whose field has patch strategy "merge" merges: lists of maps by the patch merge key
//    (a container patched by name keeps the fields the patch does not mention), primitive lists
//    as a union; every other list is replaced;
//  - directives: `$patch: replace|delete` in a map, `{$patch: replace}` / `{<key>: x, $patch: delete}`
//    elements in a merged list, `$retainKeys`, `$setElementOrder/<field>`,
//    `$deleteFromPrimitiveList/<field>`;
//  - where the schema says nothing (preserve-unknown-fields, unknown fields) lists replace, i.e.
//    merge-patch semantics.
// Error codes as upstream: malformed directives 400, lists of lists 422, the library's plain
// errors (e.g. a missing merge key) pass through as 500 with their text.
import { badRequest } from '../errors.js';
import { isRecord } from '../types.js';
import type { Definitions, PropSchema } from '../schema/dsl.js';
import { goFormat, unconvertedError } from './errors.js';
import {
  badSetElementOrder,
  elementKind,
  mergeSlice,
  noMergeKeyError,
  normalizeElementOrder,
  validateSetElementOrder,
} from './strategic-lists.js';
import { cloneJSON } from '../json-value.js';

type Obj = Record<string, unknown>;

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';
export const ERR_BAD_RETAIN_KEYS = 'invalid patch format of retainKeys';

/** Where in the type definitions a value sits; node undefined means "schema unknown". */
interface Schema {
  node: PropSchema | undefined;
  defs: Definitions;
  name: string;
}

function resolve(s: Schema): PropSchema | undefined {
  let n = s.node;
  for (let i = 0; n?.$ref && i < 16; i++) n = s.defs[n.$ref];
  return n;
}

function fieldSchema(s: Schema, key: string): Schema {
  const n = resolve(s);
  if (!n || n['x-kubernetes-preserve-unknown-fields'] || n['x-kubernetes-embedded-resource']) {
    return { node: undefined, defs: s.defs, name: key };
  }
  const node =
    n.properties && Object.prototype.hasOwnProperty.call(n.properties, key)
      ? n.properties[key]
      : n.additionalProperties;
  return { node, defs: s.defs, name: key };
}

function itemSchema(s: Schema): Schema {
  return { node: resolve(s)?.items, defs: s.defs, name: s.name };
}

/** The field's patch strategy without retainKeys (which only matters when computing patches). */
function patchMeta(s: Schema): { strategy: string; mergeKey: string } {
  const strategies = (s.node?.['x-kubernetes-patch-strategy'] ?? '').split(',').filter((x) => x !== '');
  return {
    strategy: strategies.find((x) => x !== 'retainKeys') ?? '',
    mergeKey: s.node?.['x-kubernetes-patch-merge-key'] ?? '',
  };
}

/**
 * Applies a strategic merge patch to doc (neither is modified). definitionName names the type
 * whose field extensions drive list merging, e.g. 'io.k8s.api.apps.v1.Deployment'.
 */
export function applyStrategicMergePatch(
  doc: unknown,
  patch: unknown,
  definitionName: string,
  defs: Definitions,
): unknown {
  if (!isRecord(patch)) {
    const kind = Array.isArray(patch) ? 'array' : patch === null ? 'null' : typeof patch;
    throw badRequest(`json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`);
  }
  const original = isRecord(doc) ? cloneJSON(doc) : {};
  return mergeMap(original, cloneJSON(patch), {
    node: { $ref: definitionName },
    defs,
    name: definitionName,
  });
}

function mergeMap(original: Obj, patch: Obj, s: Schema): Obj {
  if (PATCH in patch) return directiveInMap(patch[PATCH], patch);
  applyRetainKeys(original, patch);
  applySetElementOrders(original, patch, s);
  for (const k of Object.keys(patch)) {
    const patchV = patch[k];
    const isDeleteList = k.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    const key = isDeleteList ? k.slice(DELETE_FROM_PRIMITIVE_LIST.length) : k;
    if (patchV === null) {
      delete original[key];
      continue;
    }
    const sub = fieldSchema(s, key);
    const orig = original[key];
    const sameKind =
      orig !== undefined &&
      (isRecord(orig)
        ? isRecord(patchV)
        : Array.isArray(orig)
          ? Array.isArray(patchV)
          : !isRecord(patchV) && !Array.isArray(patchV));
    if (!sameKind) {
      // absent (or of another JSON type) on the server: the patch value is taken, directives applied
      if (!isDeleteList) original[key] = fresh(patchV, sub);
      continue;
    }
    const { strategy, mergeKey } = patchMeta(sub);
    if (isRecord(orig)) {
      original[key] =
        strategy === 'replace'
          ? fresh(patchV, { ...sub, node: undefined })
          : mergeMap(orig, patchV as Obj, sub);
    } else if (Array.isArray(orig)) {
      original[key] =
        strategy === 'merge' || isDeleteList
          ? mergeSlice(orig, patchV as unknown[], mergeKey, isDeleteList, elementMerger(sub), sub.name)
          : cleanValue(patchV);
    } else {
      original[key] = patchV;
    }
  }
  return original;
}

function elementMerger(listSchema: Schema): (o: Obj, p: Obj) => Obj {
  const items = itemSchema(listSchema);
  return (o, p) => mergeMap(o, p, items);
}

/** A patch value with no live counterpart, with its directives applied and nulls dropped. */
function fresh(v: unknown, s: Schema): unknown {
  if (isRecord(v)) return mergeMap({}, v, s);
  if (Array.isArray(v)) {
    const { strategy, mergeKey } = patchMeta(s);
    if (strategy === 'merge' && v.length > 0)
      return mergeSlice([], v, mergeKey, false, elementMerger(s), s.name);
    return cleanValue(v);
  }
  return v;
}

/** What `$patch` in a map means: replace takes the map as it is, delete empties it. */
function directiveInMap(directive: unknown, patch: Obj): Obj {
  if (directive === 'replace') {
    const { [PATCH]: _marker, ...rest } = patch;
    return cleanValue(rest) as Obj;
  }
  if (directive === 'delete') return {};
  throw unconvertedError(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(patch)}`);
}

/**
 * `$retainKeys: [..]` keeps only the listed keys of the live map; every key the patch sets must
 * be listed (400 otherwise).
 */
function applyRetainKeys(original: Obj, patch: Obj): void {
  if (!(RETAIN_KEYS in patch)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw badRequest(ERR_BAD_RETAIN_KEYS);
  const keep = new Set(retain);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw badRequest(ERR_BAD_RETAIN_KEYS);
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/**
 * `$setElementOrder/<field>: [...]`: merges the field's patch list now and orders the result by
 * the directive (then the patch, then the server), as mergePatchIntoOriginal does.
 */
function applySetElementOrders(original: Obj, patch: Obj, s: Schema): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    const field = key.slice(SET_ELEMENT_ORDER.length);
    if (!Array.isArray(order)) throw badSetElementOrder();
    const sub = fieldSchema(s, field);
    const { strategy, mergeKey } = patchMeta(sub);
    const origV = original[field];
    const patchV = patch[field];
    if (
      (origV !== undefined && !Array.isArray(origV)) ||
      (patchV !== undefined && patchV !== null && !Array.isArray(patchV))
    )
      throw badSetElementOrder();
    const origList = origV as unknown[] | undefined;
    const patchList = (patchV ?? undefined) as unknown[] | undefined;
    validateSetElementOrder(patchList ?? [], order, mergeKey);
    delete patch[key];
    if (origList === undefined && patchList === undefined) continue;
    let merged: unknown[];
    if (origList !== undefined && patchList !== undefined) {
      merged =
        strategy === 'merge'
          ? mergeSlice(origList, patchList, mergeKey, false, elementMerger(sub), sub.name)
          : (cleanValue(patchList) as unknown[]);
    } else if (patchList !== undefined) merged = fresh(patchList, sub) as unknown[];
    else merged = origList!;
    const present = [...(origList ?? []), ...(patchList ?? [])];
    const kind = present.length > 0 ? elementKind(origList ?? [], patchList ?? []) : 'scalar';
    const listed = (item: unknown): boolean => {
      if (!mergeKey) return order.includes(item);
      if (!isRecord(item) || !(mergeKey in item)) throw noMergeKeyError(item, mergeKey);
      return order.some((o) => isRecord(o) && o[mergeKey] === item[mergeKey]);
    };
    const listedItems = merged.filter(listed);
    const serverOnly = merged.filter((item) => !listed(item));
    original[field] = normalizeElementOrder(listedItems, serverOnly, order, origList ?? [], mergeKey, kind);
    delete patch[field];
  }
}

function isDirectiveKey(k: string): boolean {
  return (
    k === PATCH ||
    k === RETAIN_KEYS ||
    k.startsWith(SET_ELEMENT_ORDER) ||
    k.startsWith(DELETE_FROM_PRIMITIVE_LIST)
  );
}

/**
 * Drops nulls and directive keys from a value taken verbatim: upstream's decoder into the typed
 * object ignores both, so the stored object never carries them.
 */
function cleanValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(cleanValue);
  if (!isRecord(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) if (x !== null && !isDirectiveKey(k)) out[k] = cleanValue(x);
  return out;
}
