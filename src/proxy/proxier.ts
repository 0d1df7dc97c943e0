// kube-proxy in iptables mode: Services and EndpointSlices from shared informers, one full
// iptables-restore per sync (debounced), stale service chains removed, jump rules from the
// built-in chains ensured at the first sync and every resync, sync latency measured.
import type { KubeObject } from '../api/types.js';
import type { SharedInformers } from '../client/shared-informers.js';
import { Histogram } from '../apiserver/metrics.js';
import { logger } from '../util/log.js';
import { isServiceChain } from './chains.js';
import { chainsOf, Iptables } from './iptables.js';
import { endpointsOf, servicePorts, type Endpoint, type ServicePort } from './model.js';
import { buildRules, JUMP_RULES, type RuleOptions } from './rules.js';

const log = logger('proxy');
/** upstream's --iptables-sync-period default: resync everything this often */
const FULL_SYNC_MS = 30_000;
/** how long to let a burst of changes gather before one sync */
const DEBOUNCE_MS = 20;

export interface ProxierOptions extends RuleOptions {
  iptables: Iptables;
}

export class Proxier {
  readonly syncDuration = new Histogram(
    'kubeproxy_sync_proxy_rules_duration_seconds',
    'SyncProxyRules latency in seconds',
    [
      0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192,
      16.384,
    ],
  );
  private readonly services;
  private readonly slices;
  private timer: NodeJS.Timeout | undefined;
  private fullTimer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private dirty = false;
  private stopped = false;
  private jumpsEnsured = false;
  /** the text of the last successful restore: identical syncs are skipped */
  private lastApplied = '';
  lastSyncError: string | undefined;
  syncs = 0;

  constructor(
    informers: SharedInformers,
    private readonly opts: ProxierOptions,
  ) {
    this.services = informers.informer('/api/v1/services');
    this.slices = informers.informer('/apis/discovery.k8s.io/v1/endpointslices');
    const changed = () => this.schedule();
    for (const inf of [this.services, this.slices])
      inf.addHandlers({ onAdd: changed, onUpdate: changed, onDelete: changed });
  }

  /** Call after the informers synced: the first sync, then the periodic ones. */
  async start(): Promise<void> {
    if (this.opts.localhostNodePorts !== false && this.opts.family === 'IPv4') {
      // localhost node ports need route_localnet, as upstream sets it
      await this.opts.iptables
        .shell('echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet')
        .catch((err: unknown) => {
          log.warn('could not set route_localnet', { error: String(err) });
        });
    }
    await this.syncNow(true);
    this.fullTimer = setInterval(() => void this.syncNow(true), FULL_SYNC_MS);
    this.fullTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.fullTimer);
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.syncNow(false);
    }, DEBOUNCE_MS);
  }

  /** The state to program: every service port and its endpoints, sorted for stable output. */
  snapshot(): { ports: ServicePort[]; endpoints: Map<string, Endpoint[]> } {
    const ports = this.services
      .list()
      .flatMap((s: KubeObject) => servicePorts(s, this.opts.family))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.protocol < b.protocol ? -1 : 1));
    return { ports, endpoints: endpointsOf(this.slices.list(), this.opts.family) };
  }

  async syncNow(full: boolean): Promise<void> {
    if (this.syncing) {
      this.dirty = true;
      return this.syncing;
    }
    this.syncing = this.sync(full).finally(() => {
      this.syncing = undefined;
      if (this.dirty && !this.stopped) {
        this.dirty = false;
        this.schedule();
      }
    });
    return this.syncing;
  }

  private async sync(full: boolean): Promise<void> {
    const t0 = performance.now();
    const ipt = this.opts.iptables;
    try {
      if (full || !this.jumpsEnsured) {
        for (const j of JUMP_RULES) {
          await ipt.ensureChain(j.table, j.to);
          const args = [
            ...j.extra,
            ...(j.comment ? ['-m', 'comment', '--comment', j.comment] : []),
            '-j',
            j.to,
          ];
          await ipt.ensureRule(j.table, j.from, args);
        }
        this.jumpsEnsured = true;
      }
      const { ports, endpoints } = this.snapshot();
      const rules = buildRules(ports, endpoints, this.opts);
      const plain = rules.render();
      if (full || plain !== this.lastApplied) {
        // chains of services that are gone are flushed and deleted in the same restore
        const stale = [...chainsOf(await ipt.save('nat'))].filter(
          (c) => isServiceChain(c) && !rules.natChains.has(c),
        );
        await ipt.restore(rules.render(stale));
        this.lastApplied = plain;
        this.syncs++;
        log.debug('synced iptables rules', {
          services: ports.length,
          natRules: rules.natRules,
          filterRules: rules.filterRules,
          staleChains: stale.length,
        });
      }
      this.lastSyncError = undefined;
    } catch (err) {
      this.lastSyncError = String(err);
      this.jumpsEnsured = false;
      log.error('iptables sync failed; retrying', { error: String(err) });
      if (!this.stopped) setTimeout(() => this.schedule(), 1000).unref();
    } finally {
      this.syncDuration.observe({}, (performance.now() - t0) / 1000);
    }
  }
}

/**
 * `k8ts proxy --cleanup` (kube-proxy's --cleanup): unlinks the jump rules, then flushes and
 * deletes every chain the proxier makes, in both tables.
 */
export async function cleanupRules(ipt: Iptables): Promise<void> {
  for (const j of JUMP_RULES) {
    const args = [...j.extra, ...(j.comment ? ['-m', 'comment', '--comment', j.comment] : []), '-j', j.to];
    await ipt.deleteRule(j.table, j.from, args);
  }
  const ours = (c: string) => isServiceChain(c) || c.startsWith('KUBE-');
  for (const table of ['nat', 'filter'] as const) {
    const chains = [...chainsOf(await ipt.save(table))].filter(ours);
    if (chains.length === 0) continue;
    const text = [
      `*${table}`,
      ...chains.map((c) => `:${c} - [0:0]`),
      ...chains.map((c) => `-X ${c}`),
      'COMMIT',
      '',
    ].join('\n');
    await ipt.restore(text);
  }
}
