// NamespaceLifecycle admission: no new objects in a namespace that does not exist or is being
// deleted (upstream's messages; kubectl prints them).
import { forbidden, notFound, StatusError } from '../api/errors.js';
import { groupResource } from '../api/types.js';
import type { ResourceStore } from './endpoints/store.js';

export interface AdmissionTarget {
  group: string;
  resource: string;
  name: string;
}

/** Namespaces that always exist (they are recreated at start and cannot be deleted). */
export const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

export function namespaceChecker(namespaces: () => ResourceStore) {
  return async (namespace: string, forCreate: boolean, target: AdmissionTarget): Promise<void> => {
    const store = namespaces();
    const cached = store.cache.get(`${store.prefix}${namespace}`)?.obj;
    let ns = cached;
    if (!ns) {
      try {
        ns = await store.get(undefined, namespace);
      } catch (err) {
        if (err instanceof StatusError && err.code === 404) throw notFound('', 'namespaces', namespace);
        throw err;
      }
    }
    const phase = (ns.status as { phase?: string } | undefined)?.phase;
    if (forCreate && (ns.metadata.deletionTimestamp || phase === 'Terminating')) {
      const what = groupResource(target.group, target.resource);
      const err = forbidden(
        `${target.name ? `${what} "${target.name}"` : what} is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        target.group,
        target.resource,
        target.name,
      );
      err.details!.causes = [
        {
          reason: 'NamespaceTerminating',
          message: `namespace ${namespace} is being terminated`,
          field: 'metadata.namespace',
        },
      ];
      throw err;
    }
  };
}
