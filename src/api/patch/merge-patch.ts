// JSON merge patch (RFC 7386, application/merge-patch+json) as evanphx/json-patch v4 applies it
// for kube-apiserver: objects merge, null deletes, anything else (lists included) replaces. Nulls
// inside a value that is added whole are pruned, also inside objects within lists; a list that
// replaces an object is taken verbatim.
import { isRecord } from '../types.js';
import { cloneJSON } from '../json-value.js';

type Obj = Record<string, unknown>;

/** Returns the patched document; neither argument is modified. */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return cloneJSON(patch);
  if (!isRecord(doc)) return pruneNulls(cloneJSON(patch));
  const out = cloneJSON(doc);
  mergeDocs(out, patch);
  return out;
}

function mergeDocs(doc: Obj, patch: Obj): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = doc[k];
    if (cur === undefined || cur === null) doc[k] = pruneNulls(cloneJSON(v));
    else doc[k] = merge(cur, v);
  }
}

function merge(cur: unknown, patch: unknown): unknown {
  if (!isRecord(cur)) return pruneNulls(cloneJSON(patch));
  if (!isRecord(patch)) return cloneJSON(patch);
  mergeDocs(cur, patch);
  return cur;
}

/** Drops null-valued keys of objects, recursing into objects and lists (pruneNulls). */
function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) {
    for (const item of v) if (item !== null) pruneNulls(item);
    return v;
  }
  if (isRecord(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else pruneNulls(x);
    }
  }
  return v;
}
