// Reads plugins make from the API server's own watch caches, as upstream's plugins read from
// informer listers: what the cache holds now (it trails storage by moments), with a live
// lookup when it holds nothing for a namespace (upstream's liveLookupCache, kept 30 s).
import { StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { AdmissionDeps } from './types.js';

/** upstream's liveTTL of the LimitRanger and ResourceQuota live lookups */
const LIVE_LOOKUP_TTL_MS = 30_000;
/** upstream's lru.New(10000) */
const LIVE_LOOKUP_ENTRIES = 10_000;

/** Every object of a resource in one namespace ('' = all), as the watch cache holds them now. */
export async function listObjects(
  deps: Pick<AdmissionDeps, 'store'>,
  group: string,
  resource: string,
  namespace = '',
  consistent = false,
): Promise<KubeObject[]> {
  const store = deps.store(group, resource);
  if (!store) return [];
  const keyPrefix = namespace ? `${store.prefix}${namespace}/` : store.prefix;
  const { items } = await store.cache.list(consistent ? { keyPrefix } : { keyPrefix, resourceVersion: '0' });
  return items.map((i) => i.obj);
}

/** A namespaced lister with upstream's live lookup when the cache has nothing for a namespace. */
export function liveLister(deps: Pick<AdmissionDeps, 'store'>, group: string, resource: string) {
  const live = new Map<string, { expiry: number; items: KubeObject[] }>();
  return async (namespace: string): Promise<KubeObject[]> => {
    const cached = await listObjects(deps, group, resource, namespace);
    if (cached.length) return cached;
    const hit = live.get(namespace);
    if (hit && hit.expiry > Date.now()) return hit.items;
    const items = await listObjects(deps, group, resource, namespace, true);
    live.delete(namespace);
    live.set(namespace, { expiry: Date.now() + LIVE_LOOKUP_TTL_MS, items });
    if (live.size > LIVE_LOOKUP_ENTRIES) live.delete(live.keys().next().value!);
    return items;
  };
}

/** One object from the watch cache, else from storage; undefined when it does not exist. */
export async function getObject(
  deps: Pick<AdmissionDeps, 'store'>,
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
