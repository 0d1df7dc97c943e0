// The local-path provisioner k3s ships (rancher/local-path-provisioner), with the binding half of
// upstream's PV controller for its class: StorageClass `local-path` (the default class,
// WaitForFirstConsumer, reclaimPolicy Delete) is created if missing; a claim of that class
// waits (Normal WaitForFirstConsumer) until a pod using it is on a node, then gets a hostPath PV
// `pvc-<uid>` under <storage-dir>/pvc-<uid>_<ns>_<name> pinned to that node, and both are
// bound. A released PV of this provisioner is deleted with its directory (the controller runs
// on the server's host, which is the node in a single-node cluster; on other nodes the
// directory stays, see docs/containerd.md).
import { rmSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { runWorkers } from '../../client/reconcile-workers.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { logger } from '../../util/log.js';

const log = logger('local-path-provisioner');
export const LOCAL_PATH_CLASS = 'local-path';
export const PROVISIONER = 'rancher.io/local-path';
const SELECTED_NODE = 'volume.kubernetes.io/selected-node';

interface PVCSpec {
  storageClassName?: string;
  volumeName?: string;
  accessModes?: string[];
  volumeMode?: string;
  resources?: { requests?: { storage?: string } };
}

interface PVSpec {
  claimRef?: { namespace?: string; name?: string; uid?: string };
  persistentVolumeReclaimPolicy?: string;
  hostPath?: { path?: string };
}

type PVC = KubeObject & { spec: PVCSpec; status?: { phase?: string } };
type PV = KubeObject & { spec: PVSpec; status?: { phase?: string } };

export function storageClassObject(): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name: LOCAL_PATH_CLASS,
      annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
    },
    provisioner: PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  } as KubeObject;
}

/** The PV local-path-provisioner makes for a claim on a node. */
export function volumeFor(pvc: PVC, node: string, storageDir: string): PV {
  const ns = pvc.metadata.namespace ?? 'default';
  const name = `pvc-${pvc.metadata.uid}`;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name,
      annotations: {
        'local.path.provisioner/selected-node': node,
        'pv.kubernetes.io/provisioned-by': PROVISIONER,
      },
    },
    spec: {
      accessModes: pvc.spec.accessModes ?? ['ReadWriteOnce'],
      capacity: { storage: pvc.spec.resources?.requests?.storage ?? '0' },
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace: ns,
        name: pvc.metadata.name,
        uid: pvc.metadata.uid,
        resourceVersion: pvc.metadata.resourceVersion,
      },
      hostPath: { path: join(storageDir, `${name}_${ns}_${pvc.metadata.name}`), type: 'DirectoryOrCreate' },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] },
          ],
        },
      },
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: LOCAL_PATH_CLASS,
      volumeMode: pvc.spec.volumeMode ?? 'Filesystem',
    },
  } as PV;
}

