// The Node a kubelet registers and keeps current (upstream's kubelet_node_status.go and
// nodestatus setters): labels, capacity/allocatable, the four conditions with upstream's
// reasons and messages, addresses, daemon endpoints and nodeInfo.
import type { KubeObject } from '../api/types.js';

export const KUBELET_VERSION = 'v1.31.0';

export interface NodeIdentity {
  name: string;
  internalIP: string;
  /** Resource name → quantity, e.g. { cpu: '8', memory: '32Gi', pods: '110' }. */
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  labels: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  runtimeVersion: string;
  osImage: string;
  kernelVersion: string;
  architecture: string;
  machineID: string;
  systemUUID: string;
  bootID: string;
  /** The kubelet server's port (daemonEndpoints.kubeletEndpoint.Port); 10250 when unset. */
  kubeletPort?: number;
}

/** Go's runtime.GOARCH for Node's process.arch. */
export function goArch(arch: string = process.arch): string {
  return (
    (
      { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<
        string,
        string
      >
    )[arch] ?? arch
  );
}

/** The labels every kubelet puts on its node (plus the role k3s gives a server's node). */
export function nodeLabels(name: string, arch: string, controlPlane: boolean): Record<string, string> {
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
  };
  if (controlPlane) {
    labels['node-role.kubernetes.io/control-plane'] = 'true';
    labels['node-role.kubernetes.io/master'] = 'true';
  }
  return labels;
}

interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastHeartbeatTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** The kubelet's conditions; transition times are kept from `old` while a status holds. */
export function nodeConditions(now: string, old: NodeCondition[] = []): NodeCondition[] {
  const want: Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>[] = [
    {
      type: 'MemoryPressure',
      status: 'False',
      reason: 'KubeletHasSufficientMemory',
      message: 'kubelet has sufficient memory available',
    },
    {
      type: 'DiskPressure',
      status: 'False',
      reason: 'KubeletHasNoDiskPressure',
      message: 'kubelet has no disk pressure',
    },
    {
      type: 'PIDPressure',
      status: 'False',
      reason: 'KubeletHasSufficientPID',
      message: 'kubelet has sufficient PID available',
    },
    { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
  ];
  return want.map((c) => {
    const prior = old.find((o) => o.type === c.type);
    const since = prior && prior.status === c.status ? prior.lastTransitionTime : now;
    return { ...c, lastHeartbeatTime: now, lastTransitionTime: since };
  });
}

export function nodeStatus(id: NodeIdentity, now: string, old?: NodeCondition[]): Record<string, unknown> {
  return {
    capacity: id.capacity,
    allocatable: id.allocatable,
    conditions: nodeConditions(now, old),
    addresses: [
      { type: 'InternalIP', address: id.internalIP },
      { type: 'Hostname', address: id.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: id.kubeletPort ?? 10250 } },
    nodeInfo: {
      machineID: id.machineID,
      systemUUID: id.systemUUID,
      bootID: id.bootID,
      kernelVersion: id.kernelVersion,
      osImage: id.osImage,
      containerRuntimeVersion: id.runtimeVersion,
      kubeletVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: id.architecture,
    },
  };
}

/** The Node object a kubelet creates when it registers. */
export function nodeObject(id: NodeIdentity, now: string): KubeObject {
  const spec: Record<string, unknown> = {};
  if (id.taints?.length) spec.taints = id.taints;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: id.name,
      labels: id.labels,
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec,
    status: nodeStatus(id, now),
  };
}

/** The node's Lease in kube-node-lease (renewTime is a MicroTime). */
export function leaseObject(name: string, nodeUID: string | undefined, renew: Date): KubeObject {
  const meta: KubeObject['metadata'] = { name, namespace: 'kube-node-lease' };
  if (nodeUID) meta.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name, uid: nodeUID }];
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: meta,
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime(renew) },
  };
}

export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * The allocatable entries to patch for resources someone else advertised in the node's
 * capacity (extended resources PATCHed into nodes/status, seed 004 §3.13): upstream's
 * MachineInfo setter gives each capacity entry an allocatable one (nothing is reserved for
 * them) and drops allocatable entries whose capacity is gone. null deletes a key in a
 * strategic merge patch. undefined: nothing to change.
 */
export function foreignAllocatable(
  id: NodeIdentity,
  status: { capacity?: Record<string, string>; allocatable?: Record<string, string> },
): Record<string, string | null> | undefined {
  const capacity = status.capacity ?? {};
  const allocatable = status.allocatable ?? {};
  const patch: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(capacity))
    if (!(k in id.capacity) && allocatable[k] !== v) patch[k] = v;
  for (const k of Object.keys(allocatable)) if (!(k in id.allocatable) && !(k in capacity)) patch[k] = null;
  return Object.keys(patch).length ? patch : undefined;
}
