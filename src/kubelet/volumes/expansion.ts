// The kubelet's node step of volume expansion (upstream's NodeExpandVolume during and after
// mount, with RecoverVolumeExpansionFailure off as in v1.31): for the claims of pods running on
// this node, a claim whose resizer left FileSystemResizePending and whose volume is larger than
// its status.capacity is finished here: status.capacity becomes the volume's, the resize
// conditions go, and FileSystemResizeSuccessful is recorded on the pod and on the claim. The
// volumes k8ts mounts (hostPath, local: directories) have no filesystem to grow, so the step is
// the bookkeeping alone. Polled (upstream's populator loop looks every 100 ms; every 2 s here),
// with reads only for pods that use claims.
import { StatusError } from '../../api/errors.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import {
  claimCapacityNanos,
  FS_RESIZE_PENDING,
  hasCondition,
  mergeResizeConditions,
  volumeCapacityNanos,
} from '../../api/volume-resize.js';
import type { EventRecorder } from '../../client/events.js';
import type { RestClient } from '../../client/rest.js';
import { logger } from '../../util/log.js';
import type { Pod } from '../runtime/types.js';

const log = logger('volume-expansion');
export const NODE_EXPANSION_POLL_MS = 2_000;

type Obj = Record<string, unknown>;

const claimNames = (pod: Pod): string[] =>
  ((pod.spec as { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] }).volumes ?? [])
    .map((v) => v.persistentVolumeClaim?.claimName ?? '')
    .filter(Boolean);

export class NodeVolumeExpander {
  private readonly pods = new Map<string, Pod>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly client: RestClient,
    private readonly nodeName: string,
    private readonly recorder?: EventRecorder,
    private readonly pollMs = NODE_EXPANSION_POLL_MS,
  ) {}

  /** A pod of this node whose volumes are set up (its sandbox runs); only pods with claims count. */
  track(pod: Pod): void {
    if (!claimNames(pod).length) return;
    this.pods.set(pod.metadata.uid ?? '', pod);
    if (!this.timer) {
      this.timer = setInterval(() => void this.tick(), this.pollMs);
      this.timer.unref();
    }
  }

  untrack(uid: string): void {
    this.pods.delete(uid);
    if (!this.pods.size) this.stop();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass over the tracked pods' claims (exported for tests through tick()). */
  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const pod of [...this.pods.values()])
        for (const claim of claimNames(pod))
          await this.expand(pod, claim).catch((err: unknown) =>
            log.debug('node expansion check failed', { pod: pod.metadata.name, claim, error: String(err) }),
          );
    } finally {
      this.busy = false;
    }
  }

  private async get(path: string): Promise<KubeObject | undefined> {
    try {
      return await this.client.request<KubeObject>('GET', path);
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return undefined;
      throw err;
    }
  }

  private async expand(pod: Pod, claimName: string): Promise<void> {
    const ns = pod.metadata.namespace ?? 'default';
    const pvcPath = `/api/v1/namespaces/${ns}/persistentvolumeclaims/${claimName}`;
    const pvc = await this.get(pvcPath);
    if (!pvc || !hasCondition(pvc, FS_RESIZE_PENDING)) return;
    const st: Obj = isRecord(pvc.status) ? pvc.status : {};
    const volumeName = (pvc.spec as { volumeName?: string } | undefined)?.volumeName;
    if (st.phase !== 'Bound' || !volumeName) return;
    const pv = await this.get(`/api/v1/persistentvolumes/${volumeName}`);
    const spec = (pv?.spec ?? {}) as { hostPath?: unknown; local?: unknown; capacity?: { storage?: string } };
    // only the volume types this kubelet mounts; others are not ours to finish
    if (!pv || (!spec.hostPath && !spec.local)) return;
    if ((volumeCapacityNanos(pv) ?? 0n) <= (claimCapacityNanos(pvc) ?? 0n)) return;
    const conditions = mergeResizeConditions(pvc, []);
    await this.client.request('PUT', `${pvcPath}/status`, {
      ...pvc,
      status: {
        ...st,
        capacity: { ...(isRecord(st.capacity) ? st.capacity : {}), storage: spec.capacity?.storage },
        conditions: conditions.length ? conditions : undefined,
      },
    });
    const message = `MountVolume.NodeExpandVolume succeeded for volume "${volumeName}" ${this.nodeName}`;
    this.recorder?.event(pod, 'Normal', 'FileSystemResizeSuccessful', message);
    this.recorder?.event(pvc, 'Normal', 'FileSystemResizeSuccessful', message);
  }
}
