// The scheduler (upstream's scheduleOne): pops a pod, filters the nodes (stopping once
// enough feasible ones are found, upstream's adaptive percentageOfNodesToScore, starting
// where the previous cycle stopped), scores them, assumes the pod on the best node in the
// cache and binds it through pods/binding asynchronously while the next cycle runs. A pod
// that fits nowhere gets the FitError text in a FailedScheduling event and in its
// PodScheduled=False condition (reason Unschedulable), after PostFilter (preemption) ran.
import { StatusError } from '../api/errors.js';
import { EventRecorder } from '../client/events.js';
import type { Informer } from '../client/informer.js';
import type { RestClient } from '../client/rest.js';
import { SharedInformers } from '../client/shared-informers.js';
import { logger } from '../util/log.js';
import { SchedulerCache } from './cache.js';
import { Placement } from './algorithm.js';
import { podKey, type NodeInfo } from './framework/node-info.js';
import { Framework, type Profile } from './framework/runtime.js';
import type { CycleState, Node, Pod, QueuedPodInfo } from './framework/types.js';
import type { DisruptionBudget } from './plugins/preemption-pdb.js';
import { defaultProfile, type ProfileOptions } from './profile.js';
import { prioritySort } from './plugins/priority-sort.js';
import { SchedulingQueue } from './queue.js';
import { setPodCondition, evictVictim } from './pod-updates.js';
import { planPodVolumes, type VolumeLister } from './plugins/volume-binding.js';
import { bindPodVolumes } from './volume-prebind.js';
import { Status } from './framework/types.js';

