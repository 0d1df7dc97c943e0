// How objects are laid out as JSON: kind and apiVersion first, then metadata, spec, the rest,
// status last (the field order of upstream's Go structs, which `kubectl get -o json` shows).
import { cloneJSON } from '../../api/json-value.js';
import type { KubeObject } from '../../api/types.js';

export function ordered(obj: KubeObject): KubeObject {
  const out: KubeObject = { kind: obj.kind, apiVersion: obj.apiVersion, metadata: obj.metadata };
  if (obj.kind === undefined) delete out.kind;
  if (obj.apiVersion === undefined) delete out.apiVersion;
  if ('spec' in obj) out.spec = obj.spec;
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'kind' || k === 'apiVersion' || k === 'metadata' || k === 'spec' || k === 'status') continue;
    out[k] = v;
  }
  if ('status' in obj) out.status = obj.status;
  return out;
}

/** Stored form: ordered, without resourceVersion (the storage revision is the truth). */
export function encodeForStorage(obj: KubeObject): Uint8Array {
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  return Buffer.from(JSON.stringify(ordered({ ...obj, metadata: meta })));
}

export function decodeFromStorage(value: Uint8Array, modRevision: number): KubeObject {
  const obj = JSON.parse(
    Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8'),
  ) as KubeObject;
  obj.metadata.resourceVersion = String(modRevision);
  return obj;
}

/** Deep copy for objects that came from the cache (cached objects are shared and never mutated). */
export function clone<T>(v: T): T {
  return cloneJSON(v);
}
