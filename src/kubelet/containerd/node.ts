// The containerd side of a k8ts node, composed: the embedded registry mirror, the supervised
// containerd (private config, images imported from <data-dir>/agent/images), the CNI network of
// the node's podCIDR, a CRI client, and the cleanup of what the runtime leaves on the host.
// The kubelet's containerd runtime is built on this; it never starts containerd itself.
import { join } from 'node:path';
import { CriClient } from '../../cri/client.js';
import { logger } from '../../util/log.js';
import { CNI_BRIDGE, writeBridgeConflist } from '../cni/config.js';
import { cleanupCniHostState } from '../cni/cleanup.js';
import { startRegistryMirror, type RegistryMirror } from '../registry-mirror/server.js';
import { ContainerdImageSource } from '../registry-mirror/source.js';
import { removeCgroupTree } from './cgroups.js';
import { containerdPaths, removeMirrorHosts, writeMirrorHosts } from './config.js';
import { ContainerdSupervisor, type ContainerdSupervisorOptions } from './supervisor.js';
import { ImagePuller } from './image-puller.js';
import { buildTestImages } from './oci/test-images.js';

const log = logger('containerd-node');

export interface ContainerdNodeOptions extends Omit<ContainerdSupervisorOptions, 'dataDir'> {
  dataDir: string;
  /** The node's podCIDR; the CNI config can also be written later with setPodCIDR(). */
  podCIDR?: string;
  /** CNI bridge name (default cni0). */
  bridge?: string;
  /** Pod MTU and bridge masquerading, as the overlay wants them (src/flannel). */
  network?: { mtu?: number; ipMasq?: boolean };
  /** Serve the node's images as containerd's mirror for docker.io, registry.k8s.io, k8ts.io (default true). */
  registryMirror?: boolean;
  /** Build the k8ts test images into <data-dir>/agent/images before import (default false). */
  buildTestImages?: boolean;
  /** cgroup_parent root the kubelet uses (e.g. /kubepods), removed by cleanup(). */
  cgroupRoot?: string;
}

export class ContainerdNode {
  readonly supervisor: ContainerdSupervisor;
  readonly cri: CriClient;
  /** imagePullPolicy over this node's CRI (with the mirror, Always works offline). */
  readonly images: ImagePuller;
  mirror: RegistryMirror | undefined;
  private readonly ipamDataDir: string;

  private constructor(private readonly o: ContainerdNodeOptions) {
    this.supervisor = new ContainerdSupervisor(o);
    this.cri = new CriClient(this.supervisor.endpoint);
    this.images = new ImagePuller(this.cri);
    this.ipamDataDir = join(o.dataDir, 'agent', 'cni', 'networks');
  }

  static async start(o: ContainerdNodeOptions): Promise<ContainerdNode> {
    const node = new ContainerdNode(o);
    const p = containerdPaths(o.dataDir);
    if (o.buildTestImages) buildTestImages(p.imagesDir);
    if (o.registryMirror !== false) {
      // The mirror reads containerd's store on demand, so it may start first; containerd reads
      // hosts.toml at each pull.
      node.mirror = await startRegistryMirror(new ContainerdImageSource({ address: p.socket, root: p.root }));
      writeMirrorHosts(p.certsDir, node.mirror.url);
    } else {
      removeMirrorHosts(p.certsDir); // an earlier run's mirror is gone: do not send pulls there
    }
    if (o.podCIDR) node.setPodCIDR(o.podCIDR);
    await node.supervisor.start();
    return node;
  }

  get endpoint(): string {
    return this.supervisor.endpoint;
  }

  /** Writes the bridge network for the podCIDR (containerd picks it up by watching the dir). */
  setPodCIDR(podCIDR: string): void {
    const changed = writeBridgeConflist(this.supervisor.paths.cniConfDir, {
      podCIDR,
      bridge: this.o.bridge ?? CNI_BRIDGE,
      ipamDataDir: this.ipamDataDir,
      ...this.o.network,
    });
    if (changed) log.info('CNI config written', { podCIDR });
  }

  /** Stops and removes every pod sandbox (and so its containers), a few at a time, for a clean shutdown. */
  async removeAllPods(concurrency = 8): Promise<number> {
    const queue = await this.cri.listPodSandbox();
    const total = queue.length;
    const worker = async () => {
      for (let s = queue.shift(); s; s = queue.shift()) {
        try {
          await this.cri.stopPodSandbox(s.id);
          await this.cri.removePodSandbox(s.id);
        } catch (err) {
          log.warn('sandbox removal failed', { id: s.id, error: (err as Error).message });
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return total;
  }

  /** Stops mirror and containerd; pods keep running unless removeAllPods() ran first. */
  async stop(): Promise<void> {
    this.cri.close();
    await this.mirror?.close();
    await this.supervisor.stop();
  }

  /** After stop(): removes the CNI bridge and chains, IPAM leases and the pods' cgroup root. */
  async cleanup(): Promise<{ chainsRemoved: string[]; cgroupsLeft: string[] }> {
    const cni = await cleanupCniHostState({
      bridge: this.o.bridge ?? CNI_BRIDGE,
      ipamDataDir: this.ipamDataDir,
    });
    const cgroupsLeft = this.o.cgroupRoot ? removeCgroupTree(this.o.cgroupRoot) : [];
    return { chainsRemoved: cni.chainsRemoved, cgroupsLeft };
  }
}
