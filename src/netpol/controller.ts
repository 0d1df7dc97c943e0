// The network policy controller the agent runs: pods, namespaces and NetworkPolicies from
// informers, compiled for this node's pods into one iptables-restore per sync (debounced by the
// work queue: a burst of pod changes is one sync), stale pod chains deleted in the same restore,
// and the jumps from FORWARD and INPUT kept first on every resync.
import type { KubeObject } from '../api/types.js';
import { runWorkers } from '../client/reconcile-workers.js';
import type { SharedInformers } from '../client/shared-informers.js';
import { WorkQueue } from '../client/workqueue.js';
import { NetCommands } from '../flannel/exec.js';
import { chainsOf } from '../proxy/iptables.js';
import { logger } from '../util/log.js';
import { podInfo, type PodInfo, type World } from './model.js';
import { CHAIN_PREFIXES, compile, JUMP_COMMENT, TOP_CHAIN } from './rules.js';

const log = logger('netpol');
const KEY = 'policies';
const RESYNC_MS = 30_000;
const JUMP = ['-m', 'comment', '--comment', JUMP_COMMENT, '-j', TOP_CHAIN];
const FROM = ['FORWARD', 'INPUT'];

export class NetworkPolicyController {
  private readonly queue = new WorkQueue(50, 10_000);
  private readonly pods;
  private readonly namespaces;
  private readonly policies;
  private readonly cmd: NetCommands;
  private timer: NodeJS.Timeout | undefined;
  private lastText = '';
  private full = true;
  syncs = 0;
  lastSyncMs = 0;
  lastError: string | undefined;

  constructor(
    informers: SharedInformers,
    private readonly nodeName: string,
    commands?: NetCommands,
  ) {
    this.cmd = commands ?? new NetCommands();
    this.pods = informers.informer('/api/v1/pods');
    this.namespaces = informers.informer('/api/v1/namespaces');
    this.policies = informers.informer('/apis/networking.k8s.io/v1/networkpolicies');
    const changed = () => this.queue.add(KEY);
    for (const inf of [this.pods, this.namespaces, this.policies])
      inf.addHandlers({ onAdd: changed, onUpdate: changed, onDelete: changed });
  }

  /** After the informers synced. */
  start(): void {
    runWorkers(this.queue, 1, () => this.sync(), log);
    this.queue.add(KEY);
    this.timer = setInterval(() => {
      this.full = true;
      this.queue.add(KEY);
    }, RESYNC_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.queue.shutDown();
  }

  world(): World {
    const namespaces = new Map<string, Record<string, string>>();
    for (const ns of this.namespaces.list()) {
      const name = ns.metadata.name ?? '';
      namespaces.set(name, { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name });
    }
    const pods = this.pods
      .list()
      .map((p: KubeObject) => podInfo(p))
      .filter((p): p is PodInfo => !!p);
    return { pods, namespaces };
  }

  private async sync(): Promise<void> {
    const t0 = performance.now();
    const full = this.full;
    this.full = false;
    try {
      const world = this.world();
      const plain = compile(this.nodeName, this.policies.list(), world);
      if (full || plain.text !== this.lastText) {
        const existing = [...chainsOf(await this.cmd.run('iptables-save', ['-t', 'filter']))];
        const stale = existing.filter(
          (c) => CHAIN_PREFIXES.some((p) => c.startsWith(p)) && !plain.chains.includes(c),
        );
        const withStale = compile(this.nodeName, this.policies.list(), world, stale);
        await this.cmd.run('iptables-restore', ['-w', '--noflush'], withStale.text);
        this.lastText = plain.text;
        this.syncs++;
        this.lastSyncMs = Math.round((performance.now() - t0) * 10) / 10;
        log.info('network policies synced', {
          pods: plain.pods,
          rules: plain.rules,
          staleChains: stale.length,
          ms: this.lastSyncMs,
        });
      }
      if (full) await this.ensureJumpsFirst();
      this.lastError = undefined;
    } catch (err) {
      this.lastError = String(err);
      this.full = true;
      throw err;
    }
  }

  /** Our jump must be the first rule of FORWARD/INPUT: an ACCEPT before it would bypass policies. */
  private async ensureJumpsFirst(): Promise<void> {
    for (const chain of FROM) {
      const rules = (await this.cmd.run('iptables', ['-w', '-S', chain]))
        .split('\n')
        .filter((l) => l.startsWith('-A '));
      if (rules[0]?.includes(`-j ${TOP_CHAIN}`)) continue;
      for (const r of rules)
        if (r.includes(`-j ${TOP_CHAIN}`)) await this.cmd.run('iptables', ['-w', '-D', chain, ...JUMP]);
      await this.cmd.run('iptables', ['-w', '-I', chain, '1', ...JUMP]);
    }
  }
}

/** Removes the jumps and every chain of ours. */
export async function cleanupNetworkPolicies(cmd = new NetCommands()): Promise<string[]> {
  for (const chain of FROM) await cmd.run('iptables', ['-w', '-D', chain, ...JUMP]).catch(() => undefined);
  const ours = [...chainsOf(await cmd.run('iptables-save', ['-t', 'filter']))].filter(
    (c) => c === TOP_CHAIN || CHAIN_PREFIXES.some((p) => c.startsWith(p)),
  );
  if (ours.length)
    await cmd.run(
      'iptables-restore',
      ['-w', '--noflush'],
      ['*filter', ...ours.map((c) => `:${c} - [0:0]`), ...ours.map((c) => `-X ${c}`), 'COMMIT', ''].join(
        '\n',
      ),
    );
  return ours;
}
