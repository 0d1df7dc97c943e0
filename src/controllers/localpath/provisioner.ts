// The local-path provisioner (k3s's rancher.io/local-path, run here inside the controller
// manager): a claim of a class with this provisioner, once the scheduler picked its node
// (volume.kubernetes.io/selected-node), gets a hostPath volume `pvc-<uid>` under the node's
// base path, made by a helper pod on that node and pinned to it by node affinity; the binder
// then binds it. A released volume with reclaim policy Delete is removed the same way: a
// helper pod deletes the directory, then the PersistentVolume goes. Level-based: each pass
// looks at the claim or volume, the helper pod and the volume object, and takes the next step.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { quantityValue, tryParseQuantity } from '../../api/quantity.js';
import type { KubeObject } from '../../api/types.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { isStatus, runWorkers } from '../../client/reconcile-workers.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { logger } from '../../util/log.js';
import {
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  classOf,
  claimRefOf,
  specOf,
  statusOf,
} from '../persistentvolume/matching.js';
import {
  basePathFor,
  CONFIG_NAME,
  CONFIG_NAMESPACE,
  parseConfig,
  PROVISIONER_NAME,
  type LocalPathConfig,
} from './config.js';
import { helperPod, helperPodName, type HelperAction } from './helper-pod.js';

const log = logger('local-path-provisioner');
const POLL_MS = 1000;
const ANN_SELECTED_NODE_LOCAL = 'local.path.provisioner/selected-node';

