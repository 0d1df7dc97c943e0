// Real stores (every built-in resource, over in-memory sqlite and watch caches) with an
// admission chain made of the plugins under test, so tests see what a client would get back.
import { SqliteStorage } from '../../../src/storage/sqlite/backend.js';
import { WatchCache } from '../../../src/storage/cacher.js';
import { ResourceStore } from '../../../src/apiserver/endpoints/store.js';
import { decodeFromStorage } from '../../../src/apiserver/endpoints/object-json.js';
import { allStrategies } from '../../../src/apiserver/registry/index.js';
import { ServiceAllocators } from '../../../src/apiserver/allocators.js';
import { AdmissionChain } from '../../../src/apiserver/admission/chain.js';
import type { AdmissionDeps, AdmissionPlugin } from '../../../src/apiserver/admission/types.js';
import { systemContext } from '../../../src/apiserver/bootstrap.js';
import { buildAuthorizer } from '../../../src/apiserver/auth/index.js';
import type { RequestContext } from '../../../src/apiserver/endpoints/context.js';
import type { KubeObject } from '../../../src/api/types.js';
import { StatusError } from '../../../src/api/errors.js';
import { validateFields } from '../../../src/apiserver/endpoints/decode.js';

export interface Cluster {
  deps: AdmissionDeps;
  store(resource: string, group?: string): ResourceStore;
  /** Creates as a user in `namespace`; returns the stored object. */
  create(resource: string, obj: unknown, namespace?: string, group?: string): Promise<KubeObject>;
  /** The error message a refused create gets (throws if it is accepted). */
  refused(resource: string, obj: unknown, namespace?: string, group?: string): Promise<StatusError>;
  ctx(namespace?: string): RequestContext;
  close(): Promise<void>;
}

export async function cluster(plugins: (deps: AdmissionDeps) => AdmissionPlugin[]): Promise<Cluster> {
  const storage = SqliteStorage.open(':memory:');
  const allocators = new ServiceAllocators('10.43.0.0/16');
  const caches = new Map<string, WatchCache>();
  const byResource = new Map<string, ResourceStore>();
  const holder = { chain: AdmissionChain.empty };
  const proxy = {
    admit: (r: Parameters<AdmissionChain['admit']>[0]) => holder.chain.admit(r),
    validate: (r: Parameters<AdmissionChain['validate']>[0]) => holder.chain.validate(r),
  } as AdmissionChain;
  for (const st of allStrategies) {
    if (st.storedAs) continue;
    const prefix = `/registry/${st.resource}/`;
    let cache = caches.get(prefix);
    if (!cache) {
      cache = new WatchCache(storage, prefix, {
        decode: (kv) => decodeFromStorage(kv.value, kv.modRevision),
      });
      caches.set(prefix, cache);
    }
    const key = st.group ? `${st.resource}.${st.group}` : st.resource;
    if (byResource.has(key)) continue;
    byResource.set(
      key,
      new ResourceStore(st, { storage, cache, allocators, checkNamespace: async () => {}, admission: proxy }),
    );
  }
  await Promise.all([...caches.values()].map((c) => c.start()));
  await Promise.all([...caches.values()].map((c) => c.ready()));
  const lookup = (group: string, resource: string) =>
    byResource.get(group ? `${resource}.${group}` : resource);
  const authorizer = buildAuthorizer({ dataDir: '', lookup });
  const deps: AdmissionDeps = { store: lookup, systemContext, authorizer: () => authorizer };
  holder.chain = new AdmissionChain(plugins(deps));
  const store = (resource: string, group = '') => lookup(group, resource)!;
  const ctx = (namespace?: string): RequestContext => ({
    user: { name: 'alice', groups: ['system:authenticated'] },
    namespace,
    dryRun: false,
    fieldManager: 'test',
    fieldValidation: 'Strict',
    userAgent: 'test',
    warnings: [],
  });
  const create = async (resource: string, obj: unknown, namespace = 'ns', group = '') => {
    const st = store(resource, group);
    const o = structuredClone(obj) as KubeObject;
    if (st.strategy.namespaced) o.metadata.namespace = namespace;
    const c = ctx(st.strategy.namespaced ? namespace : undefined);
    // what the HTTP decode does first (quantities made canonical, unknown fields refused)
    validateFields(o, st.strategy, c);
    const created = await st.create(o, c);
    await st.cache.waitForRevision(Number(created.metadata.resourceVersion));
    return created;
  };
  return {
    deps,
    store,
    create,
    ctx,
    async refused(resource, obj, namespace, group) {
      try {
        await create(resource, obj, namespace, group);
      } catch (err) {
        if (err instanceof StatusError) return err;
        throw err;
      }
      throw new Error('expected the create to be refused');
    },
    async close() {
      for (const c of caches.values()) c.dispose();
      await storage.close();
    },
  };
}

/** A pod with one container `c` and the given resources. */
export function pod(name: string, resources: unknown = {}, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'nginx', resources }], ...extra },
  };
}

export function limitRange(name: string, limits: unknown[]): KubeObject {
  return { apiVersion: 'v1', kind: 'LimitRange', metadata: { name }, spec: { limits } };
}
