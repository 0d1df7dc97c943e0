// What configMap, secret, downwardAPI and projected volumes contain (upstream's volume plugins'
// MakePayload functions): the files, their paths and modes, and the errors kubelet reports
// (`configmap "x" not found`, `configmap references non-existent config key: k`).
import type { KubeObject } from '../../api/types.js';
import type { Pod } from '../runtime/types.js';
import { fieldRefValue, resourceFieldRefValue, type FieldRef, type ResourceFieldRef } from './downward.js';
import type { Payload } from './atomic-writer.js';

/** 0644: every source's defaultMode default. */
export const DEFAULT_MODE = 0o644;

export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

export interface DownwardItem {
  path: string;
  fieldRef?: FieldRef;
  resourceFieldRef?: ResourceFieldRef;
  mode?: number;
}

export interface ConfigMapSource {
  name?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

export interface SecretSource {
  secretName?: string;
  items?: KeyToPath[];
  defaultMode?: number;
  optional?: boolean;
}

export interface ProjectedSource {
  configMap?: Omit<ConfigMapSource, 'defaultMode'>;
  secret?: Omit<ConfigMapSource, 'defaultMode'>;
  downwardAPI?: { items?: DownwardItem[] };
  serviceAccountToken?: { path: string; expirationSeconds?: number; audience?: string };
}

export interface VolumeSource {
  name: string;
  configMap?: ConfigMapSource;
  secret?: SecretSource;
  downwardAPI?: { items?: DownwardItem[]; defaultMode?: number };
  projected?: { sources?: ProjectedSource[]; defaultMode?: number };
}

/** The objects a pod's volumes read, fetched beforehand (undefined: not found). */
export interface VolumeObjects {
  configMap(name: string): KubeObject | undefined;
  secret(name: string): KubeObject | undefined;
  /** A bound service-account token for this expiration and audience. */
  token(expirationSeconds: number, audience: string): string;
  podIP?: string;
  hostIP?: string;
}

export class VolumeError extends Error {}

type StrMap = Record<string, string>;

/** key → bytes of a ConfigMap (data and binaryData) or a Secret (data, base64). */
export function objectData(kind: 'configmap' | 'secret', obj: KubeObject): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const o = obj as KubeObject & { data?: StrMap; binaryData?: StrMap; stringData?: StrMap };
  if (kind === 'configmap') {
    for (const [k, v] of Object.entries(o.data ?? {})) out.set(k, Buffer.from(v, 'utf8'));
    for (const [k, v] of Object.entries(o.binaryData ?? {})) out.set(k, Buffer.from(v, 'base64'));
  } else for (const [k, v] of Object.entries(o.data ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

function keysToPaths(
  kind: 'configmap' | 'secret',
  data: Map<string, Buffer>,
  items: KeyToPath[] | undefined,
  mode: number,
  optional: boolean,
  into: Payload,
): void {
  if (!items?.length) {
    for (const [k, v] of data) into.set(k, { data: v, mode });
    return;
  }
  for (const it of items) {
    const v = data.get(it.key);
    if (!v) {
      if (optional) continue;
      throw new VolumeError(
        kind === 'configmap'
          ? `configmap references non-existent config key: ${it.key}`
          : `references non-existent secret key: ${it.key}`,
      );
    }
    into.set(it.path, { data: v, mode: it.mode ?? mode });
  }
}

function objectPayload(
  kind: 'configmap' | 'secret',
  name: string,
  obj: KubeObject | undefined,
  items: KeyToPath[] | undefined,
  mode: number,
  optional: boolean,
  into: Payload,
): void {
  if (!obj) {
    if (optional) return;
    throw new VolumeError(`${kind} "${name}" not found`);
  }
  keysToPaths(kind, objectData(kind, obj), items, mode, optional, into);
}

function downwardPayload(
  pod: Pod,
  items: DownwardItem[],
  mode: number,
  objs: VolumeObjects,
  into: Payload,
): void {
  for (const it of items) {
    let value: string;
    if (it.fieldRef) value = fieldRefValue(pod, it.fieldRef.fieldPath, objs);
    else if (it.resourceFieldRef) value = resourceFieldRefValue(pod, it.resourceFieldRef, '');
    else continue;
    into.set(it.path, { data: Buffer.from(value, 'utf8'), mode: it.mode ?? mode });
  }
}

/** The volume's files; undefined for a kind these plugins do not handle (emptyDir, hostPath, ...). */
export function volumePayload(pod: Pod, v: VolumeSource, objs: VolumeObjects): Payload | undefined {
  const out: Payload = new Map();
  if (v.configMap) {
    const c = v.configMap;
    const name = c.name ?? '';
    objectPayload(
      'configmap',
      name,
      objs.configMap(name),
      c.items,
      c.defaultMode ?? DEFAULT_MODE,
      !!c.optional,
      out,
    );
  } else if (v.secret) {
    const s = v.secret;
    const name = s.secretName ?? '';
    objectPayload(
      'secret',
      name,
      objs.secret(name),
      s.items,
      s.defaultMode ?? DEFAULT_MODE,
      !!s.optional,
      out,
    );
  } else if (v.downwardAPI) {
    downwardPayload(pod, v.downwardAPI.items ?? [], v.downwardAPI.defaultMode ?? DEFAULT_MODE, objs, out);
  } else if (v.projected) {
    const mode = v.projected.defaultMode ?? DEFAULT_MODE;
    for (const src of v.projected.sources ?? []) {
      if (src.configMap) {
        const n = src.configMap.name ?? '';
        objectPayload(
          'configmap',
          n,
          objs.configMap(n),
          src.configMap.items,
          mode,
          !!src.configMap.optional,
          out,
        );
      } else if (src.secret) {
        const n = src.secret.name ?? '';
        objectPayload('secret', n, objs.secret(n), src.secret.items, mode, !!src.secret.optional, out);
      } else if (src.downwardAPI) downwardPayload(pod, src.downwardAPI.items ?? [], mode, objs, out);
      else if (src.serviceAccountToken) {
        const t = src.serviceAccountToken;
        const token = objs.token(t.expirationSeconds ?? 3600, t.audience ?? '');
        out.set(t.path, { data: Buffer.from(token, 'utf8'), mode });
      }
    }
  } else return undefined;
  return out;
}

/** The volume kinds a pod spec may name (any volume shape). */
export interface AnyVolume {
  name: string;
  configMap?: unknown;
  secret?: unknown;
  downwardAPI?: unknown;
  projected?: unknown;
}

/** upstream's plugin directory names under pods/<uid>/volumes. */
export function pluginDir(v: AnyVolume): string | undefined {
  if (v.configMap) return 'kubernetes.io~configmap';
  if (v.secret) return 'kubernetes.io~secret';
  if (v.downwardAPI) return 'kubernetes.io~downward-api';
  if (v.projected) return 'kubernetes.io~projected';
  return undefined;
}
