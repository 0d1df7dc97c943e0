// Objects every cluster has from its first second: the four system namespaces, the
// `kubernetes` Service with its Endpoints and EndpointSlice pointing at this API server, and
// the two built-in PriorityClasses. Created through the stores (validation and defaults apply);
// ones that already exist are left alone, except the endpoints, which track this server.
import { firstHostIPv4 } from '../util/host-ip.js';
import { StatusError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import type { RequestContext } from './endpoints/context.js';
import type { ResourceStore } from './endpoints/store.js';
import type { ServiceAllocators } from './allocators.js';
import { systemPriorityClasses } from './registry/scheduling/priorityclasses.js';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export function systemContext(namespace?: string): RequestContext {
  const ctx: RequestContext = {
    user: { name: 'system:apiserver', groups: ['system:masters'] },
    dryRun: false,
    fieldManager: 'kube-apiserver',
    fieldValidation: 'Strict',
    userAgent: 'kube-apiserver',
    warnings: [],
  };
  if (namespace) ctx.namespace = namespace;
  return ctx;
}

/** The address pods use to reach this server: the bind address, else the host's first non-loopback IPv4. */
export function advertiseAddress(bindAddress: string): string {
  if (bindAddress !== '0.0.0.0' && bindAddress !== '::' && !bindAddress.startsWith('127.'))
    return bindAddress;
  return firstHostIPv4();
}

async function ensure(store: ResourceStore, obj: KubeObject): Promise<void> {
  try {
    // look first: creating would try to allocate (e.g. the Service's IP) what the stored one holds
    await store.get(obj.metadata.namespace, obj.metadata.name!);
    return;
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 404)) throw err;
  }
  try {
    await store.create(obj, systemContext(obj.metadata.namespace));
  } catch (err) {
    if (err instanceof StatusError && err.code === 409) return;
    throw err;
  }
}

export async function bootstrapObjects(
  lookup: (group: string, resource: string) => ResourceStore | undefined,
  allocators: ServiceAllocators,
  opts: { bindAddress: string; port: number; clusterDNS?: string; clusterInfo?: ClusterInfo },
): Promise<void> {
  const get = (r: string, group = '') => lookup(group, r)!;
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(get('namespaces'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  const ip = allocators.kubernetesServiceIP;
  const labels = { component: 'apiserver', provider: 'kubernetes' };
  await ensure(get('services'), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels },
    spec: {
      type: 'ClusterIP',
      clusterIP: ip,
      clusterIPs: [ip],
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.port }],
      sessionAffinity: 'None',
    },
  });
  allocators.claimKubernetesIP();
  // the `kubernetes` Endpoints and EndpointSlice are the endpoint reconciler's (endpoint-reconciler.ts)
  for (const pc of systemPriorityClasses)
    await ensure(get('priorityclasses', 'scheduling.k8s.io'), structuredClone(pc) as KubeObject);
  if (opts.clusterDNS) await ensure(get('services'), kubeDNSService(opts.clusterDNS));
  if (opts.clusterInfo) await ensure(get('configmaps'), clusterInfoConfigMap(opts.clusterInfo));
}

export interface ClusterInfo {
  /** The URL clients should use (the first server's advertised address, or a load balancer). */
  server: string;
  caPem: string;
}

/**
 * kube-public/cluster-info as kubeadm publishes it (seed 002 "Update the cluster-info
 * configmap"): a kubeconfig with one unnamed cluster, its server and CA, no users. Made once;
 * an operator edits `server:` to the load balancer.
 */
export function clusterInfoConfigMap(info: ClusterInfo): KubeObject {
  const kubeconfig = [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${Buffer.from(info.caPem).toString('base64')}`,
    `    server: ${info.server}`,
    '  name: ""',
    'contexts: null',
    'current-context: ""',
    'kind: Config',
    'preferences: {}',
    'users: null',
    '',
  ].join('\n');
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cluster-info', namespace: 'kube-public' },
    data: { kubeconfig },
  };
}

/**
 * The cluster DNS Service at --cluster-dns, shaped as kubeadm's and k3s's CoreDNS manifests
 * make it (clients and `kubectl cluster-info` look for these labels and port names).
 */
export function kubeDNSService(ip: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kube-dns',
      namespace: 'kube-system',
      labels: {
        'k8s-app': 'kube-dns',
        'kubernetes.io/cluster-service': 'true',
        'kubernetes.io/name': 'CoreDNS',
      },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    },
    spec: {
      selector: { 'k8s-app': 'kube-dns' },
      clusterIP: ip,
      clusterIPs: [ip],
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    },
  };
}
