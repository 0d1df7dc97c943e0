// The pvc-protection and pv-protection controllers: a claim being deleted keeps its
// kubernetes.io/pvc-protection finalizer while a scheduled, not finished pod uses it; a volume
// being deleted keeps kubernetes.io/pv-protection while it is Bound. Once unused, the
// finalizer goes and the API server completes the deletion.
import type { KubeObject } from '../../api/types.js';
import { isRecord } from '../../api/types.js';
import type { Informer } from '../../client/informer.js';
import { runWorkers } from '../../client/reconcile-workers.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import {
  PV_PROTECTION_FINALIZER,
  PVC_PROTECTION_FINALIZER,
} from '../../apiserver/admission/storage-object-in-use-protection.js';
import { logger } from '../../util/log.js';
import { statusOf } from './matching.js';

const log = logger('pvc-protection-controller');

interface PodVolume {
  name?: string;
  persistentVolumeClaim?: { claimName?: string };
  ephemeral?: unknown;
}

/** The claims a pod's volumes name (ephemeral volumes' claims are `<pod>-<volume>`). */
export function claimsOfPod(pod: KubeObject): string[] {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const vols = (Array.isArray(spec.volumes) ? spec.volumes : []) as PodVolume[];
  const names: string[] = [];
  for (const v of vols) {
    if (v.persistentVolumeClaim?.claimName) names.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral && v.name) names.push(`${pod.metadata.name}-${v.name}`);
  }
  return names;
}

/** Scheduled and not finished: the kubelet may have the volume mounted. */
function podMayUseVolumes(pod: KubeObject): boolean {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const phase = statusOf(pod).phase;
  return (
    typeof spec.nodeName === 'string' && spec.nodeName !== '' && phase !== 'Succeeded' && phase !== 'Failed'
  );
}

async function removeFinalizer(
  ctx: ControllerContext,
  path: string,
  o: KubeObject,
  finalizer: string,
): Promise<void> {
  await ctx.client.request('PUT', path, {
    ...o,
    metadata: { ...o.metadata, finalizers: (o.metadata.finalizers ?? []).filter((f) => f !== finalizer) },
  });
}

const terminatingWith = (o: KubeObject, finalizer: string) =>
  !!o.metadata.deletionTimestamp && (o.metadata.finalizers ?? []).includes(finalizer);

export class PVCProtectionController implements Controller {
  private readonly claims: Informer;
  private readonly pods: Informer;
  private readonly queue = new WorkQueue();

  constructor(private readonly ctx: ControllerContext) {
    this.claims = ctx.informers.informer('/api/v1/persistentvolumeclaims');
    this.pods = ctx.informers.informer('/api/v1/pods');
    const onClaim = (c: KubeObject) => {
      if (terminatingWith(c, PVC_PROTECTION_FINALIZER))
        this.queue.add(`${c.metadata.namespace}/${c.metadata.name}`);
    };
    this.claims.addHandlers({ onAdd: onClaim, onUpdate: (_o, n) => onClaim(n) });
    // a pod that finishes or goes may free the claims it named
    const onPod = (p: KubeObject) => {
      for (const name of claimsOfPod(p)) {
        const c = this.claims.get(`${p.metadata.namespace}/${name}`);
        if (c) onClaim(c);
      }
    };
    this.pods.addHandlers({ onUpdate: (_o, n) => onPod(n), onDelete: onPod });
  }

  start(): void {
    runWorkers(this.queue, 1, (key) => this.reconcile(key), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  async reconcile(key: string): Promise<void> {
    const claim = this.claims.get(key);
    if (!claim || !terminatingWith(claim, PVC_PROTECTION_FINALIZER)) return;
    const ns = claim.metadata.namespace!;
    const inUse = this.pods
      .list()
      .some(
        (p) =>
          p.metadata.namespace === ns && podMayUseVolumes(p) && claimsOfPod(p).includes(claim.metadata.name!),
      );
    if (inUse) return;
    // the cache may lag behind a pod just created: ask the API server before letting go
    const live = await this.ctx.client.request<{ items: KubeObject[] }>(
      'GET',
      `/api/v1/namespaces/${ns}/pods`,
    );
    if (live.items.some((p) => podMayUseVolumes(p) && claimsOfPod(p).includes(claim.metadata.name!))) return;
    await removeFinalizer(
      this.ctx,
      `/api/v1/namespaces/${ns}/persistentvolumeclaims/${claim.metadata.name}`,
      claim,
      PVC_PROTECTION_FINALIZER,
    );
    log.info('removed the protection finalizer of an unused claim', { claim: key });
  }
}

export class PVProtectionController implements Controller {
  private readonly volumes: Informer;
  private readonly queue = new WorkQueue();

  constructor(private readonly ctx: ControllerContext) {
    this.volumes = ctx.informers.informer('/api/v1/persistentvolumes');
    const onVolume = (v: KubeObject) => {
      if (terminatingWith(v, PV_PROTECTION_FINALIZER)) this.queue.add(v.metadata.name!);
    };
    this.volumes.addHandlers({ onAdd: onVolume, onUpdate: (_o, n) => onVolume(n) });
  }

  start(): void {
    runWorkers(this.queue, 1, (key) => this.reconcile(key), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  async reconcile(name: string): Promise<void> {
    const pv = this.volumes.get(name);
    if (!pv || !terminatingWith(pv, PV_PROTECTION_FINALIZER)) return;
    if (statusOf(pv).phase === 'Bound') return;
    await removeFinalizer(this.ctx, `/api/v1/persistentvolumes/${name}`, pv, PV_PROTECTION_FINALIZER);
  }
}
