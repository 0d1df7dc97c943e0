// Serves custom resources (upstream's apiextensions-apiserver controllers, run inside the API
// server as upstream runs them): follows the CRD watch cache, decides names and conditions,
// registers one ResourceStore per served version (sharing one watch cache per CRD) in the
// handler's store table, republishes discovery and OpenAPI, and empties a deleted CRD of its
// objects before removing its cleanup finalizer. Level-based: every pass reconciles all CRDs
// from the cache; passes never overlap, and a change during a pass causes one more.
import { StatusError } from '../../api/errors.js';
import { logger } from '../../util/log.js';
import { WatchCache } from '../../storage/cacher.js';
import type { Disposable, Storage } from '../../storage/types.js';
import type { RequestContext } from '../endpoints/context.js';
import { decodeFromStorage } from '../endpoints/object-json.js';
import { ResourceStore, type StoreDeps } from '../endpoints/store.js';
import type { ResourceStrategy } from '../registry/strategy.js';
import { setCondition } from './conditions.js';
import { getObject } from '../admission/lookup.js';
import { WebhookConverter } from './conversion.js';
import { ConvertingStorage } from './converting-storage.js';
import { customResourceStrategy, isWebhookConverted } from './cr-strategy.js';
import { crdDefinitions, publishDefinitions, withdrawDefinitions } from './definitions.js';
import { decideNames } from './naming.js';
import { CLEANUP_FINALIZER, isEstablished, type CustomResourceDefinition } from './types.js';

const log = logger('apiextensions');
/** A deleted CRD whose objects still linger (their own finalizers) is looked at again after this. */
const CLEANUP_RETRY_MS = 1000;
/** A converted version whose first list failed (webhook unreachable) is built again after this. */
const CONVERSION_RETRY_MS = 2000;

export interface CustomResourceDeps {
  storage: Storage;
  crds: ResourceStore;
  /** The handler's store table (group/version/resource), changed in place. */
  stores: Map<string, ResourceStore>;
  /** lookup()'s table (`<resource>.<group>` → preferred version's store), changed in place. */
  byResource: Map<string, ResourceStore>;
  storeDeps: Omit<StoreDeps, 'storage' | 'cache'>;
  storeKey(group: string, version: string, resource: string): string;
  systemContext(namespace?: string): RequestContext;
  /** Called with every served custom resource strategy after the set changed. */
  published(strategies: ResourceStrategy[]): void;
}

interface Served {
  /** What the stores were built from; a different fingerprint rebuilds them. */
  fingerprint: string;
  cache: WatchCache;
  /** Webhook conversion: each served version's own cache over its ConvertingStorage. */
  versionCaches: WatchCache[];
  stores: ResourceStore[];
  storeKeys: string[];
  resourceKey: string;
  definitions: string[];
  terminating: boolean;
}

