// The DaemonSet controller (upstream's DaemonSetsController, 1.31): one pod per eligible
// node, pinned there by node affinity; pods on nodes that no longer fit are removed, failed
// ones replaced; template changes become ControllerRevisions and roll out within
// maxUnavailable (delete old, then create new) or maxSurge (new beside old, then delete old).
import type { KubeObject } from '../../api/types.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../api/selectors/index.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { isNotFound } from '../../client/informer.js';
import { logger } from '../../util/log.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { claim, controllerRefOf, newControllerRef } from '../common/controller-ref.js';
import { Expectations } from '../common/expectations.js';
import { asPod, keyOf, type Pod, type PodTemplateSpec } from '../common/objects.js';
import { PodControl, isNamespaceTerminating, podFromTemplate } from '../common/pod-control.js';
import { isPodAvailable, isPodReady } from '../common/pod-util.js';
import { ensureRevision, hashOf, type ControllerRevision } from '../common/revision.js';
import { slowStartBatch } from '../common/slow-start.js';
import { KeyWorkers, type Requeue } from '../common/worker.js';
import { addPodIndexes, CONTROLLER_UID_INDEX, ORPHAN_INDEX } from '../replicaset/controller.js';
import { scaledValue } from '../deployment/util.js';
import { daemonTolerations, nodeAffinityFor, shouldRun, targetNode, type NodeView } from './placement.js';

const log = logger('daemonset-controller');
const REVISION_HASH = 'controller-revision-hash';
const TEMPLATE_GENERATION = 'pod-template-generation';
const GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

interface DaemonSet extends KubeObject {
  spec: {
    selector?: LabelSelectorObject;
    template: PodTemplateSpec;
    updateStrategy?: {
      type?: 'RollingUpdate' | 'OnDelete';
      rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string };
    };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
  };
  status?: Record<string, unknown> & { collisionCount?: number };
}

export class DaemonSetController implements Controller {
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly revisions: Informer;
  private readonly recorder: EventRecorder;
  private readonly control: PodControl;
  private readonly expectations = new Expectations();
  private readonly workers = new KeyWorkers(log, (key) => this.sync(key));

  constructor(
    private readonly ctx: ControllerContext,
    private readonly workerCount = 2,
  ) {
    this.recorder = ctx.recorder('daemonset-controller');
    this.control = new PodControl(ctx.client, this.recorder);
    this.sets = ctx.informers.informer('/apis/apps/v1/daemonsets');
    this.pods = ctx.informers.informer('/api/v1/pods');
    this.nodes = ctx.informers.informer('/api/v1/nodes');
    this.revisions = ctx.informers.informer('/apis/apps/v1/controllerrevisions');
    addPodIndexes(this.pods);
    addPodIndexes(this.revisions);
    const enqueue = (o: KubeObject) => this.workers.queue.add(keyOf(o));
    const all = () => {
      for (const d of this.sets.list()) enqueue(d);
    };
    this.sets.addHandlers({
      onAdd: enqueue,
      onUpdate: (_o, n) => enqueue(n),
      onDelete: (o) => this.expectations.forget(keyOf(o)),
    });
    this.nodes.addHandlers({ onAdd: all, onUpdate: all, onDelete: all });
    const podChanged = (o: KubeObject, what: 'add' | 'update' | 'delete') => {
      const ref = controllerRefOf(o);
      if (ref?.kind !== 'DaemonSet') return;
      const ds = this.sets.get(`${o.metadata.namespace}/${ref.name}`);
      if (!ds || ds.metadata.uid !== ref.uid) return;
      if (what === 'add') this.expectations.creationObserved(keyOf(ds));
      if (what === 'delete' || o.metadata.deletionTimestamp)
        this.expectations.deletionObserved(keyOf(ds), keyOf(o));
      enqueue(ds);
    };
    this.pods.addHandlers({
      onAdd: (o) => podChanged(o, 'add'),
      onUpdate: (_o, n) => podChanged(n, 'update'),
      onDelete: (o) => podChanged(o, 'delete'),
    });
  }

  start(): void {
    this.workers.start(this.workerCount);
  }

  stop(): void {
    this.workers.stop();
  }

