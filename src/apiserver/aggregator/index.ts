// API aggregation (kube-aggregator) inside the API server: the Local APIServices of what is
// served, the front-proxy PKI and the extension-apiserver-authentication ConfigMap, the
// availability controller, the proxy to extension API servers and their discovery.
import type { KubeObject } from '../../api/types.js';
import type { Disposable } from '../../storage/types.js';
import { getObject } from '../admission/lookup.js';
import type { ObjectGetter } from '../admission/webhook/resolve.js';
import type { RequestContext } from '../endpoints/context.js';
import type { ResourceStore } from '../endpoints/store.js';
import type { DocumentServer } from '../handler.js';
import { specOf } from '../registry/apiregistration/apiservices.js';
import type { ResourceStrategy } from '../registry/strategy.js';
import { AvailabilityController } from './availability.js';
import { remoteGroupVersion, withAggregatedDiscovery, type RemoteGroupVersion } from './discovery.js';
import {
  ensureFrontProxyPKI,
  extensionAuthenticationData,
  publishExtensionAuthentication,
} from './front-proxy.js';
import { syncLocalAPIServices } from './local-apiservices.js';
import { routeToRemote, type ProxyHandler } from './proxy.js';

export interface AggregatorDeps {
  /** <data-dir>/server/tls, where the request-header CA and proxy client certificate live. */
  tlsDir: string;
  /** The cluster CA (client-ca-file of the published ConfigMap). */
  clientCAPem: string;
  lookup(group: string, resource: string): ResourceStore | undefined;
  systemContext(namespace?: string): RequestContext;
  /** The strategies served (after --runtime-config), for the Local APIServices. */
  served: ResourceStrategy[];
}

export interface Aggregator {
  /** The proxy for a path under a remote APIService's group version, else undefined. */
  route(path: string): ProxyHandler | undefined;
  /** The documents with the aggregated groups added to discovery. */
  withDiscovery(inner: DocumentServer): DocumentServer;
  stop(): void;
}

export async function startAggregator(deps: AggregatorDeps): Promise<Aggregator> {
  const apiservices = deps.lookup('apiregistration.k8s.io', 'apiservices')!;
  const pki = await ensureFrontProxyPKI(deps.tlsDir);
  await publishExtensionAuthentication(
    deps.lookup('', 'configmaps')!,
    extensionAuthenticationData(deps.clientCAPem, pki.caCertPem),
    deps.systemContext('kube-system'),
  );
  await syncLocalAPIServices(apiservices, deps.served, deps.systemContext());

  const get: ObjectGetter = (resource, ns, name) => getObject({ store: deps.lookup }, '', resource, ns, name);
  // remote APIServices as the watch cache holds them, with their last discovery documents
  const remote = new Map<string, KubeObject>();
  const discovery = new Map<string, { doc: unknown; stale: boolean }>();
  const track = (o: KubeObject, deleted: boolean) => {
    const name = o.metadata.name ?? '';
    if (deleted || !specOf(o).service) {
      remote.delete(name);
      discovery.delete(name);
    } else remote.set(name, o);
  };
  const listed = await apiservices.cache.list({ resourceVersion: '0' });
  for (const i of listed.items) track(i.obj, false);
  const watch: Disposable = apiservices.cache.watch(
    listed.revision,
    {},
    {
      onEvent: (ev) => track(ev.object.obj, ev.type === 'DELETED'),
      onError: () => {},
    },
  );

  const availability = new AvailabilityController({
    apiservices,
    services: deps.lookup('', 'services')!,
    endpoints: deps.lookup('', 'endpoints')!,
    get,
    pki,
    ctx: deps.systemContext(),
    onDiscovery: (name, doc) => {
      if (!remote.has(name)) return;
      const prev = discovery.get(name);
      if (doc !== undefined) discovery.set(name, { doc, stale: false });
      else if (prev) discovery.set(name, { doc: prev.doc, stale: true });
    },
  });
  availability.start();

  const groups = {
    all: (): RemoteGroupVersion[] =>
      [...remote].map(([name, o]) =>
        remoteGroupVersion(o, discovery.get(name)?.doc, discovery.get(name)?.stale ?? false),
      ),
  };
  return {
    route: (path) => (remote.size ? routeToRemote(path, { apiservices, get, pki }) : undefined),
    withDiscovery: (inner) => withAggregatedDiscovery(inner, groups),
    stop() {
      watch.dispose();
      availability.stop();
    },
  };
}
