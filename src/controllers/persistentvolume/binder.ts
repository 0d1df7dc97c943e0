// The PersistentVolume binder (upstream's persistentvolume-binder controller): binds claims to
// volumes (pre-bound ones first, else the best match), asks external provisioners for a volume
// when none matches and the claim names a class, waits for the scheduler on
// WaitForFirstConsumer classes, and reclaims volumes whose claim is gone (Retain keeps them
// Released, Delete removes them or leaves them to their provisioner). Level-based over the
// informer caches, with one worker as upstream (two syncs at once could bind one volume twice;
// optimistic concurrency would catch it, slower). Writes carry the cached resourceVersion, so a
// stale cache costs a conflict and a retry, never a double binding.
import type { KubeObject } from '../../api/types.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { isStatus, runWorkers } from '../../client/reconcile-workers.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { logger } from '../../util/log.js';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  claimRefOf,
  claimRefTo,
  classOf,
  findBestMatchForClaim,
  isVolumeBoundToClaim,
  specOf,
  statusOf,
} from './matching.js';
import { fail, reclaimVolume } from './reclaim.js';
import { RECYCLER_NAMESPACE, recyclerTimeouts, VolumeRecycler } from './recycler.js';

const log = logger('persistentvolume-binder-controller');
/** Upstream's --pvclaimbinder-sync-period: pending claims and released volumes are looked at again. */
const RESYNC_MS = 15_000;
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

/**
 * In-tree provisioners whose CSI migration is on in v1.31 (pkg/volume/csimigration): their
 * classes are provisioned externally, by the CSI driver named here, not reported as unknown.
 */
const MIGRATED_TO_CSI: ReadonlyMap<string, string> = new Map([
  ['kubernetes.io/aws-ebs', 'ebs.csi.aws.com'],
  ['kubernetes.io/gce-pd', 'pd.csi.storage.gke.io'],
  ['kubernetes.io/azure-disk', 'disk.csi.azure.com'],
  ['kubernetes.io/azure-file', 'file.csi.azure.com'],
  ['kubernetes.io/cinder', 'cinder.csi.openstack.org'],
  ['kubernetes.io/vsphere-volume', 'csi.vsphere.vmware.com'],
  ['kubernetes.io/portworx-volume', 'pxd.portworx.com'],
]);

const claimKey = (ns: string | undefined, name: string | undefined) => `pvc:${ns}/${name}`;

export class PersistentVolumeBinderController implements Controller {
  private readonly volumes: Informer;
  private readonly claims: Informer;
  private readonly classes: Informer;
  private readonly pods: Informer;
  private readonly queue = new WorkQueue();
  private readonly recorder: EventRecorder;
  private readonly recycler: VolumeRecycler;
  private resync?: NodeJS.Timeout;

  constructor(private readonly ctx: ControllerContext) {
    this.volumes = ctx.informers.informer('/api/v1/persistentvolumes');
    this.claims = ctx.informers.informer('/api/v1/persistentvolumeclaims');
    this.classes = ctx.informers.informer('/apis/storage.k8s.io/v1/storageclasses');
    this.pods = ctx.informers.informer('/api/v1/pods');
    this.recorder = ctx.recorder('persistentvolume-controller');
    const write = <T>(m: string, p: string, b?: unknown) => this.write<T>(m, p, b);
    this.recycler = new VolumeRecycler({
      request: write,
      recorder: this.recorder,
      pods: () => this.pods.list(),
      unbind: (pv) => this.unbindVolume(pv),
      fail: (pv, reason, message) => fail(pv, { write, recorder: this.recorder }, reason, message),
      timeouts: recyclerTimeouts(ctx.flags),
    });
    // a recycler pod that moved on moves its volume's recycling on
    const onPod = (p: KubeObject) => {
      const m = /^recycler-for-(.+)$/.exec(p.metadata.name ?? '');
      if (m && p.metadata.namespace === RECYCLER_NAMESPACE) this.queue.add(`pv:${m[1]}`);
    };
    this.pods.addHandlers({ onAdd: onPod, onUpdate: (_o, n) => onPod(n), onDelete: onPod });
    const onVolume = (pv: KubeObject) => {
      this.queue.add(`pv:${pv.metadata.name}`);
      const ref = claimRefOf(pv);
      if (ref) this.queue.add(claimKey(ref.namespace, ref.name));
      // a new or freed volume may be what a pending claim waits for
      this.enqueuePendingClaims();
    };
    this.volumes.addHandlers({ onAdd: onVolume, onUpdate: (_o, n) => onVolume(n), onDelete: onVolume });
    const onClaim = (pvc: KubeObject) => {
      this.queue.add(claimKey(pvc.metadata.namespace, pvc.metadata.name));
      const vol = specOf(pvc).volumeName;
      if (typeof vol === 'string' && vol) this.queue.add(`pv:${vol}`);
    };
    this.claims.addHandlers({
      onAdd: onClaim,
      onUpdate: (_o, n) => onClaim(n),
      onDelete: (pvc) => {
        onClaim(pvc);
        // volumes bound to it are released
        for (const pv of this.volumes.list())
          if (claimRefOf(pv)?.uid === pvc.metadata.uid) this.queue.add(`pv:${pv.metadata.name}`);
      },
    });
    this.classes.addHandlers({
      onAdd: () => this.enqueuePendingClaims(),
      onUpdate: () => this.enqueuePendingClaims(),
    });
  }

