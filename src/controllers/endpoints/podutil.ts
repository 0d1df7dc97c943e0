// What the Endpoints, EndpointSlice and mirroring controllers agree on about pods and services
// (upstream's endpointutil and podutil): which pods a service selects, which of them are
// endpoints, their IP of a family, named target ports, hostnames, and the trigger time.
import { isIP } from 'node:net';
import type { KubeObject } from '../../api/types.js';

export interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
  targetPort?: number | string;
}

interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

interface PodSpec {
  nodeName?: string;
  hostname?: string;
  subdomain?: string;
  containers?: { ports?: ContainerPort[] }[];
  initContainers?: { ports?: ContainerPort[]; restartPolicy?: string }[];
}

interface PodStatus {
  phase?: string;
  podIP?: string;
  podIPs?: { ip: string }[];
  conditions?: { type: string; status: string; lastTransitionTime?: string }[];
}

export interface ServiceSpec {
  selector?: Record<string, string>;
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ports?: ServicePort[];
  publishNotReadyAddresses?: boolean;
}

export const podSpec = (p: KubeObject) => (p.spec ?? {}) as PodSpec;
export const podStatus = (p: KubeObject) => (p.status ?? {}) as PodStatus;
export const serviceSpec = (s: KubeObject) => (s.spec ?? {}) as ServiceSpec;

/** The `kubernetes` service's endpoints belong to the API server, not to these controllers. */
export function apiServerOwned(namespace: string, name: string): boolean {
  return namespace === 'default' && name === 'kubernetes';
}

/** A service with a non-empty selector that is not ExternalName gets endpoints from us. */
export function selectsPods(svc: KubeObject): boolean {
  const sp = serviceSpec(svc);
  return !!sp.selector && Object.keys(sp.selector).length > 0 && sp.type !== 'ExternalName';
}

export function selects(selector: Record<string, string>, pod: KubeObject): boolean {
  const labels = pod.metadata.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export function isPodReady(pod: KubeObject): boolean {
  return podStatus(pod).conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** upstream's ShouldPodBeInEndpoints: has an IP, not terminal, and (unless asked) not terminating. */
export function shouldPodBeInEndpoints(pod: KubeObject, includeTerminating: boolean): boolean {
  const st = podStatus(pod);
  if (!st.podIP && !st.podIPs?.length) return false;
  if (st.phase === 'Failed' || st.phase === 'Succeeded') return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

export function familyOf(ip: string): 'IPv4' | 'IPv6' | undefined {
  const v = isIP(ip);
  return v === 4 ? 'IPv4' : v === 6 ? 'IPv6' : undefined;
}

/** The pod's IP of one family, if it has one. */
export function podIPOfFamily(pod: KubeObject, family: string): string | undefined {
  const st = podStatus(pod);
  const ips = st.podIPs?.length ? st.podIPs.map((p) => p.ip) : st.podIP ? [st.podIP] : [];
  return ips.find((ip) => familyOf(ip) === family);
}

/** The service's IP families: spec.ipFamilies, else the family of its cluster IP (IPv4 if none). */
export function serviceFamilies(svc: KubeObject): string[] {
  const sp = serviceSpec(svc);
  if (sp.ipFamilies?.length) return sp.ipFamilies;
  const fam = sp.clusterIP ? familyOf(sp.clusterIP) : undefined;
  return [fam ?? 'IPv4'];
}

/**
 * The pod port a service port reaches (upstream's podutil.FindPort): a number as given, a
 * name looked up among the containers' (and restartable init containers') ports of the same
 * protocol. Undefined when the pod has no such port.
 */
export function findPort(pod: KubeObject, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  const spec = podSpec(pod);
  const containers = [
    ...(spec.containers ?? []),
    ...(spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
  ];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** The pod's hostname is published when its subdomain names this service. */
export function shouldSetHostname(pod: KubeObject, svc: KubeObject): boolean {
  const spec = podSpec(pod);
  return (
    !!spec.hostname &&
    spec.subdomain === svc.metadata.name &&
    svc.metadata.namespace === pod.metadata.namespace
  );
}

export function isHeadless(svc: KubeObject): boolean {
  return serviceSpec(svc).clusterIP === 'None';
}

/**
 * upstream's TriggerTimeTracker: the time of the oldest change not yet written to a service's
 * endpoints (a pod's Ready transition, or the service's creation), for the
 * endpoints.kubernetes.io/last-change-trigger-time annotation.
 */
export class TriggerTimeTracker {
  private readonly state = new Map<string, { service: string; pods: Map<string, string> }>();

  compute(key: string, svc: KubeObject, pods: KubeObject[]): string | undefined {
    const prior = this.state.get(key);
    const next = { service: svc.metadata.creationTimestamp ?? '', pods: new Map<string, string>() };
    let min: string | undefined;
    const consider = (t: string) => {
      if (t && (min === undefined || Date.parse(t) < Date.parse(min))) min = t;
    };
    for (const pod of pods) {
      const ready = podStatus(pod).conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '';
      next.pods.set(pod.metadata.name!, ready);
      if (prior?.pods.get(pod.metadata.name!) !== ready) consider(ready);
    }
    if (prior?.service !== next.service) consider(next.service);
    this.state.set(key, next);
    return min;
  }

  forget(key: string): void {
    this.state.delete(key);
  }
}

export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
