// The expand controller (upstream's persistentvolume-expander, events from "volume_expand"): a
// bound claim whose storage request exceeds its status.capacity is to be expanded. Upstream
// expands in-tree volume plugins itself; k8ts has none that can, so, as upstream does for every
// other volume, it says "waiting for an external controller to expand this PVC" and leaves the
// work to the volume's resizer (for local-path volumes: src/controllers/localpath/resizer.ts).
// Once per claim and requested size, so that the resizer's own status writes add no events.
import type { KubeObject } from '../../api/types.js';
import { claimCapacityNanos, requestNanos, requestText } from '../../api/volume-resize.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { runWorkers } from '../../client/reconcile-workers.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { logger } from '../../util/log.js';
import { claimRefOf, specOf, statusOf } from './matching.js';

const log = logger('persistentvolume-expander-controller');
export const EXTERNAL_EXPANDING_MESSAGE = 'waiting for an external controller to expand this PVC';
/** Bounded memory of what was announced: claims are few, but a cap keeps it so. */
const MAX_ANNOUNCED = 10_000;

export class ExpandController implements Controller {
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly queue = new WorkQueue();
  private readonly recorder: EventRecorder;
  /** claim uid → the request already announced */
  private readonly announced = new Map<string, string>();

  constructor(ctx: ControllerContext) {
    this.claims = ctx.informers.informer('/api/v1/persistentvolumeclaims');
    this.volumes = ctx.informers.informer('/api/v1/persistentvolumes');
    this.recorder = ctx.recorder('volume_expand');
    const onClaim = (c: KubeObject) => this.queue.add(`${c.metadata.namespace}/${c.metadata.name}`);
    this.claims.addHandlers({
      onAdd: onClaim,
      onUpdate: (_o, n) => onClaim(n),
      onDelete: (c) => this.announced.delete(c.metadata.uid ?? ''),
    });
  }

  start(): void {
    runWorkers(this.queue, 1, (key) => this.reconcile(key), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  reconcile(key: string): Promise<undefined> {
    const claim = this.claims.get(key);
    if (!claim || statusOf(claim).phase !== 'Bound') return Promise.resolve(undefined);
    const want = requestNanos(claim);
    const have = claimCapacityNanos(claim) ?? 0n;
    if (want === undefined || want <= have) return Promise.resolve(undefined);
    const name = specOf(claim).volumeName;
    const pv = typeof name === 'string' ? this.volumes.get(name) : undefined;
    const ref = pv && claimRefOf(pv);
    // upstream: "persistent Volume is not bound to PVC being updated"; retried on the next change
    if (!ref || ref.uid !== claim.metadata.uid || ref.namespace !== claim.metadata.namespace)
      return Promise.resolve(undefined);
    const uid = claim.metadata.uid ?? '';
    const text = requestText(claim) ?? '';
    if (this.announced.get(uid) === text) return Promise.resolve(undefined);
    this.announced.set(uid, text);
    if (this.announced.size > MAX_ANNOUNCED) this.announced.delete(this.announced.keys().next().value!);
    this.recorder.event(claim, 'Normal', 'ExternalExpanding', EXTERNAL_EXPANDING_MESSAGE);
    return Promise.resolve(undefined);
  }
}
