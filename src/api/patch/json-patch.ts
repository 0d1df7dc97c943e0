// RFC 6902 JSON patch (application/json-patch+json) with the behaviour of evanphx/json-patch v4,
// the library kube-apiserver applies it with. Its departures from the RFC are kept because
// clients can observe them: "replace" of a missing object key adds it, "copy" from a missing key
// copies null, negative array indices count from the end, an op "value" that is a superset of
// the tested object passes "test", and the first segment of a path without a leading "/" is
// ignored. A patch that does not apply is a 422 with upstream's generic text; the library's
// explanation is kept on PatchApplyError.detail.
import { StatusError, badRequest } from '../errors.js';
import { isRecord } from '../types.js';
import { PatchApplyError } from './errors.js';
import { cloneJSON } from '../json-value.js';

/** kube-apiserver's limit on operations in one JSON patch. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

type Container = Record<string, unknown> | unknown[];

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (isRecord(v)) return 'object';
  return typeof v;
}

function decodeKey(token: string): string {
  return token.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~'));
}

/** The container a path points into and the final key, or undefined (upstream's findObject). */
function findObject(doc: unknown, path: string): { con: Container; key: string } | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let con: unknown = doc;
  for (const part of split.slice(1, -1)) {
    const next = getChild(con, decodeKey(part));
    if (!next.ok || next.value === undefined || next.value === null) return undefined;
    if (!Array.isArray(next.value) && !isRecord(next.value)) return undefined;
    con = next.value;
  }
  if (!Array.isArray(con) && !isRecord(con)) return undefined;
  return { con, key: decodeKey(split[split.length - 1]) };
}

type Got = { ok: true; value: unknown } | { ok: false; error: string };

/** Go's strconv.Atoi, with its error text. */
function atoi(key: string): number | string {
  if (!/^[+-]?\d+$/.test(key)) return `strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`;
  return Number(key);
}

const invalidIndex = (i: number): string => `Unable to access invalid index: ${i}: invalid index referenced`;

/** An object member (undefined when absent, which upstream does not treat as an error) or array item. */
function getChild(con: unknown, key: string): Got {
  if (isRecord(con))
    return { ok: true, value: Object.prototype.hasOwnProperty.call(con, key) ? con[key] : undefined };
  if (!Array.isArray(con)) return { ok: false, error: 'unknown object type' };
  const i = atoi(key);
  if (typeof i === 'string') return { ok: false, error: i };
  if (i >= con.length || i < 0) return { ok: false, error: invalidIndex(i) };
  return { ok: true, value: con[i] };
}

function addChild(con: Container, key: string, value: unknown): string | undefined {
  if (!Array.isArray(con)) {
    con[key] = value;
    return undefined;
  }
  if (key === '-') {
    con.push(value);
    return undefined;
  }
  let i = atoi(key);
  if (typeof i === 'string') return `value was not a proper array index: '${key}': ${i}`;
  const size = con.length + 1;
  if (i >= size || i < -size) return invalidIndex(i);
  if (i < 0) i += size;
  con.splice(i, 0, value);
  return undefined;
}

function removeChild(con: Container, key: string): string | undefined {
  if (!Array.isArray(con)) {
    if (!Object.prototype.hasOwnProperty.call(con, key))
      return `Unable to remove nonexistent key: ${key}: missing value`;
    delete con[key];
    return undefined;
  }
  let i = atoi(key);
  if (typeof i === 'string') return i;
  if (i >= con.length || i < -con.length) return invalidIndex(i);
  if (i < 0) i += con.length;
  con.splice(i, 1);
  return undefined;
}

/** lazyNode.equal: every member of the document's object must equal the op's (not the reverse). */
function equalNode(docValue: unknown, opValue: unknown): boolean {
  if (isRecord(docValue)) {
    if (!isRecord(opValue)) return false;
    return Object.keys(docValue).every(
      (k) => Object.prototype.hasOwnProperty.call(opValue, k) && equalNode(docValue[k], opValue[k]),
    );
  }
  if (Array.isArray(docValue)) {
    return (
      Array.isArray(opValue) &&
      docValue.length === opValue.length &&
      docValue.every((x, i) => equalNode(x, opValue[i]))
    );
  }
  return docValue === opValue;
}

function fail(detail: string): never {
  throw new PatchApplyError(detail);
}

function stringField(op: Record<string, unknown>, name: 'path' | 'from'): string | undefined {
  const v = op[name];
  return typeof v === 'string' ? v : undefined;
}

