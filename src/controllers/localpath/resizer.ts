// Volume expansion for local-path volumes, the way a CSI driver's external-resizer does it
// (k3s's local-path provisioner has no resizer; k8ts adds one so that a class of this
// provisioner with allowVolumeExpansion: true can grow). For a bound claim asking for more than
// its status.capacity: condition Resizing and event Resizing, the volume's spec.capacity set to
// the request (with the pre-resize capacity annotation), then condition FileSystemResizePending
// and event FileSystemResizeRequired; the kubelet of a node running a pod with the claim
// finishes (src/kubelet/volumes/expansion.ts) by setting status.capacity. A local-path volume is
// a directory without a quota, so growing it changes no bytes on disk: the size is what the
// API says. Level-based: each pass picks up from the state the claim and volume show.
import type { KubeObject } from '../../api/types.js';
import {
  ANN_PRE_RESIZE_CAPACITY,
  claimCapacityNanos,
  FS_RESIZE_PENDING,
  FS_RESIZE_PENDING_MESSAGE,
  hasCondition,
  mergeResizeConditions,
  requestNanos,
  requestText,
  resizeCondition,
  RESIZING,
  volumeCapacityNanos,
} from '../../api/volume-resize.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { runWorkers } from '../../client/reconcile-workers.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { logger } from '../../util/log.js';
import { ANN_PROVISIONED_BY, claimRefOf, specOf, statusOf } from '../persistentvolume/matching.js';
import { PROVISIONER_NAME } from './config.js';

const log = logger('local-path-resizer');

export class LocalPathResizer implements Controller {
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly queue = new WorkQueue();
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.claims = ctx.informers.informer('/api/v1/persistentvolumeclaims');
    this.volumes = ctx.informers.informer('/api/v1/persistentvolumes');
    this.recorder = ctx.recorder(`external-resizer ${PROVISIONER_NAME}`);
    const onClaim = (c: KubeObject) => this.queue.add(`${c.metadata.namespace}/${c.metadata.name}`);
    this.claims.addHandlers({ onAdd: onClaim, onUpdate: (_o, n) => onClaim(n) });
    const onVolume = (v: KubeObject) => {
      const ref = claimRefOf(v);
      if (ref && v.metadata.annotations?.[ANN_PROVISIONED_BY] === PROVISIONER_NAME)
        this.queue.add(`${ref.namespace}/${ref.name}`);
    };
    this.volumes.addHandlers({ onAdd: onVolume, onUpdate: (_o, n) => onVolume(n) });
  }

  start(): void {
    runWorkers(this.queue, 1, (key) => this.reconcile(key), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  async reconcile(key: string): Promise<undefined> {
    const claim = this.claims.get(key);
    if (!claim || claim.metadata.deletionTimestamp || statusOf(claim).phase !== 'Bound') return undefined;
    const name = specOf(claim).volumeName;
    const pv = typeof name === 'string' ? this.volumes.get(name) : undefined;
    if (!pv || pv.metadata.annotations?.[ANN_PROVISIONED_BY] !== PROVISIONER_NAME) return undefined;
    if (claimRefOf(pv)?.uid !== claim.metadata.uid) return undefined;
    const want = requestNanos(claim);
    const have = claimCapacityNanos(claim) ?? 0n;
    const volumeHas = volumeCapacityNanos(pv) ?? 0n;
    if (want === undefined || want <= have) {
      // done (the node step set status.capacity): the annotation has served
      if (pv.metadata.annotations?.[ANN_PRE_RESIZE_CAPACITY] !== undefined && have >= volumeHas)
        await this.dropPreResizeAnnotation(pv);
      return undefined;
    }
    // the controller side is done and the node step is due: the kubelet's turn
    if (volumeHas >= want && hasCondition(claim, FS_RESIZE_PENDING)) return undefined;
    let pvc = claim;
    if (!hasCondition(pvc, RESIZING)) {
      pvc = await this.writeConditions(pvc, [resizeCondition(RESIZING, new Date())]);
      this.recorder.event(
        pvc,
        'Normal',
        'Resizing',
        `External resizer is resizing volume ${pv.metadata.name}`,
      );
    }
    if (volumeHas < want) await this.growVolume(pv, requestText(claim)!);
    pvc = await this.writeConditions(pvc, [
      resizeCondition(FS_RESIZE_PENDING, new Date(), FS_RESIZE_PENDING_MESSAGE),
    ]);
    this.recorder.event(
      pvc,
      'Normal',
      'FileSystemResizeRequired',
      'Require file system resize of volume on node',
    );
    return undefined;
  }

  /** external-resizer's updatePVCapacity: the new size, the old one kept in the annotation. */
  private async growVolume(pv: KubeObject, size: string): Promise<void> {
    const spec = specOf(pv);
    const old = (spec.capacity as { storage?: string } | undefined)?.storage ?? '0';
    const annotations = { ...pv.metadata.annotations };
    annotations[ANN_PRE_RESIZE_CAPACITY] ??= old;
    await this.ctx.client.request('PUT', `/api/v1/persistentvolumes/${pv.metadata.name}`, {
      ...pv,
      metadata: { ...pv.metadata, annotations },
      spec: { ...spec, capacity: { ...(spec.capacity as object), storage: size } },
    });
  }

  private async dropPreResizeAnnotation(pv: KubeObject): Promise<void> {
    const annotations = { ...pv.metadata.annotations };
    delete annotations[ANN_PRE_RESIZE_CAPACITY];
    await this.ctx.client.request('PUT', `/api/v1/persistentvolumes/${pv.metadata.name}`, {
      ...pv,
      metadata: { ...pv.metadata, annotations },
    });
  }

  private writeConditions(pvc: KubeObject, next: ReturnType<typeof resizeCondition>[]): Promise<KubeObject> {
    const ns = pvc.metadata.namespace;
    return this.ctx.client.request<KubeObject>(
      'PUT',
      `/api/v1/namespaces/${ns}/persistentvolumeclaims/${pvc.metadata.name}/status`,
      { ...pvc, status: { ...statusOf(pvc), conditions: mergeResizeConditions(pvc, next) } },
    );
  }
}
