// The overlay controller the agent runs (flanneld with --kube-subnet-mgr): it publishes this
// node's VTEP on its Node object and keeps the kernel's forwarding tables equal to what every
// other Node object says. Level-based: each sync reads the whole table back from the kernel and
// applies the difference (one `bridge -batch`, one `ip -batch`, one iptables-restore), on any
// Node change and on a timer, so entries someone deleted by hand come back.
import type { KubeObject } from '../api/types.js';
import { Informer } from '../client/informer.js';
import { runWorkers } from '../client/reconcile-workers.js';
import type { RestClient } from '../client/rest.js';
import { WorkQueue } from '../client/workqueue.js';
import { logger } from '../util/log.js';
import { cidrContains } from './cidr.js';
import { deleteVxlanDevice, ensureVxlanDevice, parentLink, type ParentLink } from './device.js';
import { NetCommands } from './exec.js';
import { JUMPS, masqCleanupRestore, masqRestore } from './masq.js';
import {
  desiredHostGw,
  desiredVxlan,
  hostGwBatch,
  leaseOf,
  ownAnnotations,
  parseRoutes,
  parseVxlanTable,
  VXLAN_DEVICE,
  vxlanBatches,
  type Backend,
  type Lease,
} from './table.js';

const log = logger('flannel');
const KEY = 'overlay';
/** flannel re-checks its routes every 10 s (--iptables-resync is 5 s); level-based resync here */
const RESYNC_MS = 10_000;

export interface OverlayOptions {
  client: RestClient;
  nodeName: string;
  /** this node's InternalIP: the VTEP's local address and the public-ip annotation */
  nodeIP: string;
  clusterCIDR: string;
  backend: Backend;
  commands?: NetCommands;
  resyncMs?: number;
}

export interface SyncFigures {
  entries: number;
  changes: number;
  ms: number;
}

export class FlannelController {
  private readonly nodes: Informer;
  private readonly queue = new WorkQueue(100, 10_000);
  private readonly cmd: NetCommands;
  private timer: NodeJS.Timeout | undefined;
  private parent: ParentLink | undefined;
  private jumpsEnsured = false;
  /** device, annotations and sysctl checked; redone on the timer and after an error */
  private deviceChecked = false;
  private mac: string | undefined;
  private masqFor = '';
  syncs = 0;
  last: SyncFigures | undefined;
  lastError: string | undefined;

  constructor(private readonly o: OverlayOptions) {
    this.cmd = o.commands ?? new NetCommands();
    this.nodes = new Informer(o.client, '/api/v1/nodes');
    const changed = () => this.queue.add(KEY);
    this.nodes.addHandlers({ onAdd: changed, onUpdate: changed, onDelete: changed });
  }

