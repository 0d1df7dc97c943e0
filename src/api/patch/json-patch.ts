// RFC 6902 JSON Patch (application/json-patch+json), with the error texts kube-apiserver
// returns through evanphx/json-patch.
import { StatusError, badRequest } from '../errors.js';
import { isRecord } from '../types.js';

type Json = unknown;

function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePath(path: unknown): string[] {
  if (typeof path !== 'string') throw unprocessable(`missing path`);
  if (path === '') return [];
  if (!path.startsWith('/')) throw unprocessable(`invalid path ${path}`);
  return path.slice(1).split('/').map(unescapePointer);
}

function unprocessable(msg: string): StatusError {
  return new StatusError(422, 'Invalid', msg);
}

function container(doc: Json, tokens: string[], op: string, path: string): { parent: Json; key: string } {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isRecord(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw unprocessable(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  return { parent: cur, key: tokens[tokens.length - 1] };
}

function arrayIndex(arr: Json[], key: string, forAdd: boolean, path: string): number {
  if (forAdd && key === '-') return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(key)) throw unprocessable(`Unable to access invalid index: ${key}: invalid index referenced: ${path}`);
  const i = Number(key);
  if (i > arr.length || (!forAdd && i >= arr.length)) throw unprocessable(`Unable to access invalid index: ${i}: invalid index referenced: ${path}`);
  return i;
}

function get(doc: Json, tokens: string[], op: string, path: string): Json {
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) {
      const i = Number(t);
      cur = /^\d+$/.test(t) && i < cur.length ? cur[i] : undefined;
    } else if (isRecord(cur)) cur = Object.prototype.hasOwnProperty.call(cur, t) ? cur[t] : undefined;
    else cur = undefined;
    if (cur === undefined) throw unprocessable(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  return cur;
}

function add(doc: Json, tokens: string[], value: Json, path: string, op = 'add'): Json {
  if (tokens.length === 0) return value;
  const { parent, key } = container(doc, tokens, op, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true, path), 0, value);
  else if (isRecord(parent)) parent[key] = value;
  else throw unprocessable(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  return doc;
}

function remove(doc: Json, tokens: string[], path: string, op = 'remove'): Json {
  const { parent, key } = container(doc, tokens, op, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, false, path), 1);
  else if (isRecord(parent) && Object.prototype.hasOwnProperty.call(parent, key)) delete parent[key];
  else throw unprocessable(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  return doc;
}

function deepEqual(a: Json, b: Json): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isRecord(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

/** Applies the operations to a deep copy of doc; throws 422 when an operation does not apply. */
export function applyJsonPatch(doc: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let out = structuredClone(doc);
  for (const raw of ops) {
    if (!isRecord(raw)) throw badRequest('json: cannot unmarshal into Go value of type jsonpatch.Operation');
    const op = raw.op;
    const path = String(raw.path ?? '');
    const tokens = parsePath(raw.path);
    switch (op) {
      case 'add':
        out = add(out, tokens, structuredClone(raw.value), path);
        break;
      case 'remove':
        out = remove(out, tokens, path);
        break;
      case 'replace':
        get(out, tokens, 'replace', path);
        out = tokens.length === 0 ? structuredClone(raw.value) : add(remove(out, tokens, path, 'replace'), tokens, structuredClone(raw.value), path, 'replace');
        break;
      case 'move': {
        const from = String(raw.from ?? '');
        const value = get(out, parsePath(raw.from), 'move', from);
        out = add(remove(out, parsePath(raw.from), from, 'move'), tokens, value, path, 'move');
        break;
      }
      case 'copy': {
        const from = String(raw.from ?? '');
        out = add(out, tokens, structuredClone(get(out, parsePath(raw.from), 'copy', from)), path, 'copy');
        break;
      }
      case 'test':
        if (!deepEqual(get(out, tokens, 'test', path), raw.value)) throw unprocessable(`testing value ${path} failed: test failed`);
        break;
      default:
        throw unprocessable(`Unexpected kind: ${String(op)}`);
    }
  }
  return out;
}
