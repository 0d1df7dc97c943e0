// Controller references (metav1.OwnerReference with controller: true) and the claim rules of
// upstream's BaseControllerRefManager: a controller keeps the objects it owns that still match
// its selector, releases owned ones that stopped matching, and adopts matching orphans.
import { isNotFound } from '../../client/informer.js';
import type { RestClient } from '../../client/rest.js';
import type { KubeObject } from '../../api/types.js';
import type { OwnerReference } from './objects.js';

const SMP = 'application/strategic-merge-patch+json';

export function controllerRefOf(o: {
  metadata?: { ownerReferences?: OwnerReference[] };
}): OwnerReference | undefined {
  return o.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** The reference a controller puts on what it makes (metav1.NewControllerRef). */
export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export interface ClaimTarget {
  /** the owner as the cache has it */
  owner: KubeObject;
  ref: OwnerReference;
  /** collection path of the claimed objects' namespace, e.g. /api/v1/namespaces/ns/pods */
  collection: string;
  /** the owner's own URL, re-read once before the first adoption (RecheckDeletionTimestamp) */
  ownerPath: string;
  matches(o: KubeObject): boolean;
}

/**
 * Claims `candidates` for `t.owner` (ClaimPods/ClaimReplicaSets): returns the ones it owns
 * after adopting and releasing. The first failed adoption or release is thrown after all are tried.
 */
export async function claim<T extends KubeObject>(
  client: RestClient,
  t: ClaimTarget,
  candidates: T[],
): Promise<T[]> {
  const uid = t.owner.metadata.uid;
  const deleting = !!t.owner.metadata.deletionTimestamp;
  const claimed: T[] = [];
  let firstError: unknown;
  let adoptable: Promise<void> | undefined;
  for (const o of candidates) {
    const ref = controllerRefOf(o);
    try {
      if (ref) {
        if (ref.uid !== uid) continue;
        if (t.matches(o)) {
          claimed.push(o);
          continue;
        }
        if (deleting) continue;
        await patch(client, t, o, [{ $patch: 'delete', uid }]);
        continue;
      }
      if (deleting || !t.matches(o) || o.metadata.deletionTimestamp) continue;
      if (t.owner.metadata.namespace && t.owner.metadata.namespace !== o.metadata.namespace) continue;
      adoptable ??= recheckOwner(client, t);
      await adoptable;
      await patch(client, t, o, [t.ref]);
      claimed.push(o);
    } catch (err) {
      if (isNotFound(err)) continue;
      firstError ??= err;
    }
  }
  if (firstError) throw firstError instanceof Error ? firstError : new Error(String(firstError));
  return claimed;
}

async function patch(client: RestClient, t: ClaimTarget, o: KubeObject, refs: unknown[]): Promise<void> {
  await client.request(
    'PATCH',
    `${t.collection}/${o.metadata.name}`,
    { metadata: { ownerReferences: refs, uid: o.metadata.uid } },
    SMP,
  );
}

/** Upstream's RecheckDeletionTimestamp: adopt only for an owner that is still there and alive. */
async function recheckOwner(client: RestClient, t: ClaimTarget): Promise<void> {
  const m = t.owner.metadata;
  const fresh = await client.request<KubeObject>('GET', t.ownerPath);
  if (fresh.metadata.uid !== m.uid)
    throw new Error(
      `original ${m.namespace}/${m.name} is gone: got uid ${fresh.metadata.uid}, wanted ${m.uid}`,
    );
  if (fresh.metadata.deletionTimestamp)
    throw new Error(`${m.namespace}/${m.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
}
