// The node lifecycle controller (upstream's nodelifecycle.Controller): watches node heartbeats
// (the Lease in kube-node-lease and the Ready condition's lastHeartbeatTime). A node silent for
// longer than the grace period (40 s; 60 s for a node that never posted status) gets its
// Ready, MemoryPressure, DiskPressure and PIDPressure conditions set to Unknown, a NodeNotReady
// event, and its pods marked not ready. Taints follow the conditions: not-ready/unreachable
// NoExecute (unless the whole cluster looks down: full disruption evicts nothing), and the
// NoSchedule taints of every condition and of spec.unschedulable (`kubectl cordon`).
import type { KubeObject } from '../../api/types.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { isStatus, runWorkers } from '../../client/reconcile-workers.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { logger } from '../../util/log.js';
import { parseDuration } from './duration.js';
import { TokenBucket, zoneKey, zoneQPS, zoneState } from './zones.js';
import {
  CONDITION_TAINTS,
  MANAGED_NOSCHEDULE_KEYS,
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  type Taint,
} from './taints.js';

const log = logger('node-lifecycle-controller');
/** upstream's --node-monitor-grace-period (v1.31) */
export const NODE_MONITOR_GRACE_MS = 40_000;
/** upstream's --node-startup-grace-period */
export const NODE_STARTUP_GRACE_MS = 60_000;
/** upstream's --node-monitor-period */
const NODE_MONITOR_PERIOD_MS = 5_000;
/** with a short grace period (tests), look more often than every 5 s */
const monitorPeriod = (graceMs: number) => Math.min(NODE_MONITOR_PERIOD_MS, Math.max(200, graceMs / 4));
/** the conditions a silent node has Unknown (upstream's nodeConditionsToUpdate) */
const UNKNOWN_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

interface Health {
  /** local time we last saw the node alive */
  probe: number;
  heartbeat: string;
  leaseRenew: string;
}

