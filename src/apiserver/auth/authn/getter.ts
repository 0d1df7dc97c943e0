// Reads objects for token validation from the API server's watch caches, falling back to
// storage for an object the cache has not seen yet (a token issued for a Pod created a
// moment ago), as upstream's NewGetterFromClient falls back from listers to live reads.
import { StatusError } from '../../../api/errors.js';
import type { ResourceStore } from '../../endpoints/store.js';
import type { ObjectGetter } from './types.js';

export function getterFromStores(
  lookup: (group: string, resource: string) => ResourceStore | undefined,
): ObjectGetter {
  return async (resource, namespace, name) => {
    const store = lookup('', resource);
    if (!store) return undefined;
    const cached = store.cache.get(store.key(namespace, name))?.obj;
    if (cached) return cached;
    try {
      return await store.get(namespace, name);
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return undefined;
      throw err;
    }
  };
}
