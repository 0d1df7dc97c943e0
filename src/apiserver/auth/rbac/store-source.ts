// The RBAC objects as the API server's watch caches hold them. One RuleResolver per set of
// stores: the authorizer and the escalation check share its binding index.
import type { KubeObject } from '../../../api/types.js';
import type { ResourceStore } from '../../endpoints/store.js';
import { logger } from '../../../util/log.js';
import { RuleResolver, type RbacKind, type RbacSource, type RbacWatchHandler } from './resolver.js';

export type StoreLookup = (group: string, resource: string) => ResourceStore | undefined;

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const log = logger('apiserver');

export function storeSource(lookup: StoreLookup): RbacSource {
  const store = (kind: RbacKind): ResourceStore => {
    const s = lookup(RBAC_GROUP, kind);
    if (!s) throw new Error(`no store for ${kind}.${RBAC_GROUP}`);
    return s;
  };
  return {
    get(kind: RbacKind, namespace: string, name: string): KubeObject | undefined {
      const s = store(kind);
      return s.cache.get(s.key(namespace || undefined, name))?.obj;
    },
    follow(kind, handler: RbacWatchHandler) {
      const cache = store(kind).cache;
      let current: { dispose(): void } | undefined;
      let stopped = false;
      const subscribe = () => {
        if (stopped) return;
        handler.reset();
        // from revision 0: every current object as ADDED, then the changes after it
        current = cache.watch(
          0,
          {},
          {
            onEvent: (ev) => {
              // a fault here must not take the watch cache (and the API server) down with it
              try {
                if (ev.type === 'DELETED') handler.remove(ev.object.key);
                else handler.upsert(ev.object.key, ev.object.obj);
              } catch (err) {
                log.error('RBAC index update failed', { object: ev.object.key, error: String(err) });
              }
            },
            // the cache re-lists after a broken storage watch: start over once it has loaded
            onError: () => void cache.ready().then(subscribe),
          },
        );
      };
      subscribe();
      return {
        dispose: () => {
          stopped = true;
          current?.dispose();
        },
      };
    },
  };
}

const resolvers = new WeakMap<ResourceStore, RuleResolver>();

/** The resolver over these stores, made once (keyed by the clusterrolebindings store). */
export function resolverFor(lookup: StoreLookup): RuleResolver {
  const anchor = lookup(RBAC_GROUP, 'clusterrolebindings');
  if (!anchor) throw new Error('no RBAC stores');
  let r = resolvers.get(anchor);
  if (!r) resolvers.set(anchor, (r = new RuleResolver(storeSource(lookup))));
  return r;
}