  async sync(key: string): Promise<Requeue> {
    const cached = this.sets.get(key) as DaemonSet | undefined;
    if (!cached) return;
    const ds = structuredClone(cached);
    const ns = ds.metadata.namespace!;
    const matcher = labelSelectorFromObject(ds.spec.selector);
    const target = {
      owner: ds,
      ref: newControllerRef(ds, 'apps/v1', 'DaemonSet'),
      ownerPath: `/apis/apps/v1/namespaces/${ns}/daemonsets/${ds.metadata.name}`,
      matches: (o: KubeObject) => matcher.matches(o.metadata.labels ?? {}),
    };
    const pods = (
      await claim(this.ctx.client, { ...target, collection: `/api/v1/namespaces/${ns}/pods` }, [
        ...this.pods.byIndex(CONTROLLER_UID_INDEX, ds.metadata.uid!),
        ...this.pods.byIndex(ORPHAN_INDEX, ns),
      ])
    ).map(asPod);
    if (ds.metadata.deletionTimestamp) return;
    const revisions = (await claim(
      this.ctx.client,
      { ...target, collection: `/apis/apps/v1/namespaces/${ns}/controllerrevisions` },
      [
        ...this.revisions.byIndex(CONTROLLER_UID_INDEX, ds.metadata.uid!),
        ...this.revisions.byIndex(ORPHAN_INDEX, ns),
      ],
    )) as ControllerRevision[];
    const { revision } = await ensureRevision(this.ctx.client, ds, 'DaemonSet', revisions);
    const hash = hashOf(revision);
    const byNode = new Map<string, Pod[]>();
    const strays: Pod[] = [];
    for (const p of pods) {
      const n = targetNode(p.spec);
      if (!n) strays.push(p);
      else byNode.set(n, [...(byNode.get(n) ?? []), p]);
    }
    const nodes = this.nodes.list() as NodeView[];
    const minReady = ds.spec.minReadySeconds ?? 0;
    const isNew = (p: Pod) => p.metadata?.labels?.[REVISION_HASH] === hash;
    const available = (p: Pod) => !p.metadata?.deletionTimestamp && isPodAvailable(p, minReady);

    const toCreate: string[] = [];
    const toDelete: Pod[] = [...strays];
    const desired: NodeView[] = [];
    const rolling = (ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    const surge = rolling
      ? scaledValue(ds.spec.updateStrategy?.rollingUpdate?.maxSurge ?? 0, nodes.length, true)
      : 0;
    for (const node of nodes) {
      const [run, keep] = shouldRun(ds.spec.template, node);
      const onNode = (byNode.get(node.metadata.name!) ?? []).filter((p) => !p.metadata?.deletionTimestamp);
      if (run) desired.push(node);
      if (!keep) {
        toDelete.push(...onNode);
        continue;
      }
      const failed = onNode.filter((p) => p.status?.phase === 'Failed');
      for (const p of failed) {
        this.recorder.event(
          ds,
          'Warning',
          'FailedDaemonPod',
          `Found failed daemon pod ${ns}/${p.metadata!.name} on node ${node.metadata.name}, will try to kill it`,
        );
        toDelete.push(p);
      }
      const live = onNode.filter((p) => p.status?.phase !== 'Failed');
      if (run && live.length === 0) toCreate.push(node.metadata.name!);
      else if (live.length > 1 && surge === 0) {
        // one daemon pod per node: the oldest stays
        live.sort(
          (a, b) => Date.parse(a.metadata!.creationTimestamp!) - Date.parse(b.metadata!.creationTimestamp!),
        );
        toDelete.push(...live.slice(1));
      }
    }
    if (this.expectations.satisfied(key)) {
      if (rolling) this.rollingUpdate(ds, desired, byNode, hash, isNew, available, toCreate, toDelete, surge);
      await this.apply(key, ds, toCreate, toDelete, hash);
    }
    await this.writeStatus(ds, desired, nodes, byNode, isNew, available);
    await this.truncateHistory(ds, revisions, revision, pods);
    return minReady > 0 ? minReady * 1000 + 100 : undefined;
  }

  /** rollingUpdate: replace old pods within maxUnavailable, or surge new ones beside them. */
  private rollingUpdate(
    ds: DaemonSet,
    desired: NodeView[],
    byNode: Map<string, Pod[]>,
    hash: string,
    isNew: (p: Pod) => boolean,
    available: (p: Pod) => boolean,
    toCreate: string[],
    toDelete: Pod[],
    surge: number,
  ): void {
    const total = desired.length;
    const maxUnavailable = scaledValue(
      ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1,
      total,
      true,
    );
    let unavailable = 0;
    const candidates: Pod[] = [];
    let surging = 0;
    for (const node of desired) {
      const onNode = (byNode.get(node.metadata.name!) ?? []).filter(
        (p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Failed',
      );
      const olds = onNode.filter((p) => !isNew(p));
      const news = onNode.filter(isNew);
      if (!onNode.length || !onNode.some(available)) unavailable++;
      if (!olds.length) continue;
      if (surge > 0) {
        if (news.some(available)) toDelete.push(...olds);
        else if (!news.length && surging < surge) {
          surging++;
          toCreate.push(node.metadata.name!);
        }
        continue;
      }
      // an old pod that is not available anyway goes at once
      for (const p of olds) if (!available(p)) toDelete.push(p);
      const okOld = olds.filter(available);
      if (okOld.length && !news.length) candidates.push(...okOld);
    }
    void hash;
    if (surge === 0) toDelete.push(...candidates.slice(0, Math.max(0, maxUnavailable - unavailable)));
  }

  private async apply(
    key: string,
    ds: DaemonSet,
    toCreate: string[],
    toDelete: Pod[],
    hash: string,
  ): Promise<void> {
    const ns = ds.metadata.namespace!;
    const unique = [...new Map(toDelete.map((p) => [p.metadata!.uid, p])).values()];
    if (unique.length) {
      this.expectations.expectDeletions(key, unique.map(keyOf));
      await Promise.all(
        unique.map((p) =>
          this.control.delete(ns, p.metadata!.name!, ds).catch((err: unknown) => {
            this.expectations.deletionObserved(key, keyOf(p));
            if (!isNotFound(err)) throw err;
          }),
        ),
      );
    }
    if (!toCreate.length) return;
    const template = this.podTemplate(ds, hash);
    const ref = newControllerRef(ds, 'apps/v1', 'DaemonSet');
    this.expectations.expectCreations(key, toCreate.length);
    let next = 0;
    const { successes, error } = await slowStartBatch(toCreate.length, 1, async () => {
      const node = toCreate[next++];
      const pod = podFromTemplate(template, ds.metadata.name!, ref);
      pod.spec!.affinity = nodeAffinityFor(pod.spec!.affinity, node);
      try {
        await this.control.create(ns, pod, ds);
      } catch (err) {
        if (!isNamespaceTerminating(err)) throw err;
      }
    });
    for (let i = successes; i < toCreate.length; i++) this.expectations.creationObserved(key);
    if (error !== undefined) throw error;
  }

  /** CreatePodTemplate: default tolerations, the generation and revision labels. */
  private podTemplate(ds: DaemonSet, hash: string): PodTemplateSpec {
    const t = structuredClone(ds.spec.template);
    t.spec = {
      ...(t.spec ?? { containers: [] }),
      tolerations: daemonTolerations(t.spec ?? { containers: [] }),
    };
    const labels: Record<string, string> = { ...(t.metadata?.labels ?? {}) };
    const generation = ds.metadata.annotations?.[GENERATION_ANNOTATION];
    if (generation) labels[TEMPLATE_GENERATION] = generation;
    labels[REVISION_HASH] = hash;
    t.metadata = { ...(t.metadata ?? {}), labels };
    return t;
  }

  private async writeStatus(
    ds: DaemonSet,
    desired: NodeView[],
    nodes: NodeView[],
    byNode: Map<string, Pod[]>,
    isNew: (p: Pod) => boolean,
    available: (p: Pod) => boolean,
  ): Promise<void> {
    const want = new Set(desired.map((n) => n.metadata.name));
    let scheduled = 0;
    let misscheduled = 0;
    let ready = 0;
    let avail = 0;
    let updated = 0;
    for (const node of nodes) {
      const onNode = (byNode.get(node.metadata.name!) ?? []).filter((p) => !p.metadata?.deletionTimestamp);
      if (!onNode.length) continue;
      if (!want.has(node.metadata.name)) {
        misscheduled++;
        continue;
      }
      scheduled++;
      if (onNode.some(isPodReady)) ready++;
      if (onNode.some(available)) avail++;
      if (onNode.some(isNew)) updated++;
    }
    const st: Record<string, unknown> = {
      currentNumberScheduled: scheduled,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: desired.length,
      numberReady: ready,
      observedGeneration: ds.metadata.generation,
    };
    if (updated) st.updatedNumberScheduled = updated;
    if (avail) st.numberAvailable = avail;
    if (desired.length - avail > 0) st.numberUnavailable = desired.length - avail;
    if (ds.status?.collisionCount !== undefined) st.collisionCount = ds.status.collisionCount;
    if (JSON.stringify(st) === JSON.stringify(ds.status ?? {})) return;
    await this.ctx.client
      .request(
        'PUT',
        `/apis/apps/v1/namespaces/${ds.metadata.namespace}/daemonsets/${ds.metadata.name}/status`,
        { ...ds, status: st },
      )
      .catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
  }

  private async truncateHistory(
    ds: DaemonSet,
    revisions: ControllerRevision[],
    current: ControllerRevision,
    pods: Pod[],
  ): Promise<void> {
    const live = new Set([hashOf(current), ...pods.map((p) => p.metadata?.labels?.[REVISION_HASH])]);
    const old = revisions
      .filter((r) => r.metadata.uid !== current.metadata.uid && !live.has(hashOf(r)))
      .sort((a, b) => a.revision - b.revision);
    const limit = ds.spec.revisionHistoryLimit ?? 10;
    for (const r of old.slice(0, Math.max(0, old.length - limit)))
      await this.ctx.client
        .request(
          'DELETE',
          `/apis/apps/v1/namespaces/${ds.metadata.namespace}/controllerrevisions/${r.metadata.name}`,
        )
        .catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
  }
}