  private enqueuePendingClaims(): void {
    for (const c of this.claims.list())
      if (!c.metadata.annotations?.[ANN_BIND_COMPLETED])
        this.queue.add(claimKey(c.metadata.namespace, c.metadata.name));
  }

  start(): void {
    runWorkers(this.queue, 1, (key) => this.reconcile(key), log);
    this.resync = setInterval(() => {
      this.enqueuePendingClaims();
      // released volumes, and (as upstream retries them on every sync) failed recycles
      for (const pv of this.volumes.list()) {
        const phase = statusOf(pv).phase;
        const recycle = specOf(pv).persistentVolumeReclaimPolicy === 'Recycle';
        if (phase === 'Released' || (phase === 'Failed' && recycle)) this.queue.add(`pv:${pv.metadata.name}`);
      }
    }, RESYNC_MS);
    this.resync.unref();
  }

  stop(): void {
    clearInterval(this.resync);
    this.queue.shutDown();
  }

  async reconcile(key: string): Promise<number | undefined> {
    if (key.startsWith('pv:')) {
      const pv = this.volumes.get(key.slice(3));
      return pv ? this.syncVolume(pv) : undefined;
    }
    const claim = this.claims.get(key.slice(4));
    if (!claim || claim.metadata.deletionTimestamp) return undefined;
    if (claim.metadata.annotations?.[ANN_BIND_COMPLETED]) await this.syncBoundClaim(claim);
    else await this.syncUnboundClaim(claim);
    return undefined;
  }

  // ---- claims ----

  private classObj(claim: KubeObject): KubeObject | undefined {
    const name = classOf(claim);
    return name ? this.classes.get(name) : undefined;
  }

  private isDelayBinding(claim: KubeObject): boolean {
    const sc = this.classObj(claim);
    return (sc as { volumeBindingMode?: string } | undefined)?.volumeBindingMode === 'WaitForFirstConsumer';
  }

  private async syncUnboundClaim(claim: KubeObject): Promise<void> {
    const wanted = specOf(claim).volumeName;
    if (typeof wanted === 'string' && wanted) return this.syncClaimAskingForVolume(claim, wanted);
    const delay = this.isDelayBinding(claim);
    const pv = findBestMatchForClaim(claim, this.volumes.list(), { delayBinding: delay });
    if (pv) return this.bind(pv, claim);
    if (delay && !claim.metadata.annotations?.[ANN_SELECTED_NODE]) {
      this.recorder.event(
        claim,
        'Normal',
        'WaitForFirstConsumer',
        'waiting for first consumer to be created before binding',
      );
    } else if (classOf(claim) !== '') {
      await this.provisionClaim(claim);
    } else {
      this.recorder.event(
        claim,
        'Normal',
        'FailedBinding',
        'no persistent volumes available for this claim and no storage class is set',
      );
    }
    await this.updateClaimStatus(claim, 'Pending');
  }

  /** The user named the volume (spec.volumeName). */
  private async syncClaimAskingForVolume(claim: KubeObject, name: string): Promise<void> {
    const pv = this.volumes.get(name);
    if (!pv || !claimRefOf(pv) || isVolumeBoundToClaim(pv, claim)) {
      if (pv) return this.bind(pv, claim);
      // asked for a volume that does not exist (yet): wait
      await this.updateClaimStatus(claim, 'Pending');
      return;
    }
    // the volume belongs to another claim: wait for it to be freed
    await this.updateClaimStatus(claim, 'Pending');
  }

