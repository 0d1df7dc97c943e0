// What happens to a volume whose claim is gone (upstream's reclaimVolume): Retain keeps it
// Released with its data; Delete removes it — itself for the in-tree volume types that can be
// deleted (hostPath under /tmp, as upstream's host_path deleter), through its provisioner for
// provisioned ones, else it turns Failed with upstream's reason; Recycle (deprecated upstream)
// scrubs hostPath and NFS volumes with a recycler pod and offers them again (recycler.ts).
import { rmSync } from 'node:fs';
import type { KubeObject } from '../../api/types.js';
import { isRecord } from '../../api/types.js';
import type { EventRecorder } from '../../client/events.js';
import { ANN_PROVISIONED_BY, specOf, statusOf } from './matching.js';
import type { VolumeRecycler } from './recycler.js';

export interface ReclaimDeps {
  write<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  recorder: EventRecorder;
  recycler: VolumeRecycler;
}

const HOST_PATH_DELETABLE = /\/tmp\/.+/;

/** Runs the volume's reclaim policy; answers ms until it wants to look again (a running recycler). */
export async function reclaimVolume(pv: KubeObject, deps: ReclaimDeps): Promise<number | undefined> {
  const policy = specOf(pv).persistentVolumeReclaimPolicy;
  if (policy === 'Retain') return;
  if (policy === 'Recycle') return pv.metadata.deletionTimestamp ? undefined : deps.recycler.recycle(pv);
  if (policy !== 'Delete') return;
  if (pv.metadata.deletionTimestamp) return;
  const provisioner = pv.metadata.annotations?.[ANN_PROVISIONED_BY];
  const spec = specOf(pv);
  // provisioned by someone outside (a CSI driver, local-path): they delete it
  if ((provisioner && !provisioner.startsWith('kubernetes.io/')) || isRecord(spec.csi)) return;
  const name = pv.metadata.name!;
  if (isRecord(spec.hostPath)) {
    const path = typeof spec.hostPath.path === 'string' ? spec.hostPath.path : '';
    if (!HOST_PATH_DELETABLE.test(path)) {
      await fail(
        pv,
        deps,
        'VolumeFailedDelete',
        `failed to create deleter for volume "${name}": host_path deleter only supports /tmp/.+ but received provided ${path}`,
      );
      return;
    }
    rmSync(path, { recursive: true, force: true });
    await deps.write('DELETE', `/api/v1/persistentvolumes/${name}`, {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      preconditions: { uid: pv.metadata.uid },
    });
    return;
  }
  await fail(
    pv,
    deps,
    'VolumeFailedDelete',
    `error getting deleter volume plugin for volume "${name}": no deletable volume plugin matched`,
  );
}

export async function fail(
  pv: KubeObject,
  deps: Pick<ReclaimDeps, 'write' | 'recorder'>,
  reason: string,
  message: string,
): Promise<void> {
  if (statusOf(pv).phase === 'Failed' && statusOf(pv).message === message) return;
  await deps.write('PUT', `/api/v1/persistentvolumes/${pv.metadata.name}/status`, {
    ...pv,
    status: { ...statusOf(pv), phase: 'Failed', message },
  });
  deps.recorder.event(pv, 'Warning', reason, message);
}
