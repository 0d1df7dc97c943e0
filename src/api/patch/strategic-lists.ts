// The list half of strategic merge patch, after k8s.io/apimachinery/pkg/util/strategicpatch:
// merging lists of maps by merge key, unions of primitive lists, $patch elements, deletion
// lists, and the element-order rules ($setElementOrder > order in the patch > order on the server).
import { isRecord } from '../types.js';
import { PatchApplyError, goFormat, unconvertedError } from './errors.js';
import { badRequest } from '../errors.js';

type Obj = Record<string, unknown>;
export type ElementKind = 'map' | 'scalar';

export const ERR_NO_LIST_OF_LISTS = 'lists of lists are not supported';
export const ERR_BAD_SET_ELEMENT_ORDER = 'invalid patch format of setElementOrder list';

/** Merges one patch element into the matching live element (strategic mergeMap). */
export type MergeElement = (original: Obj, patch: Obj) => Obj;

export function noMergeKeyError(m: unknown, key: string): Error {
  return unconvertedError(`map: ${goFormat(m)} does not contain declared merge key: ${key}`);
}

/** The kind shared by every element of the lists (upstream's sliceElementType). */
export function elementKind(...lists: unknown[][]): ElementKind {
  let kind: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = Array.isArray(v) ? 'list' : isRecord(v) ? 'map' : v === null ? 'null' : typeof v;
      if (kind === undefined) {
        if (k === 'list') throw new PatchApplyError(ERR_NO_LIST_OF_LISTS);
        kind = k;
      } else if (kind !== k) {
        throw unconvertedError(`list element types are not identical: ${goFormat(lists)}`);
      }
    }
  }
  if (kind === undefined) throw unconvertedError('no elements in any of the given slices');
  return kind === 'map' ? 'map' : 'scalar';
}

function keyOf(item: unknown, mergeKey: string, kind: ElementKind): unknown {
  if (kind !== 'map') return item;
  return isRecord(item) ? item[mergeKey] : undefined;
}

function indexIn(list: unknown[], item: unknown, mergeKey: string, kind: ElementKind): number {
  const want = keyOf(item, mergeKey, kind);
  for (let i = 0; i < list.length; i++) if (keyOf(list[i], mergeKey, kind) === want) return i;
  return -1;
}

/** Merges patch into original for a list whose patch strategy is merge (or a deletion list). */
export function mergeSlice(
  original: unknown[],
  patch: unknown[],
  mergeKey: string,
  isDeleteList: boolean,
  mergeElement: MergeElement,
  listName: string,
): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  let merged: unknown[];
  if (kind !== 'map') {
    if (isDeleteList) return deleteFromSlice(original, patch);
    merged = [...new Set([...original, ...patch])];
  } else {
    if (!mergeKey) throw unconvertedError(`cannot merge lists without merge key for ${listName}`);
    [original, patch] = applySpecialElements(original as Obj[], patch as Obj[], mergeKey);
    merged = mergeByKey(original as Obj[], patch as Obj[], mergeKey, mergeElement);
  }
  const inPatch = (item: unknown): boolean => {
    if (kind === 'map' && !(isRecord(item) && mergeKey in item)) throw noMergeKeyError(item, mergeKey);
    return indexIn(patch, item, mergeKey, kind) >= 0;
  };
  const patchItems = merged.filter(inPatch);
  const serverOnly = merged.filter((item) => !inPatch(item));
  return normalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
}

function deleteFromSlice(current: unknown[], toDelete: unknown[]): unknown[] {
  const drop = new Set(toDelete);
  return current.filter((v) => !drop.has(v));
}

/**
 * Handles elements carrying `$patch`: delete removes live elements with that key, replace makes
 * the rest of the patch the whole list. Returns the (possibly reduced) original and the plain patch.
 */
function applySpecialElements(original: Obj[], patch: Obj[], mergeKey: string): [Obj[], Obj[]] {
  const plain: Obj[] = [];
  let replace = false;
  for (const p of patch) {
    if (!('$patch' in p)) {
      plain.push(p);
      continue;
    }
    const directive = p['$patch'];
    if (directive === 'delete') {
      if (!(mergeKey in p)) throw noMergeKeyError(p, mergeKey);
      original = original.filter((o) => !(mergeKey in o && o[mergeKey] === p[mergeKey]));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw unconvertedError('merging lists cannot yet be specified in the patch');
    } else {
      throw unconvertedError(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(p)}`);
    }
  }
  return replace ? [plain, []] : [original, plain];
}

function mergeByKey(original: Obj[], patch: Obj[], mergeKey: string, mergeElement: MergeElement): Obj[] {
  const out = [...original];
  for (const p of patch) {
    if (!(mergeKey in p)) throw noMergeKeyError(p, mergeKey);
    const i = out.findIndex((o) => mergeKey in o && o[mergeKey] === p[mergeKey]);
    if (i >= 0) out[i] = mergeElement(out[i], p);
    else out.push(mergeElement({}, p));
  }
  return out;
}

/**
 * Sorts the patch's items by the patch order and the server-only items by the live order, then
 * interleaves them (upstream's normalizeElementOrder + mergeSortedSlice).
 */
export function normalizeElementOrder(
  patch: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const left = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  const right = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/**
 * Upstream sorts with sort.SliceStable and a "less" that is true whenever either element is
 * missing from `order`; for the list sizes seen in practice that is Go's insertion sort, which
 * is reproduced here so that items missing from the order land where upstream puts them.
 */
function normalizeSliceOrder(
  toSort: unknown[],
  order: unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  let items = [...toSort];
  let toDelete: unknown[] = [];
  if (kind === 'map') {
    for (const list of [items, order])
      for (const item of list)
        if (!(isRecord(item) && mergeKey in item)) throw noMergeKeyError(item, mergeKey);
    toDelete = items.filter((x) => isRecord(x) && x['$patch'] === 'delete');
    items = items.filter((x) => !(isRecord(x) && x['$patch'] === 'delete'));
  }
  const less = (a: unknown, b: unknown): boolean => {
    const ia = indexIn(order, a, mergeKey, kind);
    const ib = indexIn(order, b, mergeKey, kind);
    return ia >= 0 && ib >= 0 ? ia < ib : true;
  };
  for (let i = 1; i < items.length; i++) {
    for (let j = i; j > 0 && less(items[j], items[j - 1]); j--) {
      [items[j], items[j - 1]] = [items[j - 1], items[j]];
    }
  }
  return [...items, ...toDelete];
}

/**
 * Checks that the patch list's items appear in $setElementOrder in the same relative order
 * (deletions ignored), as validatePatchWithSetOrderList does.
 */
export function validateSetElementOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey
    ? patchList.filter((x) => !(isRecord(x) && x['$patch'] === 'delete'))
    : patchList;
  let p = 0;
  let o = 0;
  while (p < nonDelete.length && o < order.length) {
    const item = nonDelete[p];
    if (isRecord(item) && '$patch' in item) {
      p++;
      continue;
    }
    const want = order[o];
    const equal = mergeKey
      ? isRecord(item) && isRecord(want) && item[mergeKey] === want[mergeKey]
      : item === want;
    if (equal) p++;
    o++;
  }
  if (p < nonDelete.length) {
    throw unconvertedError(
      `The order in patch list:\n${goFormat(patchList)}\n doesn't match $setElementOrder list:\n${goFormat(order)}\n`,
    );
  }
}

export function badSetElementOrder(): Error {
  return badRequest(ERR_BAD_SET_ELEMENT_ORDER);
}