  private async syncBoundClaim(claim: KubeObject): Promise<void> {
    const name = specOf(claim).volumeName;
    if (typeof name !== 'string' || !name) {
      return this.lose(
        claim,
        'ClaimLost',
        'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!',
      );
    }
    const pv = this.volumes.get(name);
    if (!pv)
      return this.lose(
        claim,
        'ClaimLost',
        'Bound claim has lost its PersistentVolume. Data on the volume is lost!',
      );
    const ref = claimRefOf(pv);
    if (!ref || ref.uid === claim.metadata.uid) return this.bind(pv, claim);
    return this.lose(
      claim,
      'ClaimMisbound',
      'Two claims are bound to the same volume, this one is bound incorrectly',
    );
  }

  private async lose(claim: KubeObject, reason: string, message: string): Promise<void> {
    if (statusOf(claim).phase === 'Lost') return;
    await this.updateClaimStatus(claim, 'Lost');
    this.recorder.event(claim, 'Warning', reason, message);
  }

  /** No volume matches and the claim names a class: ask its provisioner (always external here). */
  private async provisionClaim(claim: KubeObject): Promise<void> {
    const name = classOf(claim);
    const sc = this.classes.get(name);
    if (!sc) {
      this.recorder.event(
        claim,
        'Warning',
        'ProvisioningFailed',
        `storageclass.storage.k8s.io "${name}" not found`,
      );
      return;
    }
    const classProvisioner = (sc as { provisioner?: string }).provisioner ?? '';
    const provisioner = MIGRATED_TO_CSI.get(classProvisioner) ?? classProvisioner;
    if (provisioner === NO_PROVISIONER || provisioner.startsWith('kubernetes.io/')) {
      // no in-tree provisioner runs here (nor upstream, after CSI migration); no-provisioner
      // classes are for static volumes
      this.recorder.event(
        claim,
        'Warning',
        'ProvisioningFailed',
        `no volume plugin matched name: ${provisioner}`,
      );
      return;
    }
    const ann = claim.metadata.annotations ?? {};
    if (ann[ANN_STORAGE_PROVISIONER] !== provisioner || ann[ANN_BETA_STORAGE_PROVISIONER] !== provisioner) {
      await this.write('PUT', claimPath(claim), {
        ...claim,
        metadata: {
          ...claim.metadata,
          annotations: {
            ...ann,
            [ANN_STORAGE_PROVISIONER]: provisioner,
            [ANN_BETA_STORAGE_PROVISIONER]: provisioner,
          },
        },
      });
    }
    this.recorder.event(
      claim,
      'Normal',
      'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
  }

  /**
   * Binds both ways, each step skipped when already done: the volume's claimRef, its phase
   * Bound, the claim's volumeName with bind-completed, the claim's phase, modes and capacity.
   */
  private async bind(volume: KubeObject, claim: KubeObject): Promise<void> {
    let pv = volume;
    const ref = claimRefOf(pv);
    if (!ref || ref.uid !== claim.metadata.uid || ref.name !== claim.metadata.name) {
      const byController = !isVolumeBoundToClaim(pv, claim);
      pv = await this.write<KubeObject>('PUT', `/api/v1/persistentvolumes/${pv.metadata.name}`, {
        ...pv,
        metadata: {
          ...pv.metadata,
          annotations: byController
            ? { ...pv.metadata.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' }
            : pv.metadata.annotations,
        },
        spec: {
          ...specOf(pv),
          claimRef: claimRefTo(claim),
        },
      });
    }
    if (statusOf(pv).phase !== 'Bound')
      pv = await this.write<KubeObject>('PUT', `/api/v1/persistentvolumes/${pv.metadata.name}/status`, {
        ...pv,
        status: { ...statusOf(pv), phase: 'Bound', message: undefined, reason: undefined },
      });
    let pvc = claim;
    const ann = pvc.metadata.annotations ?? {};
    if (specOf(pvc).volumeName !== pv.metadata.name || ann[ANN_BIND_COMPLETED] !== 'yes') {
      const byController = specOf(pvc).volumeName !== pv.metadata.name;
      pvc = await this.write<KubeObject>('PUT', claimPath(pvc), {
        ...pvc,
        metadata: {
          ...pvc.metadata,
          annotations: {
            ...ann,
            [ANN_BIND_COMPLETED]: 'yes',
            ...(byController ? { [ANN_BOUND_BY_CONTROLLER]: 'yes' } : {}),
          },
        },
        spec: { ...specOf(pvc), volumeName: pv.metadata.name },
      });
    }
    await this.updateClaimStatus(pvc, 'Bound', pv);
  }

  private async updateClaimStatus(claim: KubeObject, phase: string, volume?: KubeObject): Promise<void> {
    const st = statusOf(claim);
    const modes = volume ? specOf(volume).accessModes : undefined;
    // as upstream, the capacity is copied only when the claim becomes Bound: afterwards a volume
    // larger than the claim's capacity is an expansion whose node step is still due
    const capacity =
      volume && st.phase === phase ? st.capacity : volume ? specOf(volume).capacity : undefined;
    if (
      st.phase === phase &&
      JSON.stringify(st.accessModes) === JSON.stringify(modes) &&
      JSON.stringify(st.capacity) === JSON.stringify(capacity)
    )
      return;
    await this.write('PUT', `${claimPath(claim)}/status`, {
      ...claim,
      status: { ...st, phase, accessModes: modes, capacity },
    });
  }

  // ---- volumes ----

  private async syncVolume(pv: KubeObject): Promise<number | undefined> {
    const ref = claimRefOf(pv);
    if (!ref || !ref.uid) {
      await this.setVolumePhase(pv, 'Available');
      return;
    }
    let claim = this.claims.get(`${ref.namespace}/${ref.name}`) ?? (await this.liveClaim(ref));
    if (claim && claim.metadata.uid !== ref.uid) claim = undefined;
    if (!claim) {
      const phase = statusOf(pv).phase;
      let released = pv;
      if (phase !== 'Released' && phase !== 'Failed') {
        released = await this.setVolumePhase(pv, 'Released');
        log.info('volume released; running its reclaim policy', {
          volume: pv.metadata.name,
          policy: specOf(pv).persistentVolumeReclaimPolicy,
        });
      }
      return reclaimVolume(released, {
        write: (m, p, b) => this.write(m, p, b),
        recorder: this.recorder,
        recycler: this.recycler,
      });
    }
    const bound = specOf(claim).volumeName;
    if (!bound) {
      // the claim side is not done yet: its sync finishes the binding
      this.queue.add(claimKey(claim.metadata.namespace, claim.metadata.name));
      return;
    }
    if (bound === pv.metadata.name) {
      await this.setVolumePhase(pv, 'Bound');
      return;
    }
    // the claim got bound elsewhere: free this volume (a user's pre-binding keeps the name)
    await this.unbindVolume(pv);
  }

  /**
   * A provisioner or the scheduler may bind a volume to a claim this cache has not seen yet:
   * ask the API server before treating the claim as deleted.
   */
  private async liveClaim(ref: { namespace?: string; name?: string }): Promise<KubeObject | undefined> {
    try {
      return await this.ctx.client.request<KubeObject>(
        'GET',
        `/api/v1/namespaces/${ref.namespace}/persistentvolumeclaims/${ref.name}`,
      );
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  private async unbindVolume(pv: KubeObject): Promise<void> {
    const byController = pv.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] !== undefined;
    const annotations = { ...pv.metadata.annotations };
    delete annotations[ANN_BOUND_BY_CONTROLLER];
    const ref = claimRefOf(pv)!;
    const next = await this.write<KubeObject>('PUT', `/api/v1/persistentvolumes/${pv.metadata.name}`, {
      ...pv,
      metadata: { ...pv.metadata, annotations },
      spec: { ...specOf(pv), claimRef: byController ? undefined : { ...ref, uid: undefined } },
    });
    await this.setVolumePhase(next, 'Available');
  }

  private async setVolumePhase(pv: KubeObject, phase: string): Promise<KubeObject> {
    if (statusOf(pv).phase === phase) return pv;
    return this.write<KubeObject>('PUT', `/api/v1/persistentvolumes/${pv.metadata.name}/status`, {
      ...pv,
      status: { ...statusOf(pv), phase, message: undefined, reason: undefined },
    });
  }

  private write<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    return this.ctx.client.request<T>(method, path, body);
  }
}

function claimPath(claim: KubeObject): string {
  return `/api/v1/namespaces/${claim.metadata.namespace}/persistentvolumeclaims/${claim.metadata.name}`;
}
