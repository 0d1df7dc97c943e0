// Which runtime a kubelet runs pods with: `containerd` (CRI over gRPC, runtime/containerd.ts,
// on a ContainerdNode this process starts) or `sim`. When containerd cannot start, asking for
// it falls back to `sim` with the reason logged by the caller.
import { createHash } from 'node:crypto';
import { ContainerdNode } from '../containerd/node.js';
import { ContainerdRuntime, type ContainerdRuntimeOptions } from './containerd.js';
import { SimRuntime, type SimRuntimeOptions } from './sim.js';
import type { PodRuntime } from './types.js';

import type { RuntimeName } from './name.js';
export { defaultRuntimeName, type RuntimeName } from './name.js';

export interface RuntimeChoice {
  runtime: PodRuntime;
  /** Why the runtime differs from the one asked for (logged by the caller), if it does. */
  fallbackReason?: string;
}

export interface ContainerdChoiceOptions {
  dataDir: string;
  /** The podCIDR the CNI network starts with (the kubelet moves it to spec.podCIDR once known). */
  podCIDR: string;
  clusterDNS: string[];
  caCert: string;
  requestToken?: ContainerdRuntimeOptions['requestToken'];
  recordEvent?: ContainerdRuntimeOptions['recordEvent'];
  getObject?: ContainerdRuntimeOptions['getObject'];
  serviceEnv?: ContainerdRuntimeOptions['serviceEnv'];
  /** Pod MTU and bridge masquerading under an overlay (src/flannel). */
  network?: { mtu?: number; ipMasq?: boolean };
  /** Build the k8ts test images (busybox, nginx, pause) into <data-dir>/agent/images (default true). */
  buildTestImages?: boolean;
}

/** Names derived from the data dir, so that two k8ts nodes on one host do not share a bridge or cgroup root. */
export function hostNames(dataDir: string): { bridge: string; cgroupRoot: string } {
  const h = createHash('sha256').update(dataDir).digest('hex').slice(0, 8);
  return { bridge: `k8ts${h}`, cgroupRoot: `/k8ts-${h}` };
}

export async function createRuntime(
  name: RuntimeName,
  sim: SimRuntimeOptions = {},
  containerd?: ContainerdChoiceOptions,
): Promise<RuntimeChoice> {
  if (name !== 'containerd') return { runtime: new SimRuntime(sim) };
  if (!containerd)
    return {
      runtime: new SimRuntime(sim),
      fallbackReason: 'no data dir for containerd; running pods with the sim runtime',
    };
  const { bridge, cgroupRoot } = hostNames(containerd.dataDir);
  let node: ContainerdNode;
  try {
    node = await ContainerdNode.start({
      dataDir: containerd.dataDir,
      podCIDR: containerd.podCIDR,
      bridge,
      cgroupRoot,
      network: containerd.network,
      buildTestImages: containerd.buildTestImages ?? true,
    });
  } catch (err) {
    return {
      runtime: new SimRuntime(sim),
      fallbackReason: `containerd could not start (${(err as Error).message}); running pods with the sim runtime`,
    };
  }
  const runtime = new ContainerdRuntime(node, {
    dataDir: containerd.dataDir,
    cgroupRoot,
    clusterDNS: containerd.clusterDNS,
    caCert: containerd.caCert,
    requestToken: containerd.requestToken,
    recordEvent: containerd.recordEvent,
    getObject: containerd.getObject,
    serviceEnv: containerd.serviceEnv,
    // pods keep running across an agent restart, as upstream's; containerd itself stops
    onDispose: () => node.stop(),
  });
  return { runtime };
}