const log = logger('scheduler');
/** event writes in parallel streams (one recorder serializes its own writes) */
const RECORDERS = 8;

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export interface SchedulerStats {
  scheduled: number;
  failedAttempts: number;
  bindErrors: number;
}

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue = new SchedulingQueue(prioritySort);
  readonly stats: SchedulerStats = { scheduled: 0, failedAttempts: 0, bindErrors: 0 };
  private readonly frameworks = new Map<string, Framework>();
  private readonly informers: SharedInformers;
  private readonly pods: Informer;
  private readonly recorders: EventRecorder[] = [];
  private readonly placement = new Placement();
  private stopped = false;
  private readonly expiry: NodeJS.Timeout;
  private readonly volumes: VolumeLister;

  constructor(
    private readonly client: RestClient,
    profiles: ProfileOptions[] = [{}],
  ) {
    for (let i = 0; i < RECORDERS; i++) this.recorders.push(new EventRecorder(client, 'default-scheduler'));
    this.informers = new SharedInformers(client);
    this.volumes = this.volumeLister();
    // preemption prefers victims whose eviction keeps every PodDisruptionBudget
    const budgets = this.informers.informer('/apis/policy/v1/poddisruptionbudgets');
    const deps = {
      volumes: this.volumes,
      nodes: () => this.cache.list(),
      antiAffinityPods: () => this.cache.antiAffinityPods(),
      filter: (state: CycleState, pod: Pod, node: NodeInfo) =>
        this.frameworkFor(pod)!.runFilters(state, pod, node),
      preempt: (pod: Pod, nodeName: string, victims: Pod[]) => this.preempt(pod, nodeName, victims),
      budgets: () => budgets.list() as DisruptionBudget[],
    };
    for (const p of profiles) {
      const profile: Profile = defaultProfile(deps, p);
      this.frameworks.set(profile.schedulerName, new Framework(profile));
    }
    this.pods = this.informers.informer('/api/v1/pods');
    this.pods.addHandlers({
      onAdd: (o) => this.podAdded(o as Pod),
      onUpdate: (old, o) => this.podUpdated(old as Pod, o as Pod),
      onDelete: (o) => this.podDeleted(o as Pod),
    });
    this.informers.informer('/api/v1/nodes').addHandlers({
      onAdd: (o) => {
        this.cache.setNode(o as Node);
        this.queue.moveAllToActiveOrBackoff();
      },
      onUpdate: (old, o) => {
        this.cache.setNode(o as Node);
        if (nodeSchedulingChanged(old as Node, o as Node)) this.queue.moveAllToActiveOrBackoff();
      },
      onDelete: (o) => this.cache.removeNode(o.metadata.name ?? ''),
    });
    this.expiry = setInterval(() => this.cache.expireAssumed(), 1000);
    this.expiry.unref();
  }

  /** Claims, volumes and classes for VolumeBinding; a change may make a waiting pod fit. */
  private volumeLister(): VolumeLister {
    const claims = this.informers.informer('/api/v1/persistentvolumeclaims');
    const volumes = this.informers.informer('/api/v1/persistentvolumes');
    const classes = this.informers.informer('/apis/storage.k8s.io/v1/storageclasses');
    const changed = () => this.queue.moveAllToActiveOrBackoff();
    for (const inf of [claims, volumes, classes]) inf.addHandlers({ onAdd: changed, onUpdate: changed });
    return {
      claim: (ns, name) => claims.get(`${ns}/${name}`),
      volume: (name) => volumes.get(name),
      volumes: () => volumes.list(),
      storageClass: (name) => classes.get(name),
    };
  }

  private frameworkFor(pod: Pod): Framework | undefined {
    return this.frameworks.get(pod.spec.schedulerName ?? 'default-scheduler');
  }

  private recorder(key: string): EventRecorder {
    let h = 0;
    for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
    return this.recorders[Math.abs(h) % RECORDERS];
  }

  private wantsScheduling(pod: Pod): boolean {
    return (
      !pod.spec.nodeName &&
      !pod.metadata.deletionTimestamp &&
      !isTerminal(pod) &&
      !(pod.spec.schedulingGates ?? []).length &&
      !!this.frameworkFor(pod)
    );
  }

  private podAdded(pod: Pod): void {
    if (pod.spec.nodeName) {
      if (!isTerminal(pod)) this.cache.setBoundPod(pod);
    } else if (this.wantsScheduling(pod)) this.queue.add(pod);
  }

  private podUpdated(old: Pod, pod: Pod): void {
    if (pod.spec.nodeName) {
      this.queue.delete(pod);
      if (isTerminal(pod)) {
        // a finished pod frees its resources
        this.cache.removePod(pod);
        if (!isTerminal(old)) this.queue.moveAllToActiveOrBackoff();
      } else this.cache.setBoundPod(pod);
      return;
    }
    if (!this.wantsScheduling(pod)) this.queue.delete(pod);
    // a status-only change (our own PodScheduled condition) is no reason to try again
    else if (specOrMetaChanged(old, pod)) this.queue.add(pod);
  }

  private podDeleted(pod: Pod): void {
    this.queue.delete(pod);
    if (pod.spec.nodeName || this.cache.isAssumed(podKey(pod))) {
      this.cache.removePod(pod);
      this.queue.moveAllToActiveOrBackoff();
    }
  }

  async start(): Promise<void> {
    this.informers.start();
    await this.informers.waitForSync();
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.expiry);
    this.queue.close();
    this.informers.dispose();
  }

  /** Resolves when every event recorded so far is written. */
  async flushEvents(): Promise<void> {
    await Promise.all(this.recorders.map((r) => r.flush()));
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const qp = await this.queue.pop();
      if (!qp) return;
      try {
        this.scheduleOne(qp);
      } catch (err) {
        log.error('scheduling cycle failed', { pod: qp.key, error: String(err) });
        this.queue.addUnschedulable(qp, false);
      }
      // let informer events and binding answers in between cycles
      if (this.queue.pendingCounts.active === 0 || qp.attempts % 16 === 0)
        await new Promise((r) => setImmediate(r));
    }
  }

  /** One scheduling cycle, synchronous up to the asynchronous binding. */
  scheduleOne(qp: QueuedPodInfo): void {
    const current = this.pods.get(qp.key) as Pod | undefined;
    if (!current || !this.wantsScheduling(current) || current.metadata.uid !== qp.pod.metadata.uid) {
      this.queue.done(qp.key);
      return;
    }
    qp.pod = current;
    const d = this.placement.decide(this.frameworkFor(current)!, current, this.cache.list());
    if (!('host' in d)) return this.fail(qp, d.message, d.unschedulable, d.nominatedNodeName);
    this.cache.assume(current, d.host);
    void this.bind(qp, current, d.host);
  }

  private async bind(qp: QueuedPodInfo, pod: Pod, node: string): Promise<void> {
    const ns = pod.metadata.namespace ?? '';
    const name = pod.metadata.name ?? '';
    try {
      const volumesError = await this.preBindVolumes(pod, node);
      if (volumesError) {
        this.cache.forget(pod);
        this.fail(qp, `running PreBind plugin "VolumeBinding": ${volumesError}`, false);
        return;
      }
      await this.client.request('POST', `/api/v1/namespaces/${ns}/pods/${name}/binding`, {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace: ns, uid: pod.metadata.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: node },
      });
      this.cache.finishBinding(pod);
      this.queue.done(qp.key);
      this.stats.scheduled++;
      this.recorder(qp.key).event(
        pod,
        'Normal',
        'Scheduled',
        `Successfully assigned ${ns}/${name} to ${node}`,
      );
    } catch (err) {
      this.cache.forget(pod);
      this.stats.bindErrors++;
      // the pod is gone or already bound elsewhere: nothing to retry
      if (err instanceof StatusError && (err.code === 404 || err.code === 409)) {
        this.queue.done(qp.key);
        return;
      }
      const msg = `running Bind plugin "DefaultBinder": ${err instanceof Error ? err.message : String(err)}`;
      this.fail(qp, msg, false);
    }
  }

  /** VolumeBinding's PreBind: writes the volume plan for the node, then waits for the claims. */
  private async preBindVolumes(pod: Pod, node: string): Promise<string | undefined> {
    const nodeObj = this.cache.get(node)?.node;
    if (!nodeObj) return undefined;
    const plan = planPodVolumes(this.volumes, pod, nodeObj);
    if (plan instanceof Status) return plan.message();
    if (!plan.bindings.length && !plan.provisions.length) return undefined;
    return bindPodVolumes(this.client, this.volumes, plan, node, () => this.stopped);
  }

  /** upstream's handleSchedulingFailure: event, condition, back to the queue. */
  private fail(qp: QueuedPodInfo, message: string, unschedulable: boolean, nominated?: string): void {
    this.stats.failedAttempts++;
    const pod = qp.pod;
    this.recorder(qp.key).event(pod, 'Warning', 'FailedScheduling', message);
    this.queue.addUnschedulable(qp, unschedulable);
    const reason = unschedulable ? 'Unschedulable' : 'SchedulerError';
    void setPodCondition(this.client, pod, reason, message, nominated).catch((err: unknown) => {
      if (!(err instanceof StatusError && err.code === 404))
        log.warn('could not update pod condition', { pod: qp.key, error: String(err) });
    });
  }

  private preempt(pod: Pod, nodeName: string, victims: Pod[]): void {
    for (const v of victims) {
      this.recorder(podKey(v)).event(
        v,
        'Normal',
        'Preempted',
        `Preempted by pod ${pod.metadata.uid ?? ''} on node ${nodeName}`,
      );
      void evictVictim(this.client, v).catch((err: unknown) =>
        log.warn('could not preempt pod', { pod: podKey(v), error: String(err) }),
      );
    }
  }
}

/** upstream's isPodUpdated: anything but status, resourceVersion and managedFields changed. */
function specOrMetaChanged(old: Pod, now: Pod): boolean {
  const strip = (p: Pod) => {
    const { resourceVersion: _rv, managedFields: _mf, ...meta } = p.metadata;
    return JSON.stringify([meta, p.spec]);
  };
  return strip(old) !== strip(now);
}

/** Whether a node update may make a pending pod schedulable. */
function nodeSchedulingChanged(old: Node, now: Node): boolean {
  const view = (n: Node) =>
    JSON.stringify([n.metadata.labels, n.spec?.unschedulable, n.spec?.taints, n.status?.allocatable]);
  return view(old) !== view(now);
}
