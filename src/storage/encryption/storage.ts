// Encryption at rest as a Storage decorator: values under the configured resources' prefixes are
// sealed on create/update and opened on every read path (get, list, delete, watch, conflicts),
// so the watch caches and everything above them only ever see plaintext.
import {
  RevisionMismatchError,
  type Disposable,
  type KV,
  type ListOptions,
  type ListResult,
  type Storage,
  type WatchEvent,
  type WatchHandler,
} from '../types.js';
import type { EncryptionConfig, GroupResource } from './config.js';
import type { ProviderChain } from './providers.js';

/**
 * Maps a datastore key to its provider chain. storedResources lists, per storage prefix segment
 * (the <resource> of /registry/<resource>/...), the group/resource stored there.
 */
export function chainResolver(
  config: EncryptionConfig,
  storedResources: Map<string, GroupResource>,
): (key: string) => ProviderChain | undefined {
  const bySegment = new Map<string, ProviderChain | undefined>();
  for (const [segment, gr] of storedResources) bySegment.set(segment, config.chainFor(gr.group, gr.resource));
  const catchAll = config.catchAll();
  return (key) => {
    if (!key.startsWith('/registry/')) return undefined;
    const segment = key.split('/')[2] ?? '';
    return bySegment.has(segment) ? bySegment.get(segment) : catchAll;
  };
}

export function encryptedStorage(
  inner: Storage,
  chainFor: (key: string) => ProviderChain | undefined,
): Storage {
  const open = (kv: KV): KV => {
    const chain = chainFor(kv.key);
    if (!chain) return kv;
    try {
      const { plain, stale } = chain.open(kv.value, kv.key);
      return stale ? { ...kv, value: plain, stale } : { ...kv, value: plain };
    } catch (err) {
      throw new Error(`failed to decrypt data of ${kv.key}: ${(err as Error).message}`);
    }
  };
  const seal = (key: string, value: Uint8Array): Uint8Array => chainFor(key)?.seal(value, key) ?? value;
  const openEvent = (e: WatchEvent): WatchEvent => {
    const out: WatchEvent = { ...e, kv: open(e.kv) };
    if (e.prevKv) out.prevKv = open(e.prevKv);
    return out;
  };
  const openingConflicts = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      if (err instanceof RevisionMismatchError) throw new RevisionMismatchError(err.key, open(err.current));
      throw err;
    }
  };
  const wrapped: Storage = {
    get: async (key: string) => {
      const kv = await inner.get(key);
      return kv && open(kv);
    },
    list: async (prefix: string, opts?: ListOptions): Promise<ListResult> => {
      const r = await inner.list(prefix, opts);
      return { ...r, kvs: r.kvs.map(open) };
    },
    count: (prefix: string) => inner.count(prefix),
    create: (key: string, value: Uint8Array) => inner.create(key, seal(key, value)),
    update: (key: string, value: Uint8Array, rev: number) =>
      openingConflicts(() => inner.update(key, seal(key, value), rev)),
    delete: async (key: string, rev?: number) => open(await openingConflicts(() => inner.delete(key, rev))),
    watch: (prefix: string, after: number, h: WatchHandler): Disposable => {
      let failed = false;
      const handler: WatchHandler = {
        onEvents(events) {
          if (failed) return;
          let opened: WatchEvent[];
          try {
            opened = events.map(openEvent);
          } catch (err) {
            failed = true;
            return h.onError(err as Error);
          }
          h.onEvents(opened);
        },
        onError: (err) => h.onError(err),
      };
      if (h.onProgress) handler.onProgress = (rev) => h.onProgress!(rev);
      return inner.watch(prefix, after, handler);
    },
    currentRevision: () => inner.currentRevision(),
    compactedRevision: () => inner.compactedRevision(),
    compact: (rev: number) => inner.compact(rev),
    close: () => inner.close(),
    requestProgress: inner.requestProgress ? () => inner.requestProgress!() : undefined,
  };
  // keep backend extras (e.g. sqlite's startMaintenance) reachable
  return Object.assign(Object.create(inner) as Storage, wrapped);
}
