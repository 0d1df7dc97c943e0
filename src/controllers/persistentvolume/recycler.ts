// Reclaim policy Recycle (deprecated upstream, still served): a Released hostPath or NFS volume
// is scrubbed by a recycler pod and offered again. As upstream's recycleVolumeOperation and
// RecycleVolumeByWatchingPodUntilCompletion, one step per sync (level-based): the pod
// `recycler-for-<pv>` in namespace default (upstream's template: busybox-style shell deleting
// everything under /scrub, activeDeadlineSeconds from the --pv-recycler-* flags); the pod's
// events forwarded to the volume as RecyclerPod "Recycler pod: ..."; Succeeded: pod deleted,
// VolumeRecycled, the volume unbound and Available; Failed: pod deleted, the volume Failed with
// VolumeFailedRecycle "Recycle failed: ..." (retried on later syncs, as upstream). Other volume
// types turn Failed with "No recycler plugin found for the volume!".
import { tryParseQuantity } from '../../api/quantity.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import type { EventRecorder } from '../../client/events.js';
import { isStatus } from '../../client/reconcile-workers.js';
import { specOf, statusOf } from './matching.js';

export const RECYCLER_NAMESPACE = 'default';
export const RECYCLER_IMAGE = 'registry.k8s.io/build-image/debian-base:bookworm-v1.0.3';
export const RECYCLER_SCRIPT =
  'test -e /scrub && find /scrub -mindepth 1 -delete && test -z "$(ls -A /scrub)" || exit 1';
export const NO_RECYCLER_MESSAGE = 'No recycler plugin found for the volume!';
export const recyclerPodName = (pv: string) => `recycler-for-${pv}`;
/** How soon a running recycler is looked at again (its pod's changes also wake the binder). */
const RECHECK_MS = 2_000;
const GI = 1024n ** 3n;

/** kube-controller-manager's --pv-recycler-* flags, with upstream's defaults (seconds). */
export interface RecyclerTimeouts {
  minimumHostPath: number;
  incrementHostPath: number;
  minimumNFS: number;
  incrementNFS: number;
}

export function recyclerTimeouts(flags: Record<string, string | undefined>): RecyclerTimeouts {
  const n = (name: string, dflt: number) => {
    const v = Number(flags[name]);
    return flags[name] !== undefined && Number.isInteger(v) && v >= 0 ? v : dflt;
  };
  return {
    minimumHostPath: n('pv-recycler-minimum-timeout-hostpath', 60),
    incrementHostPath: n('pv-recycler-timeout-increment-hostpath', 30),
    minimumNFS: n('pv-recycler-minimum-timeout-nfs', 300),
    incrementNFS: n('pv-recycler-increment-timeout-nfs', 30),
  };
}

/** upstream's CalculateTimeoutForVolume: whole GiB times the increment, at least the minimum. */
export function timeoutForVolume(minimum: number, increment: number, pv: KubeObject): number {
  const cap = specOf(pv).capacity;
  const q = isRecord(cap) && cap.storage !== undefined ? tryParseQuantity(String(cap.storage)) : undefined;
  const bytes = q ? (q.nanos + 999_999_999n) / 1_000_000_000n : 0n;
  const timeout = Number(bytes / GI) * increment;
  return timeout < minimum ? minimum : timeout;
}

/** The volume source the recycler pod mounts, and its deadline; undefined: no recycler plugin. */
export function recyclerPod(pv: KubeObject, t: RecyclerTimeouts): KubeObject | undefined {
  const spec = specOf(pv);
  let source: Record<string, unknown>;
  let deadline: number;
  if (isRecord(spec.hostPath)) {
    source = { hostPath: { path: spec.hostPath.path } };
    deadline = timeoutForVolume(t.minimumHostPath, t.incrementHostPath, pv);
  } else if (isRecord(spec.nfs)) {
    source = { nfs: { server: spec.nfs.server, path: spec.nfs.path, readOnly: false } };
    deadline = timeoutForVolume(t.minimumNFS, t.incrementNFS, pv);
  } else return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: recyclerPodName(pv.metadata.name!),
      namespace: RECYCLER_NAMESPACE,
      // on simulated nodes a command never ends by itself: say how long it runs
      annotations: { 'sim.k8ts.io/run-seconds': '1' },
    },
    spec: {
      activeDeadlineSeconds: deadline,
      restartPolicy: 'Never',
      volumes: [{ name: 'vol', ...source }],
      containers: [
        {
          name: 'pv-recycler',
          image: RECYCLER_IMAGE,
          command: ['/bin/sh'],
          args: ['-c', RECYCLER_SCRIPT],
          volumeMounts: [{ name: 'vol', mountPath: '/scrub' }],
        },
      ],
    },
  };
}

export interface RecyclerDeps {
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  recorder: EventRecorder;
  /** Pods as the informer has them (the recycler pod, and users of the volume's claim). */
  pods(): KubeObject[];
  /** The binder's unbind: claimRef cleared (or only its uid, when the user pre-bound), Available. */
  unbind(pv: KubeObject): Promise<void>;
  /** Marks the volume Failed with a Warning event (same message twice: once). */
  fail(pv: KubeObject, reason: string, message: string): Promise<void>;
  timeouts: RecyclerTimeouts;
}

const podsPath = `/api/v1/namespaces/${RECYCLER_NAMESPACE}/pods`;

