// Typed views of the objects the workload controllers read. The informers hand out KubeObject;
// these narrow it to the upstream shapes (kubernetes-types) the controllers work with.
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/types.js';

export type { Pod, PodTemplateSpec, OwnerReference };

/** Any object with a pod template and a replica count (ReplicaSet, ReplicationController, ...). */
export interface Workload extends KubeObject {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    template?: PodTemplateSpec;
    [field: string]: unknown;
  };
  status?: Record<string, unknown>;
}

export const asPod = (o: KubeObject): Pod => o as unknown as Pod;
export const asKube = (p: Pod): KubeObject => p as unknown as KubeObject;

export function keyOf(o: { metadata?: { namespace?: string; name?: string } }): string {
  const m = o.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name}` : (m.name ?? '');
}

export function splitKey(key: string): [namespace: string, name: string] {
  const i = key.indexOf('/');
  return i < 0 ? ['', key] : [key.slice(0, i), key.slice(i + 1)];
}

/** metav1.Now() as the API serializes it (RFC 3339, seconds). */
export function nowStamp(now = Date.now()): string {
  return new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
}

export function deepCopy<T>(v: T): T {
  return structuredClone(v);
}
