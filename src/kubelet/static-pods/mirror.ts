// Mirror pods (upstream's pkg/kubelet/pod/mirror_client.go): the API server's copy of a static
// pod, so that kubectl sees it. Same spec and labels, the static pod's hash in the config.mirror
// annotation, and the Node as its single controller owner (what NodeRestriction requires of a
// node creating pods). The API server gives it its own UID.
import { isRecord, type KubeObject } from '../../api/types.js';
import type { Pod } from '../runtime/types.js';
import { CONFIG_HASH, CONFIG_MIRROR } from './manifest.js';

export const isMirrorPod = (pod: KubeObject | undefined): boolean =>
  pod?.metadata.annotations?.[CONFIG_MIRROR] !== undefined;

/** The mirror pod still stands for `pod` (upstream's IsMirrorPodOf: same hash). */
export function mirrors(mirror: KubeObject, pod: Pod): boolean {
  return mirror.metadata.annotations?.[CONFIG_MIRROR] === pod.metadata.annotations?.[CONFIG_HASH];
}

export function mirrorPodOf(pod: Pod, node: { name: string; uid: string }): KubeObject {
  const meta = { ...pod.metadata };
  delete meta.uid;
  delete meta.resourceVersion;
  delete meta.creationTimestamp;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta,
      annotations: { ...meta.annotations, [CONFIG_MIRROR]: meta.annotations?.[CONFIG_HASH] ?? '' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid, controller: true }],
    },
    spec: { ...pod.spec },
    status: isRecord(pod.status) ? { ...pod.status } : {},
  } as KubeObject;
}
