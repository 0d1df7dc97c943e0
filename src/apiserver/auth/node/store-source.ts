// The Node authorizer's view of the API server's watch caches: the pods feed the graph, the
// rest is read on demand. One graph per set of stores (shared with NodeRestriction).
import type { ResourceStore } from '../../endpoints/store.js';
import type { StoreLookup } from '../rbac/store-source.js';
import { logger } from '../../../util/log.js';
import { NodeGraph } from './graph.js';
import type { NodeObjects } from './authorizer.js';

const log = logger('apiserver');

function follow(store: ResourceStore, graph: NodeGraph): void {
  const cache = store.cache;
  const subscribe = () => {
    graph.clear();
    cache.watch(
      0,
      {},
      {
        onEvent: (ev) => {
          // a fault here must not take the watch cache (and the API server) down with it
          try {
            if (ev.type === 'DELETED') graph.removePod(ev.object.key);
            else graph.upsertPod(ev.object.key, ev.object.obj);
          } catch (err) {
            log.error('node graph update failed', { pod: ev.object.key, error: String(err) });
          }
        },
        // the cache re-lists after a broken storage watch: start over once it has loaded
        onError: () => void cache.ready().then(subscribe),
      },
    );
  };
  subscribe();
}

const graphs = new WeakMap<ResourceStore, NodeGraph>();

export function nodeGraphFor(lookup: StoreLookup): NodeGraph {
  const pods = lookup('', 'pods');
  if (!pods) throw new Error('no pods store');
  let g = graphs.get(pods);
  if (!g) {
    graphs.set(pods, (g = new NodeGraph()));
    follow(pods, g);
  }
  return g;
}

export function storeObjects(lookup: StoreLookup): NodeObjects {
  return {
    get(group, resource, namespace, name) {
      const s = lookup(group, resource);
      return s?.cache.get(s.key(namespace || undefined, name))?.obj;
    },
  };
}
