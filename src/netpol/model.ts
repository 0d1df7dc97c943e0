// NetworkPolicy semantics (networking.k8s.io/v1), independent of iptables: which pods a policy
// selects, which peers a rule admits (pods by pod/namespace selector, ipBlocks with except) and
// on which ports (numbers, ranges with endPort, named ports resolved against the pod that owns
// them). The compiler (rules.ts) turns the answers into chains.
import { labelSelectorFromObject, type LabelSelectorObject } from '../api/selectors/index.js';
import { isRecord, type KubeObject } from '../api/types.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface PodInfo {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ip: string;
  nodeName: string;
  /** container ports by name: name → {port, protocol} */
  namedPorts: Map<string, { port: number; protocol: Protocol }>;
}

export interface PortMatch {
  protocol: Protocol;
  /** undefined: every port of the protocol */
  port?: number;
  endPort?: number;
}

/** One allowed (peer, port) combination: `ips`/`cidr` undefined means any address. */
export interface Allow {
  ips?: string[];
  cidr?: string;
  except?: string[];
  ports?: PortMatch[];
}

interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}
interface PolicyPeer {
  podSelector?: LabelSelectorObject;
  namespaceSelector?: LabelSelectorObject;
  ipBlock?: { cidr: string; except?: string[] };
}
interface PolicyRule {
  ports?: PolicyPort[];
  from?: PolicyPeer[];
  to?: PolicyPeer[];
}
export interface PolicySpec {
  podSelector?: LabelSelectorObject;
  policyTypes?: string[];
  ingress?: PolicyRule[];
  egress?: PolicyRule[];
}

export function podInfo(p: KubeObject): PodInfo | undefined {
  const spec = (p.spec ?? {}) as {
    nodeName?: string;
    hostNetwork?: boolean;
    containers?: { ports?: { name?: string; containerPort?: number; protocol?: string }[] }[];
  };
  const status = (p.status ?? {}) as { podIP?: string; podIPs?: { ip: string }[]; phase?: string };
  const ip = (status.podIPs ?? []).map((x) => x.ip).find((x) => !x.includes(':')) ?? status.podIP ?? '';
  if (
    !ip ||
    ip.includes(':') ||
    spec.hostNetwork ||
    status.phase === 'Succeeded' ||
    status.phase === 'Failed'
  )
    return undefined;
  const namedPorts = new Map<string, { port: number; protocol: Protocol }>();
  for (const c of spec.containers ?? [])
    for (const port of c.ports ?? [])
      if (port.name && port.containerPort)
        namedPorts.set(port.name, {
          port: port.containerPort,
          protocol: (port.protocol ?? 'TCP') as Protocol,
        });
  return {
    namespace: p.metadata.namespace ?? 'default',
    name: p.metadata.name ?? '',
    labels: p.metadata.labels ?? {},
    ip,
    nodeName: spec.nodeName ?? '',
    namedPorts,
  };
}

export function policySpec(np: KubeObject): PolicySpec {
  return isRecord(np.spec) ? (np.spec as PolicySpec) : {};
}

/** policyTypes as the API server defaults them (Ingress always, Egress when egress rules exist). */
export function policyTypes(spec: PolicySpec): { ingress: boolean; egress: boolean } {
  const types = spec.policyTypes?.length
    ? spec.policyTypes
    : spec.egress?.length
      ? ['Ingress', 'Egress']
      : ['Ingress'];
  return { ingress: types.includes('Ingress'), egress: types.includes('Egress') };
}

export function selects(np: KubeObject, pod: PodInfo): boolean {
  if ((np.metadata.namespace ?? 'default') !== pod.namespace) return false;
  return labelSelectorFromObject(policySpec(np).podSelector).matches(pod.labels);
}

export interface World {
  pods: PodInfo[];
  /** namespace name → labels (with kubernetes.io/metadata.name) */
  namespaces: Map<string, Record<string, string>>;
}

/** The pods a peer with pod and/or namespace selectors names, seen from a policy in `ns`. */
function peerPods(peer: PolicyPeer, ns: string, world: World): PodInfo[] {
  const podSel = peer.podSelector ? labelSelectorFromObject(peer.podSelector) : undefined;
  const nsSel = peer.namespaceSelector ? labelSelectorFromObject(peer.namespaceSelector) : undefined;
  return world.pods.filter((p) => {
    if (nsSel) {
      if (!nsSel.matches(world.namespaces.get(p.namespace) ?? { 'kubernetes.io/metadata.name': p.namespace }))
        return false;
    } else if (p.namespace !== ns) return false;
    return podSel ? podSel.matches(p.labels) : true;
  });
}

/** A policy port as matches on `owner` (the pod that listens); undefined when a named port is unknown there. */
function portFor(pp: PolicyPort, owner: PodInfo | undefined): PortMatch | undefined {
  const protocol = (pp.protocol ?? 'TCP') as Protocol;
  if (pp.port === undefined) return { protocol };
  if (typeof pp.port === 'number')
    return { protocol, port: pp.port, ...(pp.endPort ? { endPort: pp.endPort } : {}) };
  if (/^\d+$/.test(pp.port)) return { protocol, port: Number(pp.port) };
  const named = owner?.namedPorts.get(pp.port);
  return named && named.protocol === protocol ? { protocol, port: named.port } : undefined;
}

const hasNamed = (ports: PolicyPort[]) =>
  ports.some((p) => typeof p.port === 'string' && !/^\d+$/.test(p.port));

/**
 * What one rule admits for `pod`: for ingress, peers are sources and named ports are `pod`'s;
 * for egress, peers are destinations and named ports are each destination pod's own.
 */
export function ruleAllows(
  rule: PolicyRule,
  direction: 'ingress' | 'egress',
  ns: string,
  pod: PodInfo,
  world: World,
): Allow[] {
  const ports = rule.ports ?? [];
  const peers = (direction === 'ingress' ? rule.from : rule.to) ?? [];
  const resolve = (owner: PodInfo | undefined): PortMatch[] | undefined | null => {
    if (!ports.length) return undefined; // all ports
    const list = ports.map((p) => portFor(p, owner)).filter((p): p is PortMatch => !!p);
    return list.length ? list : null; // null: no port of this rule exists there
  };
  const out: Allow[] = [];
  const perPod = direction === 'egress' && hasNamed(ports);
  const addPods = (pods: PodInfo[]) => {
    if (!perPod) {
      const pm = resolve(pod);
      if (pm !== null && pods.length) out.push({ ips: pods.map((p) => p.ip), ports: pm });
      return;
    }
    for (const p of pods) {
      const pm = resolve(p);
      if (pm !== null) out.push({ ips: [p.ip], ports: pm });
    }
  };
  if (!peers.length) {
    if (perPod) addPods(world.pods);
    else {
      const pm = resolve(pod);
      if (pm !== null) out.push({ ports: pm });
    }
    return out;
  }
  for (const peer of peers) {
    if (peer.ipBlock) {
      const pm = perPod ? resolve(undefined) : resolve(pod);
      if (pm !== null)
        out.push({
          cidr: peer.ipBlock.cidr,
          ...(peer.ipBlock.except?.length ? { except: peer.ipBlock.except } : {}),
          ports: pm,
        });
    } else addPods(peerPods(peer, ns, world));
  }
  return out;
}
