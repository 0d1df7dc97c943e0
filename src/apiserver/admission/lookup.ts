// Reads plugins make from the API server's own watch caches (what upstream's plugins read from
// informer listers). Lists are consistent reads: an object written just before is seen.
import { StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { AdmissionDeps } from './types.js';

/** Every object of a resource in one namespace (all of them for cluster-scoped ones, ns ''). */
export async function listObjects(
  deps: AdmissionDeps,
  group: string,
  resource: string,
  namespace = '',
): Promise<KubeObject[]> {
  const store = deps.store(group, resource);
  if (!store) return [];
  const keyPrefix = namespace ? `${store.prefix}${namespace}/` : store.prefix;
  const { items } = await store.cache.list({ keyPrefix });
  return items.map((i) => i.obj);
}

/** One object from the watch cache, else from storage; undefined when it does not exist. */
export async function getObject(
  deps: AdmissionDeps,
  group: string,
  resource: string,
  namespace: string,
  name: string,
): Promise<KubeObject | undefined> {
  const store = deps.store(group, resource);
  if (!store) return undefined;
  const cached = store.cache.get(store.key(namespace, name));
  if (cached) return cached.obj;
  try {
    return await store.get(namespace, name);
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) return undefined;
    throw err;
  }
}
