// The Deployment controller (upstream's DeploymentController): claims the ReplicaSets its
// selector matches, then runs one RolloutPass per sync. Woken by changes to deployments, their
// ReplicaSets, and (for Recreate) the deletion of their pods; level-based like all controllers.
import type { KubeObject } from '../../api/types.js';
import { labelSelectorFromObject } from '../../api/selectors/index.js';
import type { Informer } from '../../client/informer.js';
import { logger } from '../../util/log.js';
import type { EventRecorder } from '../../client/events.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { claim, controllerRefOf, newControllerRef } from '../common/controller-ref.js';
import { asPod, keyOf, type Pod } from '../common/objects.js';
import { KeyWorkers, type Requeue } from '../common/worker.js';
import { addPodIndexes, CONTROLLER_UID_INDEX, ORPHAN_INDEX } from '../replicaset/controller.js';
import { RolloutPass } from './rollout.js';
import type { Deployment, ReplicaSet } from './types.js';

const log = logger('deployment-controller');

export class DeploymentController implements Controller {
  private readonly deployments: Informer;
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly recorder: EventRecorder;
  private readonly workers = new KeyWorkers(log, (key) => this.sync(key));

  constructor(
    private readonly ctx: ControllerContext,
    private readonly workerCount = 5,
  ) {
    this.recorder = ctx.recorder('deployment-controller');
    this.deployments = ctx.informers.informer('/apis/apps/v1/deployments');
    this.sets = ctx.informers.informer('/apis/apps/v1/replicasets');
    this.pods = ctx.informers.informer('/api/v1/pods');
    addPodIndexes(this.sets);
    addPodIndexes(this.pods);
    const enqueue = (o: KubeObject) => this.workers.queue.add(keyOf(o));
    this.deployments.addHandlers({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
    this.sets.addHandlers({
      onAdd: (o) => this.setChanged(undefined, o),
      onUpdate: (old, cur) => this.setChanged(old, cur),
      onDelete: (o) => this.setChanged(undefined, o),
    });
    this.pods.addHandlers({ onDelete: (o) => this.podDeleted(asPod(o)) });
  }

  start(): void {
    this.workers.start(this.workerCount);
  }

  stop(): void {
    this.workers.stop();
  }

  private ownerOf(o: KubeObject, kind: string, from: Informer): KubeObject | undefined {
    const ref = controllerRefOf(o);
    if (!ref || ref.kind !== kind) return undefined;
    const owner = from.get(`${o.metadata.namespace}/${ref.name}`);
    return owner && owner.metadata.uid === ref.uid ? owner : undefined;
  }

  private setChanged(old: KubeObject | undefined, cur: KubeObject): void {
    const oldOwner = old && this.ownerOf(old, 'Deployment', this.deployments);
    const owner = this.ownerOf(cur, 'Deployment', this.deployments);
    if (oldOwner && oldOwner.metadata.uid !== owner?.metadata.uid) this.workers.queue.add(keyOf(oldOwner));
    if (owner) return this.workers.queue.add(keyOf(owner));
    if (controllerRefOf(cur)) return;
    // an orphan: every deployment whose selector matches may adopt it
    const labels = cur.metadata.labels ?? {};
    for (const d of this.deployments.listNamespace(cur.metadata.namespace!)) {
      const sel = (d as Deployment).spec?.selector;
      try {
        if (sel && labelSelectorFromObject(sel).matches(labels)) this.workers.queue.add(keyOf(d));
      } catch {
        // an invalid selector matches nothing
      }
    }
  }

  /** Recreate waits for old pods to be gone: their deletion is news. */
  private podDeleted(p: Pod): void {
    const rs = this.ownerOf(p as unknown as KubeObject, 'ReplicaSet', this.sets);
    const d = rs && (this.ownerOf(rs, 'Deployment', this.deployments) as Deployment | undefined);
    if (d && d.spec?.strategy?.type === 'Recreate') this.workers.queue.add(keyOf(d));
  }

  async sync(key: string): Promise<Requeue> {
    const cached = this.deployments.get(key) as Deployment | undefined;
    if (!cached) return;
    const d = structuredClone(cached);
    const ns = d.metadata.namespace!;
    const sel = d.spec.selector;
    if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) {
      this.recorder.event(
        d,
        'Warning',
        'SelectingAll',
        'This deployment is selecting all pods. A non-empty selector is required.',
      );
      return;
    }
    let matcher;
    try {
      matcher = labelSelectorFromObject(sel);
    } catch (err) {
      log.warn('invalid selector; skipping', { key, error: String(err) });
      return;
    }
    const candidates = [
      ...this.sets.byIndex(CONTROLLER_UID_INDEX, d.metadata.uid!),
      ...this.sets.byIndex(ORPHAN_INDEX, ns),
    ];
    const owned = (await claim(
      this.ctx.client,
      {
        owner: d,
        ref: newControllerRef(d, 'apps/v1', 'Deployment'),
        collection: `/apis/apps/v1/namespaces/${ns}/replicasets`,
        ownerPath: `/apis/apps/v1/namespaces/${ns}/deployments/${d.metadata.name}`,
        matches: (o) => matcher.matches(o.metadata.labels ?? {}),
      },
      candidates,
    )) as ReplicaSet[];
    const podsByRS = new Map<string, Pod[]>();
    if (d.spec.strategy?.type === 'Recreate') {
      for (const rs of owned)
        podsByRS.set(rs.metadata.uid!, this.pods.byIndex(CONTROLLER_UID_INDEX, rs.metadata.uid!).map(asPod));
    }
    const pass = new RolloutPass(this.ctx.client, this.recorder, d, structuredClone(owned), podsByRS);
    await pass.run();
    return pass.requeueAfterMs;
  }
}
