// The disruption controller (upstream's disruption.DisruptionController): keeps each
// PodDisruptionBudget's status current — expectedPods, currentHealthy (ready, not terminating,
// not just evicted), desiredHealthy, disruptionsAllowed — and its DisruptionAllowed condition
// (SufficientPods / InsufficientPods, SyncFailed when the expected count cannot be worked out).
// The eviction subresource reads that status; evicted pods it recorded in disruptedPods are
// dropped once they are gone, terminating, or two minutes old.
import type { KubeObject } from '../../api/types.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../api/selectors/index.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { isStatus, runWorkers } from '../../client/reconcile-workers.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { logger } from '../../util/log.js';
import { budgetNumbers, type ScaleOf } from './budget.js';

const log = logger('disruption-controller');
/** upstream's DeletionTimeout: an eviction not seen as a deletion by then is forgotten */
export const DELETION_TIMEOUT_MS = 2 * 60_000;
const RESYNC_MS = 30_000;

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

interface PDBStatus {
  currentHealthy?: number;
  desiredHealthy?: number;
  expectedPods?: number;
  disruptionsAllowed?: number;
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  conditions?: Condition[];
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const controllerOf = (o: KubeObject) => o.metadata.ownerReferences?.find((r) => r.controller);
const replicasOf = (o: KubeObject) => (o.spec as { replicas?: number } | undefined)?.replicas ?? 1;

function isPodReady(pod: KubeObject): boolean {
  const conds = (pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions;
  return conds?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** metav1's SetStatusCondition: the transition time moves only when the status does. */
function setCondition(list: Condition[], c: Condition, now: number): Condition[] {
  const i = list.findIndex((x) => x.type === c.type);
  if (i < 0) return [...list, { ...c, lastTransitionTime: stamp(now) }];
  const old = list[i];
  const next = [...list];
  next[i] = { ...c, lastTransitionTime: old.status === c.status ? old.lastTransitionTime : stamp(now) };
  return next;
}

export class DisruptionController implements Controller {
  private readonly pdbs: Informer;
  private readonly pods: Informer;
  private readonly workloads: Record<string, Informer>;
  private readonly queue = new WorkQueue();
  private readonly recorder: EventRecorder;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly clock: () => number = Date.now,
  ) {
    this.pdbs = ctx.informers.informer('/apis/policy/v1/poddisruptionbudgets');
    this.pods = ctx.informers.informer('/api/v1/pods');
    this.workloads = {
      ReplicaSet: ctx.informers.informer('/apis/apps/v1/replicasets'),
      Deployment: ctx.informers.informer('/apis/apps/v1/deployments'),
      StatefulSet: ctx.informers.informer('/apis/apps/v1/statefulsets'),
      ReplicationController: ctx.informers.informer('/api/v1/replicationcontrollers'),
    };
    this.recorder = ctx.recorder('controllermanager');
    const enqueue = (o: KubeObject) => this.queue.add(`${o.metadata.namespace}/${o.metadata.name}`);
    this.pdbs.addHandlers({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n) });
    const podChanged = (pod: KubeObject) => {
      for (const pdb of this.pdbs.listNamespace(pod.metadata.namespace!))
        if (this.selects(pdb, pod)) enqueue(pdb);
    };
    this.pods.addHandlers({
      onAdd: podChanged,
      onUpdate: (o, n) => {
        podChanged(n);
        if (JSON.stringify(o.metadata.labels) !== JSON.stringify(n.metadata.labels)) podChanged(o);
      },
      onDelete: podChanged,
    });
  }

  start(): void {
    runWorkers(this.queue, 2, (key) => this.reconcile(key), log);
    const tick = () => {
      for (const p of this.pdbs.list()) this.queue.add(`${p.metadata.namespace}/${p.metadata.name}`);
      this.timer = setTimeout(tick, RESYNC_MS);
    };
    this.timer = setTimeout(tick, RESYNC_MS);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.queue.shutDown();
  }

  private selects(pdb: KubeObject, pod: KubeObject): boolean {
    const sel = (pdb.spec as { selector?: LabelSelectorObject } | undefined)?.selector;
    if (!sel) return false;
    try {
      return labelSelectorFromObject(sel).matches(pod.metadata.labels ?? {});
    } catch {
      return false;
    }
  }

  /** The desired scale of a pod's controller, by the uid that identifies it (upstream's finders). */
  private readonly scaleOf: ScaleOf = (pod) => {
    const ref = controllerOf(pod);
    if (!ref)
      return { error: `found no controller ref for pod "${pod.metadata.name}"`, reason: 'NoControllerRef' };
    const ns = pod.metadata.namespace!;
    const owner = this.workloads[ref.kind]?.get(`${ns}/${ref.name}`);
    if (owner && owner.metadata.uid === ref.uid) {
      const up = ref.kind === 'ReplicaSet' ? controllerOf(owner) : undefined;
      const dep = up?.kind === 'Deployment' ? this.workloads.Deployment.get(`${ns}/${up.name}`) : undefined;
      if (dep && dep.metadata.uid === up!.uid) return { uid: dep.metadata.uid!, scale: replicasOf(dep) };
      return { uid: owner.metadata.uid!, scale: replicasOf(owner) };
    }
    return { error: `found no controllers for pod "${pod.metadata.name}"`, reason: 'NoControllers' };
  };

  async reconcile(key: string): Promise<number | undefined> {
    const pdb = this.pdbs.get(key);
    if (!pdb || pdb.metadata.deletionTimestamp) return;
    const [namespace, name] = key.split('/');
    const pods = this.pods.listNamespace(namespace).filter((p) => this.selects(pdb, p));
    const now = this.clock();
    if (!pods.length) this.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    const status = (pdb.status ?? {}) as PDBStatus;
    const generation = pdb.metadata.generation ?? 0;
    const numbers = budgetNumbers(pdb, pods, this.scaleOf);
    let next: PDBStatus;
    let recheck: number | undefined;
    if ('error' in numbers) {
      this.recorder.event(pdb, 'Warning', numbers.reason, numbers.error);
      this.recorder.event(
        pdb,
        'Warning',
        'CalculateExpectedPodCountFailed',
        `Failed to calculate the number of expected pods: ${numbers.error}`,
      );
      // fail safe: no disruptions while we cannot tell
      next = {
        ...status,
        disruptionsAllowed: 0,
        conditions: setCondition(
          status.conditions ?? [],
          {
            type: 'DisruptionAllowed',
            status: 'False',
            reason: 'SyncFailed',
            message: numbers.error,
            observedGeneration: status.observedGeneration,
          },
          now,
        ),
      };
    } else {
      // evictions the pods have not shown yet (deletion) still count against the budget
      const byName = new Map(pods.map((p) => [p.metadata.name!, p]));
      const disrupted: Record<string, string> = {};
      for (const [podName, at] of Object.entries(status.disruptedPods ?? {})) {
        const p = byName.get(podName);
        if (!p || p.metadata.deletionTimestamp) continue;
        const expires = Date.parse(at) + DELETION_TIMEOUT_MS;
        if (expires <= now) {
          log.info('eviction not confirmed in time; forgetting it', { pdb: key, pod: podName });
          continue;
        }
        disrupted[podName] = at;
        recheck = Math.min(recheck ?? Infinity, expires - now);
      }
      const currentHealthy = pods.filter(
        (p) => !p.metadata.deletionTimestamp && !(p.metadata.name! in disrupted) && isPodReady(p),
      ).length;
      const { desiredHealthy, expectedPods } = numbers;
      let allowed = currentHealthy - desiredHealthy;
      // a budget that matches nothing yet stays safe until its first pods are counted
      if (expectedPods <= 0 || allowed <= 0) allowed = 0;
      next = {
        currentHealthy,
        desiredHealthy,
        expectedPods,
        disruptionsAllowed: allowed,
        observedGeneration: generation,
        conditions: setCondition(
          status.conditions ?? [],
          allowed > 0
            ? {
                type: 'DisruptionAllowed',
                status: 'True',
                reason: 'SufficientPods',
                message: '',
                observedGeneration: generation,
              }
            : {
                type: 'DisruptionAllowed',
                status: 'False',
                reason: 'InsufficientPods',
                message: '',
                observedGeneration: generation,
              },
          now,
        ),
      };
      if (Object.keys(disrupted).length) next.disruptedPods = disrupted;
    }
    if (JSON.stringify(canonical(next)) === JSON.stringify(canonical(status))) return recheck;
    try {
      await this.ctx.client.request(
        'PUT',
        `/apis/policy/v1/namespaces/${namespace}/poddisruptionbudgets/${name}/status`,
        { ...pdb, status: next },
      );
    } catch (err) {
      if (isStatus(err, 404)) return;
      throw err;
    }
    return recheck;
  }
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  return v;
}