  async start(): Promise<void> {
    this.nodes.start();
    await this.nodes.waitForSync();
    runWorkers(this.queue, 1, () => this.sync(), log);
    this.queue.add(KEY);
    this.timer = setInterval(() => {
      this.deviceChecked = false;
      this.jumpsEnsured = false;
      this.queue.add(KEY);
    }, this.o.resyncMs ?? RESYNC_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.queue.shutDown();
    this.nodes.dispose();
  }

  /** Waits until a sync has programmed `n` other nodes (for tests and the CLI's first report). */
  leases(): Lease[] {
    return this.nodes
      .list()
      .map((n: KubeObject) => leaseOf(n))
      .filter((l): l is Lease => !!l && cidrContains(this.o.clusterCIDR, l.podCIDR));
  }

  private async sync(): Promise<number | undefined> {
    const t0 = performance.now();
    const self = this.nodes.get(this.o.nodeName);
    const spec = (self?.spec ?? {}) as { podCIDR?: string };
    if (!self || !spec.podCIDR) return 1000; // not registered, or node IPAM has not run yet
    try {
      if (!this.deviceChecked) {
        this.parent ??= await parentLink(this.cmd, this.o.nodeIP);
        this.mac =
          this.o.backend === 'vxlan'
            ? await ensureVxlanDevice(this.cmd, {
                localIP: this.o.nodeIP,
                parent: this.parent,
                podCIDR: spec.podCIDR,
              })
            : undefined;
        await this.cmd.sysctl('net.ipv4.ip_forward', '1');
        this.deviceChecked = true;
      }
      await this.publish(self, ownAnnotations(this.o.backend, this.o.nodeIP, this.mac));
      const leases = this.leases();
      const { entries, changes } =
        this.o.backend === 'vxlan' ? await this.syncVxlan(leases) : await this.syncHostGw(leases);
      await this.syncMasq(spec.podCIDR);
      this.last = { entries, changes, ms: Math.round((performance.now() - t0) * 10) / 10 };
      this.syncs++;
      this.lastError = undefined;
      if (changes) log.info('overlay synced', { backend: this.o.backend, ...this.last });
    } catch (err) {
      this.lastError = String(err);
      this.parent = undefined;
      this.jumpsEnsured = false;
      this.deviceChecked = false;
      throw err;
    }
    return undefined;
  }

  private async publish(self: KubeObject, want: Record<string, string>): Promise<void> {
    const have = self.metadata.annotations ?? {};
    if (Object.entries(want).every(([k, v]) => have[k] === v)) return;
    await this.o.client.request(
      'PATCH',
      `/api/v1/nodes/${this.o.nodeName}`,
      { metadata: { annotations: want } },
      'application/merge-patch+json',
    );
    log.info('published the node lease', { node: this.o.nodeName, ...want });
  }

  private async syncVxlan(leases: Lease[]): Promise<{ entries: number; changes: number }> {
    const dev = ['dev', VXLAN_DEVICE];
    const current = parseVxlanTable(
      await this.cmd.ipJson(['route', 'show', ...dev]),
      await this.cmd.ipJson(['neigh', 'show', ...dev, 'nud', 'permanent']),
      await this.cmd.bridgeJson(['fdb', 'show', ...dev]),
    );
    const desired = desiredVxlan(this.o.nodeName, leases);
    const b = vxlanBatches(current, desired);
    // FDB first: an ARP entry or route is useless until the frame knows where to go
    await this.cmd.bridgeBatch(b.bridge);
    await this.cmd.ipBatch(b.ip);
    return { entries: desired.routes.size, changes: b.bridge.length + b.ip.length };
  }

  private async syncHostGw(leases: Lease[]): Promise<{ entries: number; changes: number }> {
    const ifname = this.parent!.ifname;
    const all = parseRoutes(await this.cmd.ipJson(['route', 'show', 'dev', ifname]));
    const current = new Map([...all].filter(([dst]) => cidrContains(this.o.clusterCIDR, dst)));
    const desired = desiredHostGw(this.o.nodeName, leases);
    const lines = hostGwBatch(current, desired, ifname);
    await this.cmd.ipBatch(lines);
    return { entries: desired.size, changes: lines.length };
  }

  private async syncMasq(podCIDR: string): Promise<void> {
    // the chains depend on the CIDRs only: rewritten with the jumps on the timer, or when they change
    if (this.jumpsEnsured && this.masqFor === podCIDR) return;
    await this.cmd.run('iptables-restore', ['-w', '--noflush'], masqRestore(this.o.clusterCIDR, podCIDR));
    this.masqFor = podCIDR;
    for (const j of JUMPS) {
      try {
        await this.cmd.run('iptables', ['-w', '-t', j.table, '-C', j.from, ...j.args]);
      } catch {
        await this.cmd.run('iptables', ['-w', '-t', j.table, '-A', j.from, ...j.args]);
      }
    }
    this.jumpsEnsured = true;
  }
}

/**
 * `--cleanup`: removes flannel.1 (and with it its routes, ARP and FDB entries), host-gw routes
 * into the cluster CIDR, and the masquerade/forward chains with their jumps.
 */
export async function cleanupOverlay(cmd: NetCommands, clusterCIDR: string): Promise<string[]> {
  const removed: string[] = [];
  if (await deleteVxlanDevice(cmd)) removed.push(`link ${VXLAN_DEVICE}`);
  const routes = await cmd.ipJson<{ dst?: string; gateway?: string; dev?: string }>(['route', 'show']);
  for (const r of routes) {
    if (!r.dst || !r.gateway || r.dst === 'default' || !cidrContains(clusterCIDR, r.dst)) continue;
    await cmd.run('ip', ['route', 'del', r.dst, 'via', r.gateway]).catch(() => undefined);
    removed.push(`route ${r.dst} via ${r.gateway}`);
  }
  for (const j of JUMPS) {
    try {
      await cmd.run('iptables', ['-w', '-t', j.table, '-D', j.from, ...j.args]);
      removed.push(`${j.table}/${j.from} jump`);
    } catch {
      // not there
    }
  }
  await cmd.run('iptables-restore', ['-w', '--noflush'], masqCleanupRestore()).catch(() => undefined);
  return removed;
}
