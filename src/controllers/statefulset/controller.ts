// The StatefulSet controller (upstream's StatefulSetController, 1.31): pods `<set>-0..n-1`
// with stable names, hostnames and claims; OrderedReady creates in order and scales down from
// the top, each step waiting for the last to be Running and Ready; Parallel acts at once.
// Template changes become ControllerRevisions; RollingUpdate replaces pods from the highest
// ordinal down to the partition, OnDelete only when a user deletes them.
import { StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../api/selectors/index.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { isNotFound } from '../../client/informer.js';
import { logger } from '../../util/log.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { claim, controllerRefOf, newControllerRef } from '../common/controller-ref.js';
import { asPod, keyOf, type OwnerReference, type Pod, type PodTemplateSpec } from '../common/objects.js';
import { isPodAvailable, isPodReady } from '../common/pod-util.js';
import { ensureRevision, type ControllerRevision } from '../common/revision.js';
import { KeyWorkers, type Requeue } from '../common/worker.js';
import { addPodIndexes, CONTROLLER_UID_INDEX, ORPHAN_INDEX } from '../replicaset/controller.js';
import { claimsFor, newPod, ordinalOf, REVISION_LABEL, type StatefulSet } from './identity.js';

const log = logger('statefulset-controller');

const runningAndReady = (p: Pod) => p.status?.phase === 'Running' && isPodReady(p);
const terminating = (p: Pod) => !!p.metadata?.deletionTimestamp;
const failedOrDone = (p: Pod) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';

export class StatefulSetController implements Controller {
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly revisions: Informer;
  private readonly claims: Informer;
  private readonly recorder: EventRecorder;
  private readonly workers = new KeyWorkers(log, (key) => this.sync(key));

  constructor(
    private readonly ctx: ControllerContext,
    private readonly workerCount = 5,
  ) {
    this.recorder = ctx.recorder('statefulset-controller');
    this.sets = ctx.informers.informer('/apis/apps/v1/statefulsets');
    this.pods = ctx.informers.informer('/api/v1/pods');
    this.revisions = ctx.informers.informer('/apis/apps/v1/controllerrevisions');
    this.claims = ctx.informers.informer('/api/v1/persistentvolumeclaims');
    addPodIndexes(this.pods);
    addPodIndexes(this.revisions);
    const enqueue = (o: KubeObject) => this.workers.queue.add(keyOf(o));
    this.sets.addHandlers({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
    const podChanged = (o: KubeObject) => {
      const ref = controllerRefOf(o);
      if (ref?.kind === 'StatefulSet') {
        const set = this.sets.get(`${o.metadata.namespace}/${ref.name}`);
        if (set && set.metadata.uid === ref.uid) enqueue(set);
      } else if (!ref) {
        for (const s of this.sets.listNamespace(o.metadata.namespace!)) enqueue(s);
      }
    };
    this.pods.addHandlers({ onAdd: podChanged, onUpdate: (_o, n) => podChanged(n), onDelete: podChanged });
  }

  start(): void {
    this.workers.start(this.workerCount);
  }

  stop(): void {
    this.workers.stop();
  }

  private podsPath(ns: string): string {
    return `/api/v1/namespaces/${ns}/pods`;
  }

  async sync(key: string): Promise<Requeue> {
    const cached = this.sets.get(key) as StatefulSet | undefined;
    if (!cached) return;
    const set = structuredClone(cached);
    const ns = set.metadata.namespace!;
    const matcher = labelSelectorFromObject(set.spec.selector as LabelSelectorObject);
    const target = {
      owner: set,
      ref: newControllerRef(set, 'apps/v1', 'StatefulSet'),
      ownerPath: `/apis/apps/v1/namespaces/${ns}/statefulsets/${set.metadata.name}`,
      matches: (o: KubeObject) => matcher.matches(o.metadata.labels ?? {}),
    };
    const pods = (
      await claim(this.ctx.client, { ...target, collection: this.podsPath(ns) }, [
        ...this.pods.byIndex(CONTROLLER_UID_INDEX, set.metadata.uid!),
        ...this.pods.byIndex(ORPHAN_INDEX, ns),
      ])
    ).map(asPod);
    const revisions = (await claim(
      this.ctx.client,
      { ...target, collection: `/apis/apps/v1/namespaces/${ns}/controllerrevisions` },
      [
        ...this.revisions.byIndex(CONTROLLER_UID_INDEX, set.metadata.uid!),
        ...this.revisions.byIndex(ORPHAN_INDEX, ns),
      ],
    )) as ControllerRevision[];
    if (set.metadata.deletionTimestamp) return;
    const { revision: update, collisionCount } = await ensureRevision(
      this.ctx.client,
      set,
      'StatefulSet',
      revisions,
    );
    const all = revisions.some((r) => r.metadata.uid === update.metadata.uid)
      ? revisions.map((r) => (r.metadata.uid === update.metadata.uid ? update : r))
      : [...revisions, update];
    const current = all.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    const pass = new StatefulSetPass(this, set, pods, current, update);
    const requeue = await pass.run();
    await this.retainClaims(set);
    await this.writeStatus(set, pass.status(collisionCount));
    await this.truncateHistory(set, all, pods, current, update);
    return requeue;
  }

  // ---- used by the pass ----
  client() {
    return this.ctx.client;
  }
  events(): EventRecorder {
    return this.recorder;
  }
  claimInCache(ns: string, name: string): KubeObject | undefined {
    return this.claims.get(`${ns}/${name}`);
  }

  /** persistentVolumeClaimRetentionPolicy.whenDeleted: Delete makes the set an owner of its claims. */
  private async retainClaims(set: StatefulSet): Promise<void> {
    const policy = set.spec.persistentVolumeClaimRetentionPolicy?.whenDeleted ?? 'Retain';
    const replicas = set.spec.replicas ?? 1;
    const start = set.spec.ordinals?.start ?? 0;
    for (let ord = start; ord < start + replicas; ord++) {
      for (const c of claimsFor(set, ord)) {
        const name = (c.metadata as { name: string }).name;
        const existing = this.claims.get(`${set.metadata.namespace}/${name}`);
        if (!existing) continue;
        const refs = existing.metadata.ownerReferences ?? [];
        const has = refs.some((r) => r.uid === set.metadata.uid);
        if ((policy === 'Delete') === has) continue;
        const next: OwnerReference[] =
          policy === 'Delete'
            ? [
                ...refs,
                {
                  apiVersion: 'apps/v1',
                  kind: 'StatefulSet',
                  name: set.metadata.name!,
                  uid: set.metadata.uid!,
                },
              ]
            : refs.filter((r) => r.uid !== set.metadata.uid);
        await this.patchOwners(existing, next);
      }
    }
  }

  async patchOwners(claimObj: KubeObject, refs: OwnerReference[]): Promise<void> {
    await this.ctx.client
      .request(
        'PATCH',
        `/api/v1/namespaces/${claimObj.metadata.namespace}/persistentvolumeclaims/${claimObj.metadata.name}`,
        { metadata: { ownerReferences: refs, resourceVersion: claimObj.metadata.resourceVersion } },
        'application/merge-patch+json',
      )
      .catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
  }

  private async writeStatus(set: StatefulSet, status: NonNullable<StatefulSet['status']>): Promise<void> {
    if (JSON.stringify(status) === JSON.stringify(set.status ?? {})) return;
    try {
      await this.ctx.client.request(
        'PUT',
        `/apis/apps/v1/namespaces/${set.metadata.namespace}/statefulsets/${set.metadata.name}/status`,
        {
          ...set,
          status,
        },
      );
    } catch (err) {
      if (!(err instanceof StatusError && (err.code === 409 || err.code === 404))) throw err;
      this.workers.queue.add(keyOf(set));
    }
  }

  /** truncateHistory: keep revisionHistoryLimit revisions besides the live ones. */
  private async truncateHistory(
    set: StatefulSet,
    revisions: ControllerRevision[],
    pods: Pod[],
    current: ControllerRevision,
    update: ControllerRevision,
  ): Promise<void> {
    const live = new Set([
      current.metadata.name,
      update.metadata.name,
      ...pods.map((p) => p.metadata?.labels?.[REVISION_LABEL]),
    ]);
    const old = revisions.filter((r) => !live.has(r.metadata.name)).sort((a, b) => a.revision - b.revision);
    const limit = set.spec.revisionHistoryLimit ?? 10;
    for (const r of old.slice(0, Math.max(0, old.length - limit))) {
      await this.ctx.client
        .request(
          'DELETE',
          `/apis/apps/v1/namespaces/${set.metadata.namespace}/controllerrevisions/${r.metadata.name}`,
        )
        .catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
    }
  }
}

/** One sync of one StatefulSet: creations, recoveries, scale-down, rolling update. */
class StatefulSetPass {
  private readonly byOrdinal = new Map<number, Pod>();
  private readonly condemned: Pod[] = [];
  private readonly start: number;
  private readonly replicas: number;
  private readonly monotonic: boolean;
  private readonly ref: OwnerReference;

  constructor(
    private readonly c: StatefulSetController,
    private readonly set: StatefulSet,
    private readonly pods: Pod[],
    private readonly current: ControllerRevision,
    private readonly update: ControllerRevision,
  ) {
    this.start = set.spec.ordinals?.start ?? 0;
    this.replicas = set.spec.replicas ?? 1;
    this.monotonic = set.spec.podManagementPolicy !== 'Parallel';
    this.ref = newControllerRef(set, 'apps/v1', 'StatefulSet');
    for (const p of pods) {
      const ord = ordinalOf(set, p);
      if (ord >= this.start && ord < this.start + this.replicas) this.byOrdinal.set(ord, p);
      else this.condemned.push(p);
    }
    this.condemned.sort((a, b) => ordinalOf(set, b) - ordinalOf(set, a));
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.c.events().event(this.set, type, reason, message);
  }

  private get ns(): string {
    return this.set.metadata.namespace!;
  }

  private healthy(p: Pod): boolean {
    return runningAndReady(p) && isPodAvailable(p, this.set.spec.minReadySeconds ?? 0);
  }

  private templateFor(ord: number): [PodTemplateSpec, string] {
    const ru = this.set.spec.updateStrategy;
    const partition = ru?.rollingUpdate?.partition ?? 0;
    if ((ru?.type ?? 'RollingUpdate') === 'RollingUpdate' && ord < partition) {
      const data = this.current.data as { spec?: { template?: PodTemplateSpec & { $patch?: string } } };
      const t = structuredClone(data.spec?.template ?? this.set.spec.template);
      delete (t as { $patch?: string }).$patch;
      return [t, this.current.metadata.name!];
    }
    return [this.set.spec.template, this.update.metadata.name!];
  }

  private async createPod(ord: number): Promise<void> {
    const [template, revision] = this.templateFor(ord);
    const pod = newPod(this.set, template, revision, ord, this.ref);
    for (const claimObj of claimsFor(this.set, ord)) {
      const name = (claimObj.metadata as { name: string }).name;
      if (this.c.claimInCache(this.ns, name)) continue;
      try {
        await this.c
          .client()
          .request('POST', `/api/v1/namespaces/${this.ns}/persistentvolumeclaims`, claimObj);
        this.event(
          'Normal',
          'SuccessfulCreate',
          `create Claim ${name} Pod ${pod.metadata!.name} in StatefulSet ${this.set.metadata.name} success`,
        );
      } catch (err) {
        if (err instanceof StatusError && err.reason === 'AlreadyExists') continue;
        this.event(
          'Warning',
          'FailedCreate',
          `create Claim ${name} for Pod ${pod.metadata!.name} in StatefulSet ${this.set.metadata.name} failed error: ${(err as Error).message}`,
        );
        throw err;
      }
    }
    try {
      await this.c.client().request('POST', `/api/v1/namespaces/${this.ns}/pods`, pod);
      this.event(
        'Normal',
        'SuccessfulCreate',
        `create Pod ${pod.metadata!.name} in StatefulSet ${this.set.metadata.name} successful`,
      );
    } catch (err) {
      if (err instanceof StatusError && err.reason === 'AlreadyExists') return;
      this.event(
        'Warning',
        'FailedCreate',
        `create Pod ${pod.metadata!.name} in StatefulSet ${this.set.metadata.name} failed error: ${(err as Error).message}`,
      );
      throw err;
    }
  }

  private async deletePod(p: Pod): Promise<void> {
    try {
      await this.c.client().request('DELETE', `/api/v1/namespaces/${this.ns}/pods/${p.metadata!.name}`);
      this.event(
        'Normal',
        'SuccessfulDelete',
        `delete Pod ${p.metadata!.name} in StatefulSet ${this.set.metadata.name} successful`,
      );
    } catch (err) {
      if (isNotFound(err)) return;
      this.event(
        'Warning',
        'FailedDelete',
        `delete Pod ${p.metadata!.name} in StatefulSet ${this.set.metadata.name} failed error: ${(err as Error).message}`,
      );
      throw err;
    }
  }

  /** Returns a delay to look again (minReadySeconds), or undefined. */
  async run(): Promise<number | undefined> {
    const set = this.set;
    let unhealthy = false;
    // replicas in ordinal order: recover failed pods, create missing ones, wait for each
    for (let ord = this.start; ord < this.start + this.replicas; ord++) {
      const p = this.byOrdinal.get(ord);
      if (p && failedOrDone(p) && !terminating(p)) {
        this.event(
          'Warning',
          'RecreatingFailedPod',
          `StatefulSet ${this.ns}/${set.metadata.name} is recreating failed Pod ${p.metadata!.name}`,
        );
        await this.deletePod(p);
        unhealthy = true;
        if (this.monotonic) return undefined;
        continue;
      }
      if (!p) {
        await this.createPod(ord);
        unhealthy = true;
        if (this.monotonic) return undefined;
        continue;
      }
      if (terminating(p) || !this.healthy(p)) {
        unhealthy = true;
        if (this.monotonic) return this.availabilityDelay(p);
      }
    }
    // scale down from the highest ordinal
    for (const p of this.condemned) {
      if (terminating(p)) {
        if (this.monotonic) return undefined;
        continue;
      }
      if (this.monotonic && unhealthy) return undefined;
      await this.condemnClaims(p);
      await this.deletePod(p);
      if (this.monotonic) return undefined;
    }
    if (unhealthy) return undefined;
    // rolling update, highest ordinal first, down to the partition
    const strategy = set.spec.updateStrategy;
    if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return undefined;
    const partition = strategy?.rollingUpdate?.partition ?? 0;
    for (let ord = this.start + this.replicas - 1; ord >= Math.max(partition, this.start); ord--) {
      const p = this.byOrdinal.get(ord);
      if (!p) continue;
      if (p.metadata?.labels?.[REVISION_LABEL] !== this.update.metadata.name && !terminating(p)) {
        await this.deletePod(p);
        return undefined;
      }
      if (!this.healthy(p)) return undefined;
    }
    return undefined;
  }

  private availabilityDelay(p: Pod): number | undefined {
    const min = this.set.spec.minReadySeconds ?? 0;
    if (min > 0 && runningAndReady(p)) return min * 1000 + 100;
    return undefined;
  }

  /** whenScaled: Delete hands a condemned pod's claims to the pod, so they go with it. */
  private async condemnClaims(p: Pod): Promise<void> {
    if (this.set.spec.persistentVolumeClaimRetentionPolicy?.whenScaled !== 'Delete') return;
    for (const claimObj of claimsFor(this.set, ordinalOf(this.set, p))) {
      const existing = this.c.claimInCache(this.ns, (claimObj.metadata as { name: string }).name);
      if (!existing || existing.metadata.ownerReferences?.some((r) => r.uid === p.metadata!.uid)) continue;
      await this.c.patchOwners(existing, [
        ...(existing.metadata.ownerReferences ?? []),
        { apiVersion: 'v1', kind: 'Pod', name: p.metadata!.name!, uid: p.metadata!.uid! },
      ]);
    }
  }

  /** The status the pods as seen at the start of this pass give (updateStatefulSet's status). */
  status(collisionCount: number | undefined): NonNullable<StatefulSet['status']> {
    const minReady = this.set.spec.minReadySeconds ?? 0;
    let replicas = 0;
    let ready = 0;
    let available = 0;
    let currentCount = 0;
    let updated = 0;
    for (const p of this.pods) {
      replicas++;
      if (runningAndReady(p)) {
        ready++;
        if (isPodAvailable(p, minReady)) available++;
      }
      if (terminating(p)) continue;
      const rev = p.metadata?.labels?.[REVISION_LABEL];
      if (rev === this.current.metadata.name) currentCount++;
      if (rev === this.update.metadata.name) updated++;
    }
    let currentRevision = this.current.metadata.name!;
    if (
      (this.set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' &&
      updated === replicas &&
      ready === replicas &&
      replicas === this.replicas
    ) {
      currentCount = updated;
      currentRevision = this.update.metadata.name!;
    }
    const st: NonNullable<StatefulSet['status']> = {
      observedGeneration: this.set.metadata.generation,
      replicas,
    };
    if (ready) st.readyReplicas = ready;
    if (currentCount) st.currentReplicas = currentCount;
    if (updated) st.updatedReplicas = updated;
    st.currentRevision = currentRevision;
    st.updateRevision = this.update.metadata.name!;
    st.collisionCount = collisionCount ?? 0;
    st.availableReplicas = available;
    return st;
  }
}