export class VolumeRecycler {
  /** volumes whose recycler pod this process created (a pod found otherwise is stale) */
  private readonly started = new Set<string>();
  /** volume → names of the recycler pod's events already forwarded */
  private readonly forwarded = new Map<string, Set<string>>();

  constructor(private readonly deps: RecyclerDeps) {}

  /** One step of recycling a Released (or failed-to-recycle) volume; ms until the next look. */
  async recycle(pv: KubeObject): Promise<number | undefined> {
    const name = pv.metadata.name!;
    const podName = recyclerPodName(name);
    const users = this.usersOf(pv);
    if (users.length && !this.started.has(name)) {
      this.deps.recorder.event(
        pv,
        'Normal',
        'VolumeFailedRecycle',
        `Volume is used by pods: ${users.join(',')}`,
      );
      return undefined;
    }
    const template = recyclerPod(pv, this.deps.timeouts);
    if (!template) {
      await this.deps.fail(pv, 'VolumeFailedRecycle', NO_RECYCLER_MESSAGE);
      return undefined;
    }
    const pod =
      this.deps
        .pods()
        .find((p) => p.metadata.namespace === RECYCLER_NAMESPACE && p.metadata.name === podName) ??
      (await this.livePod(podName));
    if (!pod) {
      if (this.started.has(name)) return this.finish(pv, 'recycler pod was deleted');
      this.started.add(name);
      this.forwarded.set(name, new Set());
      try {
        await this.deps.request('POST', podsPath, template);
      } catch (err) {
        this.started.delete(name);
        if (!isStatus(err, 409))
          return this.failed(pv, `unexpected error creating recycler pod:  ${String(err)}`);
      }
      return RECHECK_MS;
    }
    if (!this.started.has(name)) {
      // left by an earlier controller, or forged to block recycling: upstream deletes it and retries
      await this.deletePod(podName);
      return this.failed(pv, 'old recycler pod found, will retry later');
    }
    await this.forwardEvents(pv, podName);
    const st = isRecord(pod.status) ? pod.status : {};
    if (st.phase === 'Succeeded') return this.finish(pv);
    if (st.phase === 'Failed')
      return this.finish(
        pv,
        typeof st.message === 'string' && st.message ? st.message : 'pod failed, pod.Status.Message unknown.',
      );
    return RECHECK_MS;
  }

  /** Not yet terminated pods that use the volume's claim (upstream's isVolumeUsed). */
  private usersOf(pv: KubeObject): string[] {
    const ref = specOf(pv).claimRef as { namespace?: string; name?: string } | undefined;
    if (!ref?.name) return [];
    return this.deps
      .pods()
      .filter((p) => {
        const phase = statusOf(p).phase;
        if (p.metadata.namespace !== ref.namespace || phase === 'Succeeded' || phase === 'Failed')
          return false;
        const vols =
          (p.spec as { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] }).volumes ?? [];
        return vols.some((v) => v.persistentVolumeClaim?.claimName === ref.name);
      })
      .map((p) => `${p.metadata.namespace}/${p.metadata.name}`)
      .sort();
  }

  private async livePod(name: string): Promise<KubeObject | undefined> {
    try {
      return await this.deps.request<KubeObject>('GET', `${podsPath}/${name}`);
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  private async deletePod(name: string): Promise<void> {
    try {
      await this.deps.request('DELETE', `${podsPath}/${name}`);
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
  }

  /** The pod's events not forwarded yet, onto the volume, as upstream's recycler event recorder. */
  private async forwardEvents(pv: KubeObject, podName: string): Promise<void> {
    const seen = this.forwarded.get(pv.metadata.name!) ?? new Set<string>();
    this.forwarded.set(pv.metadata.name!, seen);
    const selector = encodeURIComponent(`involvedObject.name=${podName}`);
    const list = await this.deps.request<{ items?: KubeObject[] }>(
      'GET',
      `/api/v1/namespaces/${RECYCLER_NAMESPACE}/events?fieldSelector=${selector}`,
    );
    const items = [...(list.items ?? [])].sort((a, b) =>
      String((a as { firstTimestamp?: string }).firstTimestamp ?? '').localeCompare(
        String((b as { firstTimestamp?: string }).firstTimestamp ?? ''),
      ),
    );
    for (const e of items) {
      const key = e.metadata.name!;
      if (seen.has(key)) continue;
      seen.add(key);
      const ev = e as KubeObject & { type?: string; message?: string };
      this.deps.recorder.event(
        pv,
        ev.type === 'Warning' ? 'Warning' : 'Normal',
        'RecyclerPod',
        `Recycler pod: ${ev.message ?? ''}`,
      );
    }
  }

  /** The pod is done (or gone): delete it; a failure marks the volume Failed, success frees it. */
  private async finish(pv: KubeObject, failure?: string): Promise<undefined> {
    const name = pv.metadata.name!;
    await this.deletePod(recyclerPodName(name));
    this.started.delete(name);
    this.forwarded.delete(name);
    if (failure !== undefined) return this.failed(pv, `failed to recycle volume: ${failure}`);
    this.deps.recorder.event(pv, 'Normal', 'VolumeRecycled', 'Volume recycled');
    await this.deps.unbind(pv);
    return undefined;
  }

  private async failed(pv: KubeObject, why: string): Promise<undefined> {
    await this.deps.fail(pv, 'VolumeFailedRecycle', `Recycle failed: ${why}`);
    return undefined;
  }
}
