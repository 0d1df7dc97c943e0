// What kube-proxy programs, reduced from Services and EndpointSlices (upstream's
// ServicePortMap and EndpointsMap): one entry per service port with a ClusterIP, and the
// endpoints serving it, with the conditions traffic policies need.
import type { KubeObject } from '../api/types.js';

export interface ServicePort {
  /** "ns/name:portName" as upstream's ServicePortName.String() (portName may be ''). */
  name: string;
  namespace: string;
  service: string;
  portName: string;
  /** lower case: tcp, udp, sctp */
  protocol: string;
  clusterIPs: string[];
  port: number;
  nodePort: number;
  externalIPs: string[];
  loadBalancerIPs: string[];
  loadBalancerSourceRanges: string[];
  sessionAffinityClientIP: boolean;
  stickyMaxAgeSeconds: number;
  externalPolicyLocal: boolean;
  internalPolicyLocal: boolean;
  healthCheckNodePort: number;
}

export interface Endpoint {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName: string;
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  externalIPs?: string[];
  sessionAffinity?: string;
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  externalTrafficPolicy?: string;
  internalTrafficPolicy?: string;
  healthCheckNodePort?: number;
  loadBalancerSourceRanges?: string[];
  ports?: { name?: string; port: number; protocol?: string; nodePort?: number }[];
}

/** upstream's default ClientIP affinity timeout (v1.DefaultClientIPServiceAffinitySeconds) */
const DEFAULT_STICKY_SECONDS = 10800;
/** Services that ask for another proxy (service.kubernetes.io/service-proxy-name) are skipped, as upstream. */
const SERVICE_PROXY_NAME = 'service.kubernetes.io/service-proxy-name';

/** The service ports kube-proxy programs for one IP family. */
export function servicePorts(svc: KubeObject, family: 'IPv4' | 'IPv6'): ServicePort[] {
  const spec = (svc.spec ?? {}) as ServiceSpec;
  if (svc.metadata.labels?.[SERVICE_PROXY_NAME]) return [];
  if (spec.type === 'ExternalName' || !spec.clusterIP || spec.clusterIP === 'None') return [];
  const fam = (ip: string) => (ip.includes(':') ? 'IPv6' : 'IPv4') === family;
  const clusterIPs = (spec.clusterIPs ?? [spec.clusterIP]).filter(fam);
  if (clusterIPs.length === 0) return [];
  const lb = (
    (svc.status as { loadBalancer?: { ingress?: { ip?: string }[] } } | undefined)?.loadBalancer?.ingress ??
    []
  )
    .map((i) => i.ip ?? '')
    .filter((ip) => ip && fam(ip));
  const externallyAccessible = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  return (spec.ports ?? []).map((p) => ({
    name: `${svc.metadata.namespace}/${svc.metadata.name}:${p.name ?? ''}`,
    namespace: svc.metadata.namespace ?? '',
    service: svc.metadata.name ?? '',
    portName: p.name ?? '',
    protocol: (p.protocol ?? 'TCP').toLowerCase(),
    clusterIPs,
    port: p.port,
    nodePort: externallyAccessible ? (p.nodePort ?? 0) : 0,
    externalIPs: (spec.externalIPs ?? []).filter(fam),
    loadBalancerIPs: spec.type === 'LoadBalancer' ? lb : [],
    loadBalancerSourceRanges: spec.loadBalancerSourceRanges ?? [],
    sessionAffinityClientIP: spec.sessionAffinity === 'ClientIP',
    stickyMaxAgeSeconds: spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_STICKY_SECONDS,
    externalPolicyLocal: externallyAccessible && spec.externalTrafficPolicy === 'Local',
    internalPolicyLocal: spec.internalTrafficPolicy === 'Local',
    healthCheckNodePort: spec.healthCheckNodePort ?? 0,
  }));
}

interface Slice extends KubeObject {
  addressType?: string;
  endpoints?: {
    addresses: string[];
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
    nodeName?: string;
  }[];
  ports?: { name?: string; port?: number; protocol?: string }[];
}

/** Endpoints per "ns/name:portName/protocol" from a service's EndpointSlices (one family). */
export function endpointsOf(slices: KubeObject[], family: 'IPv4' | 'IPv6'): Map<string, Endpoint[]> {
  const out = new Map<string, Endpoint[]>();
  for (const s of slices as Slice[]) {
    if (s.addressType !== family) continue;
    const svc = s.metadata.labels?.['kubernetes.io/service-name'];
    if (!svc) continue;
    for (const p of s.ports ?? []) {
      if (p.port === undefined) continue;
      const key = `${s.metadata.namespace}/${svc}:${p.name ?? ''}/${(p.protocol ?? 'TCP').toLowerCase()}`;
      const list = out.get(key) ?? [];
      for (const e of s.endpoints ?? []) {
        const ready = e.conditions?.ready !== false;
        const endpoint: Endpoint = {
          ip: e.addresses[0],
          port: p.port,
          ready,
          // as upstream: serving defaults to ready, terminating to false
          serving: e.conditions?.serving ?? ready,
          terminating: e.conditions?.terminating ?? false,
          nodeName: e.nodeName ?? '',
        };
        if (!list.some((x) => x.ip === endpoint.ip && x.port === endpoint.port)) list.push(endpoint);
      }
      out.set(key, list);
    }
  }
  for (const list of out.values())
    list.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.port - b.port));
  return out;
}

/**
 * upstream's CategorizeEndpoints: ready endpoints (else, when none is ready, the serving
 * terminating ones) for Cluster policy; the same restricted to this node for Local.
 */
export function categorize(
  eps: Endpoint[],
  sp: ServicePort,
  nodeName: string,
): { cluster: Endpoint[]; local: Endpoint[]; reachable: Endpoint[]; hasAny: boolean } {
  const usable = (list: Endpoint[]) => {
    const ready = list.filter((e) => e.ready);
    return ready.length ? ready : list.filter((e) => e.serving && e.terminating);
  };
  const cluster = usable(eps);
  const local = usable(eps.filter((e) => e.nodeName === nodeName));
  const usesCluster = !sp.internalPolicyLocal || (externallyAccessible(sp) && !sp.externalPolicyLocal);
  const usesLocal = sp.internalPolicyLocal || (externallyAccessible(sp) && sp.externalPolicyLocal);
  const reachable = new Map<string, Endpoint>();
  if (usesCluster) for (const e of cluster) reachable.set(`${e.ip}:${e.port}`, e);
  if (usesLocal) for (const e of local) reachable.set(`${e.ip}:${e.port}`, e);
  return { cluster, local, reachable: [...reachable.values()], hasAny: cluster.length > 0 };
}

/** Reachable from outside the cluster network: node ports, external IPs, load-balancer IPs. */
export function externallyAccessible(sp: ServicePort): boolean {
  return sp.nodePort > 0 || sp.externalIPs.length > 0 || sp.loadBalancerIPs.length > 0;
}
