// VolumeBinding's PreBind (upstream's volumebinder BindPodVolumes): static volumes get their
// claimRef, claims to be provisioned get volume.kubernetes.io/selected-node, then the pod waits
// (up to bindTimeoutSeconds, 600 s) until the PV controller and the provisioner bound every
// claim; only then is the pod bound to the node.
import type { KubeObject } from '../api/types.js';
import type { RestClient } from '../client/rest.js';
import {
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_SELECTED_NODE,
  claimRefTo,
  specOf,
} from '../controllers/persistentvolume/matching.js';
import type { VolumeLister, VolumePlan } from './plugins/volume-binding.js';

const BIND_TIMEOUT_MS = 600_000;
const POLL_MS = 100;

/** Resolves to undefined once all claims are bound, else to why not. */
export async function bindPodVolumes(
  client: RestClient,
  lister: VolumeLister,
  plan: VolumePlan,
  node: string,
  stopped: () => boolean,
): Promise<string | undefined> {
  try {
    for (const { claim, volume } of plan.bindings) {
      await client.request('PUT', `/api/v1/persistentvolumes/${volume.metadata.name}`, {
        ...volume,
        metadata: {
          ...volume.metadata,
          annotations: { ...volume.metadata.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' },
        },
        spec: {
          ...specOf(volume),
          claimRef: claimRefTo(claim),
        },
      });
    }
    for (const claim of plan.provisions) {
      if (claim.metadata.annotations?.[ANN_SELECTED_NODE] === node) continue;
      await client.request(
        'PUT',
        `/api/v1/namespaces/${claim.metadata.namespace}/persistentvolumeclaims/${claim.metadata.name}`,
        {
          ...claim,
          metadata: {
            ...claim.metadata,
            annotations: { ...claim.metadata.annotations, [ANN_SELECTED_NODE]: node },
          },
        },
      );
    }
  } catch (err) {
    return `binding volumes: ${err instanceof Error ? err.message : String(err)}`;
  }
  const claims = [...plan.bindings.map((b) => b.claim), ...plan.provisions];
  const deadline = Date.now() + BIND_TIMEOUT_MS;
  for (;;) {
    const waiting = claims.filter((c) => !isBound(lister.claim(c.metadata.namespace!, c.metadata.name!), c));
    if (!waiting.length) return undefined;
    const gone = waiting.find((c) => !lister.claim(c.metadata.namespace!, c.metadata.name!));
    if (gone) return `binding volumes: pvc ${gone.metadata.namespace}/${gone.metadata.name} was deleted`;
    if (Date.now() > deadline || stopped()) return 'binding volumes: context deadline exceeded';
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function isBound(now: KubeObject | undefined, was: KubeObject): boolean {
  if (!now || now.metadata.uid !== was.metadata.uid) return false;
  return !!specOf(now).volumeName && now.metadata.annotations?.[ANN_BIND_COMPLETED] !== undefined;
}
