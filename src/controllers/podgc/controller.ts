// The pod garbage collector (upstream's podgc.PodGCController), every 20 s:
//  - terminated pods (Succeeded/Failed) beyond --terminated-pod-gc-threshold (12500) are
//    deleted, oldest first;
//  - pods bound to a node that no longer exists (confirmed by a live GET after 40 s of
//    quarantine) are marked Failed with a DisruptionTarget condition and force-deleted;
//  - terminating pods that were never scheduled are force-deleted;
//  - terminating pods on a node that is not ready and carries the out-of-service taint are
//    marked and force-deleted.
import type { KubeObject } from '../../api/types.js';
import type { Informer } from '../../client/informer.js';
import { isStatus } from '../../client/reconcile-workers.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { logger } from '../../util/log.js';

const log = logger('pod-garbage-collector');
const GC_CHECK_PERIOD_MS = 20_000;
/** upstream's quarantineTime: a node missing from the cache is given this long to appear */
const QUARANTINE_MS = 40_000;
export const DEFAULT_TERMINATED_POD_GC_THRESHOLD = 12_500;
const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';

const phaseOf = (p: KubeObject) => (p.status as { phase?: string } | undefined)?.phase;
const nodeOf = (p: KubeObject) => (p.spec as { nodeName?: string } | undefined)?.nodeName;
const isTerminated = (p: KubeObject) => phaseOf(p) === 'Succeeded' || phaseOf(p) === 'Failed';
const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** The terminated pods to delete: the oldest beyond the threshold (evicted ones first, as upstream). */
export function terminatedToDelete(pods: KubeObject[], threshold: number): KubeObject[] {
  const done = pods.filter((p) => isTerminated(p) && !p.metadata.deletionTimestamp);
  const excess = done.length - threshold;
  if (threshold <= 0 || excess <= 0) return [];
  const evicted = (p: KubeObject) => (p.status as { reason?: string } | undefined)?.reason === 'Evicted';
  return done
    .sort(
      (a, b) =>
        Number(evicted(b)) - Number(evicted(a)) ||
        Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? '') ||
        (a.metadata.name! < b.metadata.name! ? -1 : 1),
    )
    .slice(0, excess);
}

export class PodGCController implements Controller {
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly threshold: number;
  /** node name → when we first saw pods bound to it while it was missing */
  private readonly missingSince = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly clock: () => number = Date.now,
  ) {
    this.pods = ctx.informers.informer('/api/v1/pods');
    this.nodes = ctx.informers.informer('/api/v1/nodes');
    const flag = ctx.flags['terminated-pod-gc-threshold'];
    this.threshold = flag !== undefined ? Number(flag) : DEFAULT_TERMINATED_POD_GC_THRESHOLD;
  }

  start(): void {
    const tick = () => {
      this.gc()
        .catch((err) => log.warn('pod gc pass failed', { error: String(err) }))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, GC_CHECK_PERIOD_MS);
        });
    };
    // a first pass at once, then every period (upstream's wait.Until)
    tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One pass of every rule. */
  async gc(): Promise<void> {
    const pods = this.pods.list();
    for (const p of terminatedToDelete(pods, this.threshold)) await this.forceDelete(p);
    await this.gcOrphaned(pods);
    for (const p of pods) {
      if (p.metadata.deletionTimestamp && !nodeOf(p)) await this.markFailedAndDelete(p);
    }
    await this.gcTerminatingOutOfService(pods);
  }

  private async gcOrphaned(pods: KubeObject[]): Promise<void> {
    const now = this.clock();
    const bound = new Set(pods.map(nodeOf).filter((n): n is string => !!n));
    for (const name of this.missingSince.keys())
      if (!bound.has(name) || this.nodes.get(name)) this.missingSince.delete(name);
    for (const name of bound) {
      if (this.nodes.get(name)) continue;
      const since = this.missingSince.get(name);
      if (since === undefined) {
        this.missingSince.set(name, now);
        continue;
      }
      if (now - since < QUARANTINE_MS) continue;
      // the cache may be behind: ask the API server before deleting anything
      try {
        await this.ctx.client.request('GET', `/api/v1/nodes/${encodeURIComponent(name)}`);
        this.missingSince.delete(name);
        continue;
      } catch (err) {
        if (!isStatus(err, 404)) throw err;
      }
      for (const p of pods) {
        if (nodeOf(p) === name) await this.markFailedAndDelete(p, 'PodGC: node no longer exists');
      }
      this.missingSince.delete(name);
    }
  }

  private async gcTerminatingOutOfService(pods: KubeObject[]): Promise<void> {
    for (const p of pods) {
      if (!p.metadata.deletionTimestamp || !nodeOf(p)) continue;
      const node = this.nodes.get(nodeOf(p)!);
      if (!node) continue;
      const taints = (node.spec as { taints?: { key: string; effect: string }[] } | undefined)?.taints ?? [];
      const ready = (
        node.status as { conditions?: { type: string; status: string }[] } | undefined
      )?.conditions?.find((c) => c.type === 'Ready');
      if (
        ready?.status !== 'True' &&
        taints.some((t) => t.key === OUT_OF_SERVICE_TAINT && t.effect === 'NoExecute')
      )
        await this.markFailedAndDelete(p, 'PodGC: node is out of service');
    }
  }

  /** upstream's markFailedAndDeletePodWithCondition: a running pod ends Failed, then goes at once. */
  private async markFailedAndDelete(pod: KubeObject, disruption?: string): Promise<void> {
    const path = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`;
    if (!isTerminated(pod)) {
      const status: Record<string, unknown> = { ...(pod.status as Record<string, unknown>), phase: 'Failed' };
      if (disruption) {
        const conds = (
          (pod.status as { conditions?: { type: string }[] } | undefined)?.conditions ?? []
        ).filter((c) => c.type !== 'DisruptionTarget');
        status.conditions = [
          ...conds,
          {
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'DeletionByPodGC',
            message: disruption,
            lastTransitionTime: stamp(),
          },
        ];
      }
      try {
        await this.ctx.client.request('PUT', `${path}/status`, { ...pod, status });
      } catch (err) {
        if (isStatus(err, 404)) return;
        if (!isStatus(err, 409)) throw err;
      }
    }
    await this.forceDelete(pod);
  }

  private async forceDelete(pod: KubeObject): Promise<void> {
    try {
      await this.ctx.client.request(
        'DELETE',
        `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`,
        {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          gracePeriodSeconds: 0,
          preconditions: { uid: pod.metadata.uid },
        },
      );
      log.info('deleted pod', { pod: `${pod.metadata.namespace}/${pod.metadata.name}` });
    } catch (err) {
      if (!isStatus(err, 404) && !isStatus(err, 409)) throw err;
    }
  }
}
