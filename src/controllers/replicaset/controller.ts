// The ReplicaSet controller (upstream's ReplicaSetController, also run for
// ReplicationControllers): keeps spec.replicas pods of the template alive, adopting matching
// orphans and releasing owned pods that stopped matching, and reports counts in status.
// Level-based: every sync reads the set and its pods from the caches and acts on the difference.
import type { KubeObject } from '../../api/types.js';
import type { Informer } from '../../client/informer.js';
import { logger, type Logger } from '../../util/log.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { claim, controllerRefOf, newControllerRef } from '../common/controller-ref.js';
import { Expectations } from '../common/expectations.js';
import { asPod, keyOf, type Pod, type Workload } from '../common/objects.js';
import { PodControl, isNamespaceTerminating, podFromTemplate } from '../common/pod-control.js';
import { isPodActive, isPodReady } from '../common/pod-util.js';
import { rankPodsForDeletion } from '../common/pod-ranking.js';
import { SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from '../common/slow-start.js';
import { KeyWorkers, type Requeue } from '../common/worker.js';
import { REPLICA_SET, type ReplicaKind } from './kinds.js';
import { calculateStatus, statusUnchanged, type ReplicaStatus } from './status.js';
import { isNotFound } from '../../client/informer.js';
import { StatusError } from '../../api/errors.js';

/** upstream's BurstReplicas: at most this many creations or deletions per sync */
const BURST_REPLICAS = 500;
export const CONTROLLER_UID_INDEX = 'controllerUID';
export const ORPHAN_INDEX = 'orphanInNamespace';

/** Files pods under their controller's uid and orphans under their namespace. */
export function addPodIndexes(pods: Informer): void {
  pods.addIndex(CONTROLLER_UID_INDEX, (o) => {
    const ref = controllerRefOf(o);
    return ref ? [ref.uid] : [];
  });
  pods.addIndex(ORPHAN_INDEX, (o) => (controllerRefOf(o) ? [] : [o.metadata.namespace ?? '']));
}

export class ReplicaSetController implements Controller {
  private readonly log: Logger;
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly control: PodControl;
  private readonly expectations = new Expectations();
  private readonly workers: KeyWorkers;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly kind: ReplicaKind = REPLICA_SET,
    private readonly workerCount = 5,
  ) {
    this.log = logger(kind.component);
    this.control = new PodControl(ctx.client, ctx.recorder(kind.component));
    this.workers = new KeyWorkers(this.log, (key) => this.sync(key));
    this.sets = ctx.informers.informer(`${kind.base}/${kind.resource}`);
    this.pods = ctx.informers.informer('/api/v1/pods');
    addPodIndexes(this.pods);
    const enqueue = (o: KubeObject) => this.workers.queue.add(keyOf(o));
    this.sets.addHandlers({
      onAdd: enqueue,
      onUpdate: (_old, cur) => enqueue(cur),
      onDelete: (o) => {
        this.expectations.forget(keyOf(o));
        enqueue(o);
      },
    });
    this.pods.addHandlers({
      onAdd: (o) => this.podAdded(asPod(o)),
      onUpdate: (old, cur) => this.podUpdated(asPod(old), asPod(cur)),
      onDelete: (o) => this.podDeleted(asPod(o)),
    });
  }

  start(): void {
    this.workers.start(this.workerCount);
  }

  stop(): void {
    this.workers.stop();
  }

  /** The set a controller reference points at, if the cache has it with that uid. */
  private ownerOf(p: Pod): KubeObject | undefined {
    const ref = controllerRefOf(p);
    if (!ref || ref.kind !== this.kind.kind) return undefined;
    const set = this.sets.get(`${p.metadata!.namespace}/${ref.name}`);
    return set && set.metadata.uid === ref.uid ? set : undefined;
  }

  /** Sets of the pod's namespace whose selector matches it (for orphans). */
  private matchingSets(p: Pod): KubeObject[] {
    const labels = p.metadata?.labels ?? {};
    return this.sets.listNamespace(p.metadata!.namespace!).filter((s) => {
      try {
        return this.kind.selectorOf(s)?.matches(labels) ?? false;
      } catch {
        return false;
      }
    });
  }

  private podAdded(p: Pod): void {
    if (p.metadata?.deletionTimestamp) return this.podDeleted(p);
    const owner = this.ownerOf(p);
    if (owner) {
      this.expectations.creationObserved(keyOf(owner));
      this.workers.queue.add(keyOf(owner));
      return;
    }
    if (!controllerRefOf(p)) for (const s of this.matchingSets(p)) this.workers.queue.add(keyOf(s));
  }

  private podUpdated(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    if (cur.metadata?.deletionTimestamp && !old.metadata?.deletionTimestamp) this.podDeleted(cur);
    const oldOwner = this.ownerOf(old);
    const curOwner = this.ownerOf(cur);
    if (oldOwner && oldOwner.metadata.uid !== curOwner?.metadata.uid) this.workers.queue.add(keyOf(oldOwner));
    if (curOwner) {
      this.workers.queue.add(keyOf(curOwner));
      const minReady = ((curOwner as Workload).spec?.minReadySeconds ?? 0) * 1000;
      // a pod that just became ready becomes available minReadySeconds later
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur))
        this.workers.queue.addAfter(keyOf(curOwner), minReady + 1000);
      return;
    }
    if (!controllerRefOf(cur)) for (const s of this.matchingSets(cur)) this.workers.queue.add(keyOf(s));
  }

  private podDeleted(p: Pod): void {
    const owner = this.ownerOf(p);
    if (!owner) return;
    this.expectations.deletionObserved(keyOf(owner), keyOf(p));
    this.workers.queue.add(keyOf(owner));
  }

  private collection(ns: string): string {
    return `${this.kind.base}/namespaces/${ns}/${this.kind.resource}`;
  }

  /** syncReplicaSet */
  async sync(key: string): Promise<Requeue> {
    const set = this.sets.get(key) as Workload | undefined;
    if (!set) {
      this.expectations.forget(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    let selector;
    try {
      selector = this.kind.selectorOf(set);
    } catch (err) {
      this.log.warn('invalid selector; skipping', { key, error: String(err) });
      return;
    }
    const ns = set.metadata.namespace!;
    const candidates = [
      ...this.pods.byIndex(CONTROLLER_UID_INDEX, set.metadata.uid!),
      ...this.pods.byIndex(ORPHAN_INDEX, ns),
    ]
      .map(asPod)
      .filter(isPodActive);
    const owned = await claim(
      this.ctx.client,
      {
        owner: set,
        ref: newControllerRef(set, this.kind.apiVersion, this.kind.kind),
        collection: `/api/v1/namespaces/${ns}/pods`,
        ownerPath: `${this.collection(ns)}/${set.metadata.name}`,
        matches: (o) => selector?.matches(o.metadata.labels ?? {}) ?? false,
      },
      candidates as unknown as KubeObject[],
    );
    const pods = owned.map(asPod);
    let manageError: unknown;
    if (needsSync && !set.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(key, set, pods);
      } catch (err) {
        manageError = err;
      }
    }
    const status = calculateStatus(set, pods, manageError);
    await this.writeStatus(set, status);
    if (manageError !== undefined) throw manageError;
    const minReady = set.spec?.minReadySeconds ?? 0;
    if (
      minReady > 0 &&
      (status.readyReplicas ?? 0) === (set.spec?.replicas ?? 1) &&
      (status.availableReplicas ?? 0) !== (set.spec?.replicas ?? 1)
    )
      return minReady * 1000;
  }

  private async manageReplicas(key: string, set: Workload, pods: Pod[]): Promise<void> {
    const ns = set.metadata.namespace!;
    const diff = pods.length - (set.spec?.replicas ?? 1);
    if (diff < 0) {
      const n = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expectCreations(key, n);
      const ref = newControllerRef(set, this.kind.apiVersion, this.kind.kind);
      const { successes, error } = await slowStartBatch(n, SLOW_START_INITIAL_BATCH_SIZE, async () => {
        try {
          await this.control.create(ns, podFromTemplate(set.spec!.template!, set.metadata.name!, ref), set);
        } catch (err) {
          if (!isNamespaceTerminating(err)) throw err;
        }
      });
      // the creations never tried will never be observed
      for (let i = successes; i < n; i++) this.expectations.creationObserved(key);
      if (error !== undefined) throw error;
      return;
    }
    if (diff > 0) {
      const n = Math.min(diff, BURST_REPLICAS);
      const victims = n < pods.length ? rankPodsForDeletion(pods, this.relatedPods(set)).slice(0, n) : pods;
      this.expectations.expectDeletions(key, victims.map(keyOf));
      const results = await Promise.allSettled(
        victims.map((p) => this.control.delete(ns, p.metadata!.name!, set)),
      );
      let error: unknown;
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') return;
        // the informer will not see this deletion
        this.expectations.deletionObserved(key, keyOf(victims[i]));
        if (!isNotFound(r.reason)) error ??= r.reason;
      });
      if (error !== undefined) throw error;
    }
  }

  /** Pods of every set sharing this set's controller (getIndirectlyRelatedPods). */
  private relatedPods(set: Workload): Pod[] {
    const ref = controllerRefOf(set);
    const family = ref
      ? this.sets.listNamespace(set.metadata.namespace!).filter((s) => controllerRefOf(s)?.uid === ref.uid)
      : [set];
    return family.flatMap((s) => this.pods.byIndex(CONTROLLER_UID_INDEX, s.metadata.uid!)).map(asPod);
  }

  private async writeStatus(set: Workload, status: ReplicaStatus): Promise<void> {
    if (statusUnchanged(set, status)) return;
    status.observedGeneration = set.metadata.generation;
    const path = `${this.collection(set.metadata.namespace!)}/${set.metadata.name}/status`;
    try {
      await this.ctx.client.request('PUT', path, { ...set, status });
    } catch (err) {
      if (isNotFound(err)) return;
      if (!(err instanceof StatusError && err.code === 409)) throw err;
      // upstream retries once on a fresh copy
      const fresh = await this.ctx.client.request<Workload>('GET', path);
      await this.ctx.client.request('PUT', path, { ...fresh, status });
    }
  }
}