export class LocalPathProvisioner implements Controller {
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly classes: Informer;
  private readonly pods: Informer;
  private readonly queue = new WorkQueue();
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.claims = ctx.informers.informer('/api/v1/persistentvolumeclaims');
    this.volumes = ctx.informers.informer('/api/v1/persistentvolumes');
    this.classes = ctx.informers.informer('/apis/storage.k8s.io/v1/storageclasses');
    this.pods = ctx.informers.informer('/api/v1/pods');
    // events come from "<provisioner>_<host>_<uuid>", as external provisioners name themselves
    this.recorder = ctx.recorder(`${PROVISIONER_NAME}_${hostname()}_${randomUUID()}`);
    const onClaim = (c: KubeObject) => {
      if (c.metadata.annotations?.[ANN_STORAGE_PROVISIONER] === PROVISIONER_NAME)
        this.queue.add(`pvc:${c.metadata.namespace}/${c.metadata.name}`);
    };
    this.claims.addHandlers({ onAdd: onClaim, onUpdate: (_o, n) => onClaim(n) });
    const onVolume = (v: KubeObject) => {
      if (v.metadata.annotations?.[ANN_PROVISIONED_BY] === PROVISIONER_NAME)
        this.queue.add(`pv:${v.metadata.name}`);
    };
    this.volumes.addHandlers({ onAdd: onVolume, onUpdate: (_o, n) => onVolume(n) });
    // a helper pod that finished moves its claim or volume on
    this.pods.addHandlers({
      onUpdate: (_o, p) => {
        if (p.metadata.namespace !== CONFIG_NAMESPACE) return;
        const m = /^helper-pod-(create|delete)-(pvc-.+)$/.exec(p.metadata.name ?? '');
        if (!m) return;
        if (m[1] === 'delete') this.queue.add(`pv:${m[2]}`);
        else for (const c of this.claims.list()) if (`pvc-${c.metadata.uid}` === m[2]) onClaim(c);
      },
    });
  }

  start(): void {
    runWorkers(this.queue, 2, (key) => this.reconcile(key), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  async reconcile(key: string): Promise<number | undefined> {
    if (key.startsWith('pv:')) return this.syncVolume(key.slice(3));
    return this.syncClaim(key.slice(4));
  }

  private async config(): Promise<LocalPathConfig> {
    const cm = await this.ctx.client.request<KubeObject>(
      'GET',
      `/api/v1/namespaces/${CONFIG_NAMESPACE}/configmaps/${CONFIG_NAME}`,
    );
    return parseConfig(cm);
  }

  private async syncClaim(key: string): Promise<number | undefined> {
    const claim = this.claims.get(key);
    if (!claim || claim.metadata.deletionTimestamp || specOf(claim).volumeName) return undefined;
    if (claim.metadata.annotations?.[ANN_STORAGE_PROVISIONER] !== PROVISIONER_NAME) return undefined;
    const sc = this.classes.get(classOf(claim)) as
      (KubeObject & { provisioner?: string; reclaimPolicy?: string }) | undefined;
    if (!sc || sc.provisioner !== PROVISIONER_NAME) return undefined;
    const volumeName = `pvc-${claim.metadata.uid}`;
    if (this.volumes.get(volumeName)) {
      await this.deletePod(helperPodName('create', volumeName));
      return undefined;
    }
    const node = claim.metadata.annotations?.[ANN_SELECTED_NODE];
    const failed = (why: string) =>
      this.recorder.event(
        claim,
        'Warning',
        'ProvisioningFailed',
        `failed to provision volume with StorageClass "${sc.metadata.name}": ${why}`,
      );
    if (!node) {
      failed('configuration error, no node was specified');
      return undefined;
    }
    let config: LocalPathConfig;
    let path: string;
    try {
      config = await this.config();
      const ns = claim.metadata.namespace!;
      path = `${basePathFor(config, node).replace(/\/+$/, '')}/${volumeName}_${ns}_${claim.metadata.name}`;
    } catch (err) {
      failed(
        isStatus(err, 404)
          ? `configmap ${CONFIG_NAMESPACE}/${CONFIG_NAME} not found`
          : (err as Error).message,
      );
      return 10 * POLL_MS;
    }
    const request = specOf(claim).resources as { requests?: { storage?: string } } | undefined;
    const size = request?.requests?.storage ?? '0';
    const step = await this.runHelper(
      'create',
      volumeName,
      node,
      path,
      size,
      config.setup,
      config.helperImage,
      claim,
    );
    if (step !== 'done') return step === 'failed' ? 10 * POLL_MS : POLL_MS;
    await this.ctx.client.request('POST', '/api/v1/persistentvolumes', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: {
        name: volumeName,
        annotations: { [ANN_PROVISIONED_BY]: PROVISIONER_NAME, [ANN_SELECTED_NODE_LOCAL]: node },
      },
      spec: {
        capacity: { storage: size },
        accessModes: specOf(claim).accessModes,
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
        storageClassName: sc.metadata.name,
        volumeMode: 'Filesystem',
        hostPath: { path, type: 'DirectoryOrCreate' },
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] },
            ],
          },
        },
        claimRef: {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          namespace: claim.metadata.namespace,
          name: claim.metadata.name,
          uid: claim.metadata.uid,
          resourceVersion: claim.metadata.resourceVersion,
        },
      },
    });
    this.recorder.event(
      claim,
      'Normal',
      'ProvisioningSucceeded',
      `Successfully provisioned volume ${volumeName}`,
    );
    await this.deletePod(helperPodName('create', volumeName));
    return undefined;
  }

  private async syncVolume(name: string): Promise<number | undefined> {
    const pv = this.volumes.get(name);
    if (!pv || pv.metadata.annotations?.[ANN_PROVISIONED_BY] !== PROVISIONER_NAME) {
      await this.deletePod(helperPodName('delete', name));
      return undefined;
    }
    if (specOf(pv).persistentVolumeReclaimPolicy !== 'Delete' || statusOf(pv).phase !== 'Released')
      return undefined;
    if (pv.metadata.deletionTimestamp) return undefined;
    const node = pv.metadata.annotations?.[ANN_SELECTED_NODE_LOCAL] ?? '';
    const hostPath = specOf(pv).hostPath as { path?: string } | undefined;
    const config = await this.config();
    const step = await this.runHelper(
      'delete',
      name,
      node,
      hostPath?.path ?? '',
      '0',
      config.teardown,
      config.helperImage,
      pv,
    );
    if (step !== 'done') return step === 'failed' ? 10 * POLL_MS : POLL_MS;
    try {
      await this.ctx.client.request('DELETE', `/api/v1/persistentvolumes/${name}`, {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        preconditions: { uid: pv.metadata.uid },
      });
      log.info('deleted a released volume and its directory', { volume: name, claim: claimRefOf(pv)?.name });
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
    await this.deletePod(helperPodName('delete', name));
    return undefined;
  }

  /** Starts the helper pod or reads how it went: 'running' until it finished. */
  private async runHelper(
    action: HelperAction,
    volumeName: string,
    node: string,
    path: string,
    size: string,
    script: string,
    image: string,
    about: KubeObject,
  ): Promise<'running' | 'done' | 'failed'> {
    const name = helperPodName(action, volumeName);
    const pod = this.pods.get(`${CONFIG_NAMESPACE}/${name}`);
    if (!pod) {
      const bytes = tryParseQuantity(size);
      try {
        await this.ctx.client.request(
          'POST',
          `/api/v1/namespaces/${CONFIG_NAMESPACE}/pods`,
          helperPod({
            action,
            volumeName,
            node,
            path,
            sizeBytes: String(bytes ? quantityValue(bytes) : 0n),
            script,
            image,
          }),
        );
      } catch (err) {
        if (!isStatus(err, 409)) throw err;
      }
      if (action === 'create')
        this.recorder.event(
          about,
          'Normal',
          'Provisioning',
          `External provisioner is provisioning volume for claim "${about.metadata.namespace}/${about.metadata.name}"`,
        );
      return 'running';
    }
    const phase = statusOf(pod).phase;
    if (phase === 'Succeeded') return 'done';
    if (phase === 'Failed') {
      const reason = `${action} process failed: helper pod ${CONFIG_NAMESPACE}/${name} failed`;
      if (action === 'create')
        this.recorder.event(
          about,
          'Warning',
          'ProvisioningFailed',
          `failed to provision volume with StorageClass "${classOf(about)}": ${reason}`,
        );
      else this.recorder.event(about, 'Warning', 'VolumeFailedDelete', reason);
      await this.deletePod(name);
      return 'failed';
    }
    return 'running';
  }

  private async deletePod(name: string): Promise<void> {
    if (!this.pods.get(`${CONFIG_NAMESPACE}/${name}`)) return;
    try {
      await this.ctx.client.request('DELETE', `/api/v1/namespaces/${CONFIG_NAMESPACE}/pods/${name}`);
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
  }
}