function applyOne(doc: unknown, op: Record<string, unknown>): void {
  const kind = typeof op.op === 'string' ? op.op : 'unknown';
  const path = stringField(op, 'path');
  const value = op.value === undefined ? null : op.value;
  switch (kind) {
    case 'add': {
      if (path === undefined) fail('add operation failed to decode path: missing value');
      const t =
        findObject(doc, path) ??
        fail(`add operation does not apply: doc is missing path: "${path}": missing value`);
      const err = addChild(t.con, t.key, cloneJSON(value));
      if (err) fail(`error in add for path: '${path}': ${err}`);
      return;
    }
    case 'remove': {
      if (path === undefined) fail('remove operation failed to decode path: missing value');
      const t =
        findObject(doc, path) ??
        fail(`remove operation does not apply: doc is missing path: "${path}": missing value`);
      const err = removeChild(t.con, t.key);
      if (err) fail(`error in remove for path: '${path}': ${err}`);
      return;
    }
    case 'replace': {
      if (path === undefined)
        fail('replace operation failed to decode path: operation missing path field: missing value');
      const t =
        findObject(doc, path) ??
        fail(`replace operation does not apply: doc is missing path: ${path}: missing value`);
      const got = getChild(t.con, t.key);
      if (!got.ok) fail(`replace operation does not apply: doc is missing key: ${path}: missing value`);
      if (Array.isArray(t.con)) t.con[Number(t.key)] = cloneJSON(value);
      else t.con[t.key] = cloneJSON(value);
      return;
    }
    case 'move': {
      const from = stringField(op, 'from');
      if (from === undefined)
        fail('move operation failed to decode from: operation, missing from field: missing value');
      const src =
        findObject(doc, from) ??
        fail(`move operation does not apply: doc is missing from path: ${from}: missing value`);
      const got = getChild(src.con, src.key);
      if (!got.ok) fail(`error in move for path: '${src.key}': ${got.error}`);
      const err = removeChild(src.con, src.key);
      if (err) fail(`error in move for path: '${src.key}': ${err}`);
      if (path === undefined)
        fail('move operation failed to decode path: operation missing path field: missing value');
      const dst =
        findObject(doc, path) ??
        fail(`move operation does not apply: doc is missing destination path: ${path}: missing value`);
      const addErr = addChild(dst.con, dst.key, got.value ?? null);
      if (addErr) fail(`error in move for path: '${path}': ${addErr}`);
      return;
    }
    case 'copy': {
      const from = stringField(op, 'from');
      if (from === undefined)
        fail('copy operation failed to decode from: operation, missing from field: missing value');
      const src =
        findObject(doc, from) ??
        fail(`copy operation does not apply: doc is missing from path: ${from}: missing value`);
      const got = getChild(src.con, src.key);
      if (!got.ok) fail(`error in copy for from: '${from}': ${got.error}`);
      if (path === undefined) fail('copy operation failed to decode path: missing value');
      const dst =
        findObject(doc, path) ??
        fail(`copy operation does not apply: doc is missing destination path: ${path}: missing value`);
      const addErr = addChild(dst.con, dst.key, cloneJSON(got.value ?? null));
      if (addErr) fail(`error while adding value during copy: ${addErr}`);
      return;
    }
    case 'test': {
      if (path === undefined)
        fail('test operation failed to decode path: operation missing path field: missing value');
      const t =
        findObject(doc, path) ??
        fail(`test operation does not apply: is missing path: ${path}: missing value`);
      const got = getChild(t.con, t.key);
      if (!got.ok) fail(`error in test for path: '${path}': ${got.error}`);
      const passes =
        got.value === undefined ? value === null : op.value !== undefined && equalNode(got.value, value);
      if (!passes) fail(`testing value ${path} failed: test failed`);
      return;
    }
    default:
      fail(`Unexpected kind: ${kind}`);
  }
}

/**
 * Applies the operations to a copy of doc. 400 when ops is not a list of objects, 413 past
 * 10000 operations, 422 when an operation does not apply.
 */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops))
    throw badRequest(`json: cannot unmarshal ${kindOf(ops)} into Go value of type jsonpatch.Patch`);
  for (const op of ops) {
    if (op !== null && !isRecord(op))
      throw badRequest(`json: cannot unmarshal ${kindOf(op)} into Go value of type jsonpatch.Operation`);
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(
      413,
      'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`,
    );
  }
  const out = cloneJSON(doc);
  for (const op of ops as (Record<string, unknown> | null)[]) applyOne(out, op ?? {});
  return out;
}
