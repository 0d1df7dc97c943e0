// Service backends resolved as ingress-nginx does: straight to the ready endpoints of the
// Service's EndpointSlices (pod IP : target port), not through the ClusterIP, picked
// round-robin. A backend that cannot be resolved carries the reason, which becomes a Warning
// event on the Ingress and the 503 text a client sees.
import type { KubeObject } from '../api/types.js';
import type { BackendRef } from './routes.js';

export interface Endpoint {
  host: string;
  port: number;
}

export interface ResolvedBackend {
  key: string;
  endpoints: Endpoint[];
  /** why there is nothing to send to (missing Service, unknown port, resource backend) */
  problem?: string;
  /** true when the problem is the user's object, worth a Warning event */
  warn?: boolean;
  next: number;
}

interface ServicePort {
  name?: string;
  port?: number;
  protocol?: string;
}

interface Slice {
  addressType?: string;
  ports?: { name?: string; port?: number; protocol?: string }[];
  endpoints?: { addresses?: string[]; conditions?: { ready?: boolean } }[];
}

export interface Lookups {
  service(namespace: string, name: string): KubeObject | undefined;
  /** the EndpointSlices labelled kubernetes.io/service-name=name in the namespace */
  slices(namespace: string, name: string): KubeObject[];
}

export function backendKey(b: BackendRef): string {
  if (b.kind === 'resource') return `resource:${b.namespace}/${b.apiGroup ?? ''}/${b.resourceKind}/${b.name}`;
  return `service:${b.namespace}/${b.name}:${b.port.number ?? b.port.name ?? ''}`;
}

export function resolveBackend(b: BackendRef, l: Lookups): ResolvedBackend {
  const key = backendKey(b);
  const empty = (problem: string, warn = true): ResolvedBackend => ({
    key,
    endpoints: [],
    problem,
    warn,
    next: 0,
  });
  if (b.kind === 'resource')
    return empty(
      `resource backend ${b.apiGroup ? b.apiGroup + '/' : ''}${b.resourceKind} "${b.name}" is not supported by the k8ts ingress controller`,
    );
  const svc = l.service(b.namespace, b.name);
  if (!svc) return empty(`Service "${b.namespace}/${b.name}" does not exist`);
  const ports = ((svc.spec as { ports?: ServicePort[] } | undefined)?.ports ?? []).filter(
    (p) => (p.protocol ?? 'TCP') === 'TCP',
  );
  const sp = ports.find((p) =>
    b.port.number !== undefined ? p.port === b.port.number : p.name === b.port.name,
  );
  const wanted = b.port.number !== undefined ? String(b.port.number) : `"${b.port.name ?? ''}"`;
  if (!sp) return empty(`Service "${b.namespace}/${b.name}" does not have a port ${wanted}`);
  const endpoints: Endpoint[] = [];
  const seen = new Set<string>();
  for (const s of l.slices(b.namespace, b.name)) {
    const slice = s as Slice;
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    const port = slice.ports?.find(
      (p) => (p.name ?? '') === (sp.name ?? '') && (p.protocol ?? 'TCP') === 'TCP',
    );
    if (!port?.port) continue;
    for (const e of slice.endpoints ?? []) {
      // a missing ready condition means ready (EndpointConditions doc)
      if (e.conditions?.ready === false) continue;
      const addr = e.addresses?.[0];
      if (!addr || seen.has(`${addr}:${port.port}`)) continue;
      seen.add(`${addr}:${port.port}`);
      endpoints.push({ host: addr, port: port.port });
    }
  }
  if (!endpoints.length)
    return empty(`Service "${b.namespace}/${b.name}" does not have any active Endpoint`, false);
  return { key, endpoints, next: 0 };
}

/** The next endpoint, round-robin. */
export function pick(b: ResolvedBackend): Endpoint | undefined {
  if (!b.endpoints.length) return undefined;
  const e = b.endpoints[b.next % b.endpoints.length];
  b.next = (b.next + 1) % b.endpoints.length;
  return e;
}