export class LocalPathProvisioner implements Controller {
  private readonly pvcs: Informer;
  private readonly pvs: Informer;
  private readonly pods: Informer;
  private readonly queue = new WorkQueue();
  private readonly recorder: EventRecorder;
  private readonly waitingReported = new Set<string>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly storageDir: string,
  ) {
    this.pvcs = ctx.informers.informer('/api/v1/persistentvolumeclaims');
    this.pvs = ctx.informers.informer('/api/v1/persistentvolumes');
    this.pods = ctx.informers.informer('/api/v1/pods');
    this.recorder = ctx.recorder('rancher.io/local-path');
    const claim = (o: KubeObject) => this.queue.add(`pvc/${o.metadata.namespace}/${o.metadata.name}`);
    const volume = (o: KubeObject) => this.queue.add(`pv/${o.metadata.name}`);
    this.pvcs.addHandlers({
      onAdd: claim,
      onUpdate: (_o, n) => claim(n),
      onDelete: (o) => this.claimGone(o),
    });
    this.pvs.addHandlers({ onAdd: volume, onUpdate: (_o, n) => volume(n) });
    // a consumer pod landing on a node is what a WaitForFirstConsumer claim waits for
    this.pods.addHandlers({
      onAdd: (p) => this.podClaims(p).forEach((c) => this.queue.add(c)),
      onUpdate: (_o, p) => this.podClaims(p).forEach((c) => this.queue.add(c)),
    });
  }

  private podClaims(p: KubeObject): string[] {
    const spec = p.spec as {
      nodeName?: string;
      volumes?: { persistentVolumeClaim?: { claimName?: string } }[];
    };
    if (!spec?.nodeName) return [];
    return (spec.volumes ?? [])
      .map((v) => v.persistentVolumeClaim?.claimName)
      .filter((n): n is string => !!n)
      .map((n) => `pvc/${p.metadata.namespace}/${n}`);
  }

  private claimGone(o: KubeObject): void {
    this.waitingReported.delete(o.metadata.uid ?? '');
    const volumeName = (o as PVC).spec?.volumeName;
    if (volumeName) this.queue.add(`pv/${volumeName}`);
  }

  async start(): Promise<void> {
    try {
      await this.ctx.client.request('POST', '/apis/storage.k8s.io/v1/storageclasses', storageClassObject());
      log.info('created the local-path StorageClass');
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
    }
    runWorkers(this.queue, 2, (key) => this.reconcile(key), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  async reconcile(key: string): Promise<number | undefined> {
    const [kind, ...rest] = key.split('/');
    if (kind === 'pv') return this.reconcileVolume(rest.join('/'));
    return this.reconcileClaim(rest.join('/'));
  }

  private consumerNode(pvc: PVC): string | undefined {
    const selected = pvc.metadata.annotations?.[SELECTED_NODE];
    if (selected) return selected;
    for (const p of this.pods.listNamespace(pvc.metadata.namespace ?? '')) {
      const spec = p.spec as {
        nodeName?: string;
        volumes?: { persistentVolumeClaim?: { claimName?: string } }[];
      };
      if (p.metadata.deletionTimestamp || !spec.nodeName) continue;
      if ((spec.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === pvc.metadata.name))
        return spec.nodeName;
    }
    return undefined;
  }

  private async reconcileClaim(nsName: string): Promise<undefined> {
    const pvc = this.pvcs.get(nsName) as PVC | undefined;
    if (!pvc || pvc.metadata.deletionTimestamp || pvc.spec.storageClassName !== LOCAL_PATH_CLASS) return;
    const c = this.ctx.client;
    const ns = pvc.metadata.namespace ?? 'default';
    const path = `/api/v1/namespaces/${ns}/persistentvolumeclaims/${pvc.metadata.name}`;
    const pvName = pvc.spec.volumeName || `pvc-${pvc.metadata.uid}`;
    if (pvc.spec.volumeName && pvc.status?.phase === 'Bound') return;
    const node = this.consumerNode(pvc);
    if (!node) {
      if (!this.waitingReported.has(pvc.metadata.uid ?? '')) {
        this.waitingReported.add(pvc.metadata.uid ?? '');
        this.recorder.event(
          pvc,
          'Normal',
          'WaitForFirstConsumer',
          'waiting for first consumer to be created before binding',
        );
      }
      return;
    }
    let pv = this.pvs.get(pvName) as PV | undefined;
    if (!pv) {
      this.recorder.event(
        pvc,
        'Normal',
        'ExternalProvisioning',
        `Waiting for a volume to be created either by the external provisioner '${PROVISIONER}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
      );
      this.recorder.event(
        pvc,
        'Normal',
        'Provisioning',
        `External provisioner is provisioning volume for claim "${ns}/${pvc.metadata.name}"`,
      );
      try {
        pv = await c.request<PV>('POST', '/api/v1/persistentvolumes', volumeFor(pvc, node, this.storageDir));
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 409)) throw err;
        pv = await c.request<PV>('GET', `/api/v1/persistentvolumes/${pvName}`);
      }
      this.recorder.event(
        pvc,
        'Normal',
        'ProvisioningSucceeded',
        `Successfully provisioned volume ${pvName}`,
      );
    }
    const merge = 'application/merge-patch+json';
    await c.request(
      'PATCH',
      path,
      {
        metadata: {
          annotations: {
            'pv.kubernetes.io/bind-completed': 'yes',
            'pv.kubernetes.io/bound-by-controller': 'yes',
            'volume.beta.kubernetes.io/storage-provisioner': PROVISIONER,
            'volume.kubernetes.io/storage-provisioner': PROVISIONER,
            [SELECTED_NODE]: node,
          },
        },
        spec: { volumeName: pvName },
      },
      merge,
    );
    const spec = pv.spec as PVSpec & { accessModes?: string[]; capacity?: Record<string, string> };
    await c.request(
      'PATCH',
      `${path}/status`,
      { status: { phase: 'Bound', accessModes: spec.accessModes, capacity: spec.capacity } },
      merge,
    );
    await c.request(
      'PATCH',
      `/api/v1/persistentvolumes/${pvName}/status`,
      { status: { phase: 'Bound' } },
      merge,
    );
    return;
  }

  private async reconcileVolume(name: string): Promise<undefined> {
    const pv = this.pvs.get(name) as PV | undefined;
    if (!pv || pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'] !== PROVISIONER) return;
    const ref = pv.spec.claimRef;
    const claim = ref && (this.pvcs.get(`${ref.namespace}/${ref.name}`) as PVC | undefined);
    if (claim && claim.metadata.uid === ref.uid) return;
    // the claim is gone: Delete reclaims the directory and the volume
    const c = this.ctx.client;
    if (pv.spec.persistentVolumeReclaimPolicy !== 'Delete') {
      if (pv.status?.phase !== 'Released')
        await c.request(
          'PATCH',
          `/api/v1/persistentvolumes/${name}/status`,
          { status: { phase: 'Released' } },
          'application/merge-patch+json',
        );
      return;
    }
    const dir = pv.spec.hostPath?.path;
    const root = resolve(this.storageDir) + sep;
    if (dir && resolve(dir).startsWith(root)) rmSync(dir, { recursive: true, force: true });
    try {
      await c.request('DELETE', `/api/v1/persistentvolumes/${name}`);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
    return;
  }
}
