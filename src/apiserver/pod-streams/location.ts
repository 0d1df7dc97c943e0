// Where a pod's logs and streams are served: its node's kubelet (InternalIP, then Hostname,
// and daemonEndpoints.kubeletEndpoint.Port), and which container a request means, with
// upstream's texts (pkg/registry/core/pod/strategy.go LogLocation, streamLocation).
import { badRequest, notFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { ResourceCall } from '../endpoints/resource-handler.js';

interface PodShape {
  spec?: {
    nodeName?: string;
    containers?: { name: string }[];
    initContainers?: { name: string }[];
    ephemeralContainers?: { name: string }[];
  };
}

export type StreamPod = KubeObject & PodShape;

export interface KubeletAddress {
  host: string;
  port: number;
}

export function podOf(call: ResourceCall): StreamPod {
  const pods = call.lookup('', 'pods')!;
  const name = call.info.name!;
  const pod = pods.cache.get(pods.key(call.info.namespace, name))?.obj as StreamPod | undefined;
  if (!pod) throw notFound('', 'pods', name);
  return pod;
}

const names = (list: { name: string }[] | undefined) => (list ?? []).map((c) => c.name);

function hasContainer(pod: StreamPod, name: string): boolean {
  const s = pod.spec ?? {};
  return [...names(s.containers), ...names(s.initContainers), ...names(s.ephemeralContainers)].includes(name);
}

/** pods/log: the default container, or upstream's BadRequest. */
export function logContainer(pod: StreamPod, container: string | undefined): string {
  const s = pod.spec ?? {};
  const name = pod.metadata.name!;
  if (container) {
    if (!hasContainer(pod, container))
      throw badRequest(`container ${container} is not valid for pod ${name}`);
    return container;
  }
  const containers = s.containers ?? [];
  if (containers.length === 1) return containers[0].name;
  if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
  const all = [...names(s.initContainers), ...names(s.containers), ...names(s.ephemeralContainers)];
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`);
}

/** pods/exec and pods/attach: the default container, or upstream's BadRequest. */
export function streamContainer(pod: StreamPod, container: string | undefined): string {
  const s = pod.spec ?? {};
  const name = pod.metadata.name!;
  if (container) {
    if (!hasContainer(pod, container))
      throw badRequest(`container ${container} is not valid for pod ${name}`);
    return container;
  }
  const containers = s.containers ?? [];
  if (containers.length === 1) return containers[0].name;
  if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
  let msg = `a container name must be specified for pod ${name}, choose one of: [${names(containers).join(' ')}]`;
  const init = names(s.initContainers);
  if (init.length) msg += ` or one of the init containers: [${init.join(' ')}]`;
  throw badRequest(msg);
}

/** The kubelet of the pod's node; undefined for a pod not scheduled yet. */
export function kubeletOf(call: ResourceCall, pod: StreamPod): KubeletAddress | undefined {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) return undefined;
  const nodes = call.lookup('', 'nodes')!;
  const node = nodes.cache.get(nodes.key(undefined, nodeName))?.obj as
    | (KubeObject & {
        status?: {
          addresses?: { type: string; address: string }[];
          daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
        };
      })
    | undefined;
  if (!node) throw notFound('', 'nodes', nodeName);
  const addrs = node.status?.addresses ?? [];
  const host =
    addrs.find((a) => a.type === 'InternalIP')?.address ??
    addrs.find((a) => a.type === 'Hostname')?.address ??
    nodeName;
  return { host, port: node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 10250 };
}

export function hostPort(a: KubeletAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
