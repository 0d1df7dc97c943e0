// What the scheduler knows of one node (upstream's framework.NodeInfo): the Node, the pods on
// it (bound or assumed), their summed requests (actual and as scoring counts them), the host
// ports in use and the node's allocatable resources, kept incrementally as pods come and go.
import { nonZeroRequests, podRequests, toResourceList, type ResourceList } from './resources.js';
import type { Node, Pod } from './types.js';

export interface PodInfo {
  pod: Pod;
  key: string;
  requests: ResourceList;
  nonZero: { cpu: number; memory: number };
  /** "hostIP/protocol/port" for each hostPort. */
  ports: string[];
  hasAffinity: boolean;
  hasRequiredAntiAffinity: boolean;
}

export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

export function hostPortsOf(pod: Pod): string[] {
  const out: string[] = [];
  for (const c of pod.spec.containers ?? [])
    for (const p of c.ports ?? [])
      if (p.hostPort && p.hostPort > 0)
        out.push(`${p.hostIP || '0.0.0.0'}/${p.protocol ?? 'TCP'}/${p.hostPort}`);
  return out;
}

export function podInfo(pod: Pod): PodInfo {
  const a = pod.spec.affinity;
  return {
    pod,
    key: podKey(pod),
    requests: podRequests(pod),
    nonZero: nonZeroRequests(pod),
    ports: hostPortsOf(pod),
    hasAffinity: !!(a?.podAffinity || a?.podAntiAffinity),
    hasRequiredAntiAffinity: !!a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length,
  };
}

export class NodeInfo {
  node: Node;
  allocatable: ResourceList;
  readonly pods = new Map<string, PodInfo>();
  readonly requested: ResourceList = {};
  readonly nonZeroRequested = { cpu: 0, memory: 0 };
  /** "hostIP/protocol/port" → pods using it */
  readonly usedPorts = new Map<string, number>();
  /** pods on this node with (anti-)affinity terms, for InterPodAffinity */
  readonly podsWithAffinity = new Set<string>();
  readonly podsWithRequiredAntiAffinity = new Set<string>();
  /** image names present on the node → size in bytes */
  images = new Map<string, number>();

  constructor(node: Node) {
    this.node = node;
    this.allocatable = {};
    this.setNode(node);
  }

  get name(): string {
    return this.node.metadata.name ?? '';
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = toResourceList(node.status?.allocatable);
    this.images = new Map();
    for (const img of node.status?.images ?? [])
      for (const n of img.names ?? []) this.images.set(n, img.sizeBytes ?? 0);
  }

  addPod(info: PodInfo): void {
    if (this.pods.has(info.key)) this.removePod(info.key);
    this.pods.set(info.key, info);
    for (const [k, v] of Object.entries(info.requests)) this.requested[k] = (this.requested[k] ?? 0) + v;
    this.nonZeroRequested.cpu += info.nonZero.cpu;
    this.nonZeroRequested.memory += info.nonZero.memory;
    for (const p of info.ports) this.usedPorts.set(p, (this.usedPorts.get(p) ?? 0) + 1);
    if (info.hasAffinity) this.podsWithAffinity.add(info.key);
    if (info.hasRequiredAntiAffinity) this.podsWithRequiredAntiAffinity.add(info.key);
  }

  removePod(key: string): PodInfo | undefined {
    const info = this.pods.get(key);
    if (!info) return undefined;
    this.pods.delete(key);
    for (const [k, v] of Object.entries(info.requests)) this.requested[k] = (this.requested[k] ?? 0) - v;
    this.nonZeroRequested.cpu -= info.nonZero.cpu;
    this.nonZeroRequested.memory -= info.nonZero.memory;
    for (const p of info.ports) {
      const n = (this.usedPorts.get(p) ?? 0) - 1;
      if (n > 0) this.usedPorts.set(p, n);
      else this.usedPorts.delete(p);
    }
    this.podsWithAffinity.delete(key);
    this.podsWithRequiredAntiAffinity.delete(key);
    return info;
  }

  /** A copy for what-if checks (preemption): same node, own pod accounting. */
  clone(): NodeInfo {
    const c = new NodeInfo(this.node);
    for (const p of this.pods.values()) c.addPod(p);
    return c;
  }
}
