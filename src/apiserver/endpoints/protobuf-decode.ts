// Request bodies in Kubernetes' protobuf encoding (application/vnd.kubernetes.protobuf) for the
// few types client-go's typed clients write that way in practice: helm's release storage writes
// Secrets (and ConfigMaps with HELM_DRIVER=configmap) and deletes them with DeleteOptions. The
// envelope is "k8s\0" + runtime.Unknown{typeMeta, raw}; field numbers are upstream's
// generated.proto ones. Other kinds are answered 415, as before.
import { unsupportedMediaType } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

type Fields = Map<number, (Buffer | number)[]>;

function varint(buf: Buffer, pos: { i: number }): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos.i++];
    if (b === undefined) throw new Error('truncated varint');
    result += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return result;
    shift += 7;
  }
}

/** Splits a message into its fields: length-delimited ones as Buffers, varints as numbers. */
function fields(buf: Buffer): Fields {
  const out: Fields = new Map();
  const pos = { i: 0 };
  while (pos.i < buf.length) {
    const tag = varint(buf, pos);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    let value: Buffer | number;
    if (wire === 0) value = varint(buf, pos);
    else if (wire === 2) {
      const len = varint(buf, pos);
      value = buf.subarray(pos.i, pos.i + len);
      pos.i += len;
    } else if (wire === 1) {
      value = Number(buf.readBigInt64LE(pos.i));
      pos.i += 8;
    } else if (wire === 5) {
      value = buf.readInt32LE(pos.i);
      pos.i += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

const str = (f: Fields, n: number) => {
  const v = f.get(n)?.at(-1);
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
};
const num = (f: Fields, n: number) => {
  const v = f.get(n)?.at(-1);
  return typeof v === 'number' ? v : undefined;
};
const msg = (f: Fields, n: number) => {
  const v = f.get(n)?.at(-1);
  return Buffer.isBuffer(v) ? fields(v) : undefined;
};

function map(f: Fields, n: number, bytes = false): Record<string, string> | undefined {
  const entries = f.get(n);
  if (!entries?.length) return undefined;
  const out: Record<string, string> = {};
  for (const e of entries) {
    if (!Buffer.isBuffer(e)) continue;
    const kv = fields(e);
    const v = kv.get(2)?.at(-1);
    out[str(kv, 1) ?? ''] = Buffer.isBuffer(v) ? (bytes ? v.toString('base64') : v.toString('utf8')) : '';
  }
  return out;
}

function time(f: Fields | undefined): string | undefined {
  const s = f && num(f, 1);
  return s === undefined ? undefined : new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function objectMeta(f: Fields | undefined): KubeObject['metadata'] {
  const m: Record<string, unknown> = {};
  if (!f) return m;
  const set = (k: string, v: unknown) => v !== undefined && v !== '' && (m[k] = v);
  set('name', str(f, 1));
  set('generateName', str(f, 2));
  set('namespace', str(f, 3));
  set('uid', str(f, 5));
  set('resourceVersion', str(f, 6));
  set('generation', num(f, 7));
  set('creationTimestamp', time(msg(f, 8)));
  set('labels', map(f, 11));
  set('annotations', map(f, 12));
  const owners = (f.get(13) ?? []).filter(Buffer.isBuffer).map((b) => {
    const o = fields(b);
    const ref: Record<string, unknown> = {
      apiVersion: str(o, 5),
      kind: str(o, 1),
      name: str(o, 3),
      uid: str(o, 4),
    };
    if (num(o, 6) !== undefined) ref.controller = num(o, 6) === 1;
    if (num(o, 7) !== undefined) ref.blockOwnerDeletion = num(o, 7) === 1;
    return ref;
  });
  if (owners.length) m.ownerReferences = owners;
  const finalizers = (f.get(14) ?? []).filter(Buffer.isBuffer).map((b) => b.toString('utf8'));
  if (finalizers.length) m.finalizers = finalizers;
  return m as KubeObject['metadata'];
}

function unwrap(raw: Buffer): { apiVersion: string; kind: string; body: Fields } {
  if (raw.length < 4 || MAGIC.some((b, i) => raw[i] !== b)) throw unsupportedMediaType(['application/json']);
  const unknown = fields(raw.subarray(4));
  const typeMeta = msg(unknown, 1);
  const body = unknown.get(2)?.at(-1);
  return {
    apiVersion: (typeMeta && str(typeMeta, 1)) ?? '',
    kind: (typeMeta && str(typeMeta, 2)) ?? '',
    body: Buffer.isBuffer(body) ? fields(body) : new Map(),
  };
}

/** A protobuf-encoded Secret or ConfigMap as its JSON form; anything else is 415. */
export function decodeProtobufObject(raw: Buffer, accepted: string[]): KubeObject {
  const { apiVersion, kind, body } = unwrap(raw);
  const obj: Record<string, unknown> = { apiVersion, kind, metadata: objectMeta(msg(body, 1)) };
  if (kind === 'Secret') {
    const data = map(body, 2, true);
    if (data) obj.data = data;
    const type = str(body, 3);
    if (type) obj.type = type;
    const stringData = map(body, 4);
    if (stringData) obj.stringData = stringData;
    if (num(body, 5) !== undefined) obj.immutable = num(body, 5) === 1;
  } else if (kind === 'ConfigMap') {
    const data = map(body, 2);
    if (data) obj.data = data;
    const binary = map(body, 3, true);
    if (binary) obj.binaryData = binary;
    if (num(body, 4) !== undefined) obj.immutable = num(body, 4) === 1;
  } else throw unsupportedMediaType(accepted);
  return obj as KubeObject;
}

/** A protobuf-encoded DeleteOptions as its JSON form. */
export function decodeProtobufDeleteOptions(raw: Buffer): Record<string, unknown> {
  const { body } = unwrap(raw);
  const out: Record<string, unknown> = {};
  if (num(body, 1) !== undefined) out.gracePeriodSeconds = num(body, 1);
  const pre = msg(body, 2);
  if (pre) out.preconditions = { uid: str(pre, 1), resourceVersion: str(pre, 2) };
  if (num(body, 3) !== undefined) out.orphanDependents = num(body, 3) === 1;
  if (str(body, 4)) out.propagationPolicy = str(body, 4);
  return out;
}
