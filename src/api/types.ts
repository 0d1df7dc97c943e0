// Shapes shared by every layer: the generic Kubernetes object and the names that address it.
import type { ObjectMeta as UpstreamObjectMeta } from 'kubernetes-types/meta/v1.js';

/** kubernetes-types marks server-set fields readonly for clients; the server writes them. */
export type ObjectMeta = { -readonly [K in keyof UpstreamObjectMeta]: UpstreamObjectMeta[K] };

/** Any Kubernetes object as it travels through the API server: typed metadata, the rest open. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** Group/version/resource: how a URL names a collection. The core group is ''. */
export interface GVR {
  group: string;
  version: string;
  resource: string;
}

/** Group/version/kind: how a body names its type. */
export interface GVK {
  group: string;
  version: string;
  kind: string;
}

export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** "deployments.apps" for messages; plain "pods" in the core group (upstream's GroupResource.String()). */
export function groupResource(group: string, resource: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