export class CustomResourceManager implements Disposable {
  private readonly served = new Map<string, Served>();
  private watch: Disposable | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private retry: NodeJS.Timeout | undefined;
  private conversionRetry: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly deps: CustomResourceDeps) {}

  /** Serves what the stored CRDs define, then follows their changes. */
  async start(): Promise<void> {
    // events from the first pass on (its own writes included) cause another pass
    const from = this.deps.crds.cache.currentRevision();
    await this.pass();
    this.watch = this.deps.crds.cache.watch(
      from,
      {},
      {
        onEvent: () => this.kick(),
        onError: (err) => log.error('CRD watch ended', { error: String(err) }),
      },
    );
  }

  /** The strategies of every served custom resource version. */
  strategies(): ResourceStrategy[] {
    return [...this.served.values()].flatMap((s) => s.stores.map((st) => st.strategy));
  }

  dispose(): void {
    this.disposed = true;
    this.watch?.dispose();
    clearTimeout(this.retry);
    clearTimeout(this.conversionRetry);
    for (const s of this.served.values()) {
      s.cache.dispose();
      for (const c of s.versionCaches) c.dispose();
    }
  }

  private kick(): void {
    if (this.disposed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((err) => log.error('CRD reconcile failed', { error: String(err), stack: (err as Error)?.stack }))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async pass(): Promise<void> {
    const list = await this.deps.crds.cache.list({ resourceVersion: '0' });
    const crds = list.items.map((i) => i.obj as CustomResourceDefinition);
    let changed = false;
    const names = new Set(crds.map((c) => c.metadata.name!));
    for (const name of [...this.served.keys()])
      if (!names.has(name)) {
        this.unserve(name);
        changed = true;
      }
    // creation order: the older CRD keeps a contested name
    crds.sort((a, b) =>
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''),
    );
    for (const crd of crds) {
      try {
        changed = (await this.reconcile(crd, crds)) || changed;
      } catch (err) {
        if (err instanceof StatusError && err.code === 409) this.again = true;
        else log.error('CRD reconcile failed', { crd: crd.metadata.name, error: String(err) });
      }
    }
    if (changed) this.deps.published(this.strategies());
  }

  /** Returns true when what is served changed. */
  private async reconcile(crd: CustomResourceDefinition, all: CustomResourceDefinition[]): Promise<boolean> {
    const terminating = !!crd.metadata.deletionTimestamp;
    const decision = decideNames(crd, all);
    const want = structuredClone(crd);
    if (!terminating) {
      want.status = { ...(want.status ?? {}), acceptedNames: decision.acceptedNames };
      setCondition(want, decision.namesAccepted);
      setCondition(want, decision.established);
    }
    let changed = false;
    if (isEstablished(want)) changed = await this.serve(want, terminating);
    if (JSON.stringify(want.status) !== JSON.stringify(crd.status)) await this.writeStatus(crd, want);
    if (terminating && (crd.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER)) await this.cleanUp(crd);
    return changed;
  }

  private async writeStatus(crd: CustomResourceDefinition, want: CustomResourceDefinition): Promise<void> {
    await this.deps.crds.update(
      undefined,
      crd.metadata.name!,
      this.deps.systemContext(),
      (cur) => {
        if (cur.metadata.uid !== crd.metadata.uid)
          throw new StatusError(409, 'Conflict', 'the CRD was replaced');
        return { ...cur, status: want.status };
      },
      { subresource: 'status', retry: true },
    );
  }

  /** Registers (or rebuilds) the stores of the CRD's served versions. */
  private async serve(crd: CustomResourceDefinition, terminating: boolean): Promise<boolean> {
    const name = crd.metadata.name!;
    const fingerprint = JSON.stringify([crd.metadata.uid, crd.spec, crd.status?.acceptedNames]);
    const existing = this.served.get(name);
    if (existing) {
      existing.terminating = terminating;
      if (existing.fingerprint === fingerprint) return false;
    }
    const plural = crd.spec.names.plural;
    const prefix = `/registry/${crd.spec.group}/${plural}/`;
    let cache = existing?.cache;
    if (!cache) {
      cache = new WatchCache(this.deps.storage, prefix, {
        decode: (kv) => decodeFromStorage(kv.value, kv.modRevision),
      });
      await cache.start();
      await cache.ready();
    }
    if (existing) this.unregister(existing);
    const served: Served = {
      fingerprint,
      cache,
      versionCaches: [],
      stores: [],
      storeKeys: [],
      resourceKey: `${plural}.${crd.spec.group}`,
      definitions: [],
      terminating,
    };
    const state = served;
    const names = { ...crd.spec.names, ...crd.status?.acceptedNames };
    const converter = isWebhookConverted(crd)
      ? new WebhookConverter(crd.spec.conversion!, (resource, ns, n) =>
          getObject({ store: (g, r) => this.deps.byResource.get(g ? `${r}.${g}` : r) }, '', resource, ns, n),
        )
      : undefined;
    const storageVersion = crd.spec.versions.find((v) => v.storage)?.name ?? '';
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      const strategy = customResourceStrategy({ crd, version, terminating: () => state.terminating });
      let storage: Storage = this.deps.storage;
      let versionCache = cache;
      if (converter) {
        storage = new ConvertingStorage(
          this.deps.storage,
          converter,
          `${crd.spec.group}/${version.name}`,
          () => `${crd.spec.group}/${storageVersion}`,
          (err) => this.retryConversion(name, served, err),
        );
        versionCache = new WatchCache(storage, prefix, {
          decode: (kv) => decodeFromStorage(kv.value, kv.modRevision),
        });
        served.versionCaches.push(versionCache);
        // not awaited: an unreachable webhook must not hold up the other CRDs; requests wait
        // for (or fail with) the first list, and a failed one is retried with a new cache
        versionCache.start().catch((err: unknown) => this.retryConversion(name, served, err));
      }
      const store = new ResourceStore(strategy, {
        ...this.deps.storeDeps,
        storage,
        cache: versionCache,
      });
      const defs = crdDefinitions(
        crd.spec.group,
        version.name,
        names.kind,
        names.listKind ?? `${names.kind}List`,
        version.schema?.openAPIV3Schema,
      );
      publishDefinitions(defs);
      served.definitions.push(...Object.keys(defs));
      const key = this.deps.storeKey(strategy.group, strategy.version, strategy.resource);
      this.deps.stores.set(key, store);
      served.storeKeys.push(key);
      served.stores.push(store);
    }
    // lookup() answers with the storage version's store (any version reads every object)
    const preferred =
      served.stores.find((s) => s.strategy.version === crd.spec.versions.find((v) => v.storage)?.name) ??
      served.stores[0];
    if (preferred) this.deps.byResource.set(served.resourceKey, preferred);
    this.served.set(name, served);
    log.info('serving custom resource', {
      crd: name,
      versions: served.stores.map((s) => s.strategy.version),
    });
    return true;
  }

  /** Rebuilds a webhook-converted CRD's version caches soon (first list failed, watch broke). */
  private retryConversion(name: string, s: Served, err: unknown): void {
    if (this.disposed || this.served.get(name) !== s) return;
    log.error('custom resource conversion failed', { crd: name, error: (err as Error)?.message });
    // a different fingerprint makes the next pass build the version caches again
    s.fingerprint = '';
    clearTimeout(this.conversionRetry);
    this.conversionRetry = setTimeout(() => this.kick(), CONVERSION_RETRY_MS);
  }

  private unregister(s: Served): void {
    for (const c of s.versionCaches) c.dispose();
    for (const k of s.storeKeys) this.deps.stores.delete(k);
    if (s.stores.includes(this.deps.byResource.get(s.resourceKey)!))
      this.deps.byResource.delete(s.resourceKey);
    withdrawDefinitions(s.definitions);
  }

  private unserve(name: string): void {
    const s = this.served.get(name);
    if (!s) return;
    this.unregister(s);
    s.cache.dispose();
    this.served.delete(name);
    log.info('stopped serving custom resource', { crd: name });
  }

  /** Deletes every object of a deleted CRD, then lets the CRD go (upstream's finalizing controller). */
  private async cleanUp(crd: CustomResourceDefinition): Promise<void> {
    const served = this.served.get(crd.metadata.name!);
    const store = served?.stores[0];
    if (store) {
      const { items } = await store.cache.list({ resourceVersion: '' });
      if (items.length) {
        await this.setTerminating(
          crd,
          'InstanceDeletionInProgress',
          'CustomResource deletion is in progress',
        );
        for (const item of items) {
          const m = item.obj.metadata;
          if (m.deletionTimestamp) continue;
          try {
            await store.delete(m.namespace, m.name!, this.deps.systemContext(m.namespace), {});
          } catch (err) {
            if (!(err instanceof StatusError && err.code === 404)) throw err;
          }
        }
        const left = await store.cache.list({ resourceVersion: '' });
        if (left.items.length) {
          clearTimeout(this.retry);
          this.retry = setTimeout(() => this.kick(), CLEANUP_RETRY_MS);
          return;
        }
      }
    }
    await this.setTerminating(crd, 'InstanceDeletionCompleted', 'removed all instances');
    await this.deps.crds.update(
      undefined,
      crd.metadata.name!,
      this.deps.systemContext(),
      (cur) => {
        cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER);
        if (!cur.metadata.finalizers.length) delete cur.metadata.finalizers;
        return cur;
      },
      { retry: true },
    );
  }

  private async setTerminating(
    crd: CustomResourceDefinition,
    reason: string,
    message: string,
  ): Promise<void> {
    await this.deps.crds.update(
      undefined,
      crd.metadata.name!,
      this.deps.systemContext(),
      (cur) => {
        setCondition(cur as CustomResourceDefinition, {
          type: 'Terminating',
          status: 'True',
          reason,
          message,
        });
        return cur;
      },
      { subresource: 'status', retry: true },
    );
  }
}