const conditions = (o: KubeObject) =>
  (o.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
const readyOf = (o: KubeObject) => conditions(o).find((c) => c.type === 'Ready');
const taintsOf = (n: KubeObject) => (n.spec as { taints?: Taint[] } | undefined)?.taints ?? [];
const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** The taints a node should carry given its conditions (NoExecute only when `evict`). */
/**
 * The taints a node should carry given its conditions. `noExecute`: 'add' may add the
 * not-ready/unreachable NoExecute taint, 'hold' keeps (or swaps) one already there but adds
 * none (rate limit), 'remove' takes it away (the controller thinks itself cut off).
 */
export function desiredTaints(node: KubeObject, noExecute: 'add' | 'hold' | 'remove', now: number): Taint[] {
  const keep = taintsOf(node).filter(
    (t) =>
      !(t.effect === 'NoSchedule' && MANAGED_NOSCHEDULE_KEYS.has(t.key)) &&
      !(t.effect === 'NoExecute' && (t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE)),
  );
  const conds = conditions(node);
  const out = [...keep];
  const noSchedule = CONDITION_TAINTS.filter((m) =>
    conds.some((c) => c.type === m.type && c.status === m.status),
  ).map((m) => m.key);
  if ((node.spec as { unschedulable?: boolean } | undefined)?.unschedulable)
    noSchedule.push(TAINT_UNSCHEDULABLE);
  for (const key of noSchedule) out.push({ key, effect: 'NoSchedule' });
  const ready = readyOf(node)?.status;
  const noExecuteKey =
    ready === 'False' ? TAINT_NOT_READY : ready === 'Unknown' ? TAINT_UNREACHABLE : undefined;
  const tainted = taintsOf(node).some(
    (t) => t.effect === 'NoExecute' && (t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE),
  );
  if (noExecuteKey && (noExecute === 'add' || (noExecute === 'hold' && tainted))) {
    // keep the time it was first added: tolerationSeconds count from there
    const had = taintsOf(node).find((t) => t.key === noExecuteKey && t.effect === 'NoExecute');
    out.push({ key: noExecuteKey, effect: 'NoExecute', timeAdded: had?.timeAdded ?? stamp(now) });
  }
  return out;
}

const taintKey = (t: Taint) => `${t.key}=${t.value ?? ''}:${t.effect}`;

export class NodeLifecycleController implements Controller {
  private readonly nodes: Informer;
  private readonly leases: Informer;
  private readonly pods: Informer;
  private readonly queue = new WorkQueue();
  private readonly health = new Map<string, Health>();
  private readonly recorder: EventRecorder;
  private timer: NodeJS.Timeout | undefined;
  private readonly limiters = new Map<string, TokenBucket>();
  private readonly graceMs: number;
  private readonly startupGraceMs: number;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly clock: () => number = Date.now,
  ) {
    const flag = (name: string, dflt: number) => (ctx.flags[name] ? parseDuration(ctx.flags[name]) : dflt);
    this.graceMs = flag('node-monitor-grace-period', NODE_MONITOR_GRACE_MS);
    this.startupGraceMs = flag('node-startup-grace-period', NODE_STARTUP_GRACE_MS);
    this.nodes = ctx.informers.informer('/api/v1/nodes');
    this.leases = ctx.informers.informer('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases');
    this.pods = ctx.informers.informer('/api/v1/pods');
    this.pods.addIndex('nodeName', (p) => {
      const n = (p.spec as { nodeName?: string } | undefined)?.nodeName;
      return n ? [n] : [];
    });
    this.recorder = ctx.recorder('node-controller');
    this.nodes.addHandlers({
      onAdd: (n) => this.queue.add(n.metadata.name!),
      onUpdate: (_o, n) => this.queue.add(n.metadata.name!),
      onDelete: (n) => this.health.delete(n.metadata.name!),
    });
    this.leases.addHandlers({ onUpdate: (_o, l) => this.queue.add(l.metadata.name!) });
  }

  start(): void {
    runWorkers(this.queue, 2, (name) => this.reconcile(name), log);
    const tick = () => {
      for (const n of this.nodes.list()) this.queue.add(n.metadata.name!);
      this.timer = setTimeout(tick, monitorPeriod(this.graceMs));
    };
    this.timer = setTimeout(tick, monitorPeriod(this.graceMs));
  }

  stop(): void {
    clearTimeout(this.timer);
    this.queue.shutDown();
  }

  /** The NoExecute policy for a node now: zone states and per-zone rate limits. */
  private noExecutePolicy(node: KubeObject): 'add' | 'hold' | 'remove' {
    const now = this.clock();
    const zones = new Map<string, { ready: number; notReady: number }>();
    for (const n of this.nodes.list()) {
      const z = zones.get(zoneKey(n)) ?? { ready: 0, notReady: 0 };
      if (readyOf(n)?.status === 'True') z.ready++;
      else z.notReady++;
      zones.set(zoneKey(n), z);
    }
    const states = [...zones.values()].map((z) => zoneState(z.ready, z.notReady));
    if (states.length && states.every((st) => st === 'FullDisruption')) return 'remove';
    const key = zoneKey(node);
    const z = zones.get(key) ?? { ready: 0, notReady: 1 };
    const qps = zoneQPS(zoneState(z.ready, z.notReady), z.ready + z.notReady);
    let bucket = this.limiters.get(key);
    if (!bucket) this.limiters.set(key, (bucket = new TokenBucket(qps, now)));
    else bucket.setQPS(qps, now);
    const ready = readyOf(node)?.status;
    const tainted = taintsOf(node).some(
      (t) => t.effect === 'NoExecute' && (t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE),
    );
    // only a new NoExecute taint costs a token
    if ((ready !== 'False' && ready !== 'Unknown') || tainted) return 'hold';
    return bucket.tryAccept(now) ? 'add' : 'hold';
  }

  async reconcile(name: string): Promise<void> {
    let node = this.nodes.get(name);
    if (!node) return;
    node = await this.updateHealth(node);
    await this.updateTaints(node);
    if (readyOf(node)?.status === 'Unknown') await this.markPodsNotReady(node);
  }

  /** Sets the conditions Unknown once the node has been silent past its grace period. */
  private async updateHealth(node: KubeObject): Promise<KubeObject> {
    const name = node.metadata.name!;
    const now = this.clock();
    const ready = readyOf(node);
    const lease = this.leases.get(`kube-node-lease/${name}`);
    const leaseRenew = (lease?.spec as { renewTime?: string } | undefined)?.renewTime ?? '';
    const heartbeat = ready?.lastHeartbeatTime ?? '';
    let h = this.health.get(name);
    if (!h) {
      // a node that never posted status counts from its creation
      const born = ready ? now : Date.parse(node.metadata.creationTimestamp ?? '') || now;
      h = { probe: born, heartbeat, leaseRenew };
      this.health.set(name, h);
    } else if (h.heartbeat !== heartbeat || h.leaseRenew !== leaseRenew) {
      h.probe = now;
      h.heartbeat = heartbeat;
      h.leaseRenew = leaseRenew;
    }
    const grace = ready ? this.graceMs : this.startupGraceMs;
    const silentFor = now - h.probe;
    // the monitor tick (every 5 s) looks again
    if (silentFor <= grace) return node;
    const conds = [...conditions(node)];
    let changed = false;
    for (const type of UNKNOWN_CONDITIONS) {
      const i = conds.findIndex((c) => c.type === type);
      if (i < 0) {
        conds.push({
          type,
          status: 'Unknown',
          reason: 'NodeStatusNeverUpdated',
          message: 'Kubelet never posted node status.',
          lastHeartbeatTime: node.metadata.creationTimestamp,
          lastTransitionTime: stamp(now),
        });
        changed = true;
      } else if (conds[i].status !== 'Unknown') {
        conds[i] = {
          ...conds[i],
          status: 'Unknown',
          reason: 'NodeStatusUnknown',
          message: 'Kubelet stopped posting node status.',
          lastTransitionTime: stamp(now),
        };
        changed = true;
      }
    }
    if (!changed) return node;
    const wasReady = ready?.status === 'True';
    const updated = await this.ctx.client.request<KubeObject>(
      'PUT',
      `/api/v1/nodes/${encodeURIComponent(name)}/status`,
      {
        ...node,
        status: { ...(node.status as object), conditions: conds },
      },
    );
    log.info('node stopped posting status', { node: name });
    if (wasReady)
      this.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    return updated;
  }

  private async updateTaints(node: KubeObject): Promise<void> {
    const want = desiredTaints(node, this.noExecutePolicy(node), this.clock());
    const have = taintsOf(node);
    const same =
      want.length === have.length && want.every((t) => have.some((h) => taintKey(h) === taintKey(t)));
    if (same) return;
    try {
      await this.ctx.client.request(
        'PATCH',
        `/api/v1/nodes/${encodeURIComponent(node.metadata.name!)}`,
        {
          metadata: { resourceVersion: node.metadata.resourceVersion },
          spec: { taints: want.length ? want : null },
        },
        'application/merge-patch+json',
      );
    } catch (err) {
      if (isStatus(err, 404)) return;
      throw err;
    }
  }

  /** upstream's MarkPodsNotReady: the pods of an unreachable node are not ready either. */
  private async markPodsNotReady(node: KubeObject): Promise<void> {
    const now = stamp(this.clock());
    for (const pod of this.pods.byIndex('nodeName', node.metadata.name!)) {
      const conds = conditions(pod);
      const i = conds.findIndex((c) => c.type === 'Ready');
      if (i < 0 || conds[i].status === 'False') continue;
      const next = [...conds];
      next[i] = { ...next[i], status: 'False', lastTransitionTime: now };
      try {
        await this.ctx.client.request(
          'PUT',
          `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`,
          { ...pod, status: { ...(pod.status as object), conditions: next } },
        );
        this.recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (!isStatus(err, 404) && !isStatus(err, 409)) throw err;
      }
    }
  }
}
