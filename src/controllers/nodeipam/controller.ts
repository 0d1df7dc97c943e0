// The node IPAM controller with upstream's RangeAllocator: every node gets spec.podCIDR and
// spec.podCIDRs, one subnet of each --cluster-cidr (a /24 of IPv4, a /64 of IPv6 by default,
// as --node-cidr-mask-size), for the kubelet and the pod network to hand out pod IPs from.
// Subnets of deleted nodes are reused.
import type { KubeObject } from '../../api/types.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { isStatus, runWorkers } from '../../client/reconcile-workers.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { logger } from '../../util/log.js';
import { CidrSet } from './cidrset.js';

const log = logger('node-ipam-controller');
export const DEFAULT_MASK_IPV4 = 24;
export const DEFAULT_MASK_IPV6 = 64;

const podCIDRs = (n: KubeObject): string[] => {
  const spec = (n.spec ?? {}) as { podCIDR?: string; podCIDRs?: string[] };
  return spec.podCIDRs?.length ? spec.podCIDRs : spec.podCIDR ? [spec.podCIDR] : [];
};

/** `maskSize` is --node-cidr-mask-size (IPv4 only; IPv6 subnets are /64). */
export function cidrSets(clusterCIDR: string, maskSize = DEFAULT_MASK_IPV4): CidrSet[] {
  return clusterCIDR
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean)
    .map((c) => new CidrSet(c, c.includes(':') ? DEFAULT_MASK_IPV6 : maskSize));
}

export class NodeIpamController implements Controller {
  private readonly nodes: Informer;
  private readonly queue = new WorkQueue();
  private readonly sets: CidrSet[];
  private readonly recorder: EventRecorder;
  /** node name → subnets we handed it (until the informer shows them) */
  private readonly given = new Map<string, string[]>();

  constructor(private readonly ctx: ControllerContext) {
    this.sets = cidrSets(ctx.clusterCIDR, Number(ctx.flags['node-cidr-mask-size'] ?? DEFAULT_MASK_IPV4));
    this.nodes = ctx.informers.informer('/api/v1/nodes');
    this.recorder = ctx.recorder('cidrAllocator');
    this.nodes.addHandlers({
      onAdd: (n) => this.queue.add(n.metadata.name!),
      onUpdate: (_o, n) => {
        if (!podCIDRs(n).length) this.queue.add(n.metadata.name!);
      },
      onDelete: (n) => {
        const cidrs = podCIDRs(n).length ? podCIDRs(n) : (this.given.get(n.metadata.name!) ?? []);
        for (const c of cidrs) for (const s of this.sets) s.release(c);
        this.given.delete(n.metadata.name!);
      },
    });
  }

  start(): void {
    // what nodes hold already is taken before anything is handed out
    for (const n of this.nodes.list()) for (const c of podCIDRs(n)) this.sets.some((s) => s.occupy(c));
    runWorkers(this.queue, 1, (name) => this.reconcile(name), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  async reconcile(name: string): Promise<void> {
    const node = this.nodes.get(name);
    if (!node || podCIDRs(node).length) {
      for (const c of podCIDRs(node ?? { metadata: {} })) this.sets.some((s) => s.occupy(c));
      return;
    }
    let cidrs = this.given.get(name);
    if (!cidrs) {
      const got: string[] = [];
      for (const s of this.sets) {
        const c = s.allocateNext();
        if (c === undefined) {
          for (const g of got) this.sets.forEach((x) => x.release(g));
          // upstream records the node's status change as CIDRNotAvailable
          this.recorder.event(
            node,
            'Normal',
            'CIDRNotAvailable',
            `Node ${name} status is now: CIDRNotAvailable`,
          );
          log.warn('no pod CIDR left for node', { node: name });
          return;
        }
        got.push(c);
      }
      cidrs = got;
      this.given.set(name, cidrs);
    }
    try {
      await this.ctx.client.request(
        'PATCH',
        `/api/v1/nodes/${encodeURIComponent(name)}`,
        { spec: { podCIDR: cidrs[0], podCIDRs: cidrs } },
        'application/strategic-merge-patch+json',
      );
      log.info('set node pod CIDRs', { node: name, podCIDRs: cidrs });
    } catch (err) {
      if (isStatus(err, 404)) {
        for (const c of cidrs) for (const s of this.sets) s.release(c);
        this.given.delete(name);
        return;
      }
      throw err;
    }
  }
}
