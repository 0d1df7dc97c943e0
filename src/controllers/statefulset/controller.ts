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
import { asPod, keyOf, type OwnerReference, type Pod } from '../common/objects.js';
import { ensureRevision, type ControllerRevision } from '../common/revision.js';
import { KeyWorkers, type Requeue } from '../common/worker.js';
import { addPodIndexes, CONTROLLER_UID_INDEX, ORPHAN_INDEX } from '../replicaset/controller.js';
import { claimsFor, REVISION_LABEL, type StatefulSet } from './identity.js';
import { StatefulSetPass, type StatefulSetHost } from './pass.js';

const log = logger('statefulset-controller');

export class StatefulSetController implements Controller, StatefulSetHost {
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
