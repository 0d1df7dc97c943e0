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
import { logger } from '../../util/log.js';
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

const log = logger('encryption');

type MaybePromise<T> = T | Promise<T>;

/** Array of values, or one promise of them when any value is still coming. */
function all<T>(values: MaybePromise<T>[]): MaybePromise<T[]> {
  return values.some((v) => v instanceof Promise) ? Promise.all(values) : (values as T[]);
}

export function encryptedStorage(
  inner: Storage,
  chainFor: (key: string) => ProviderChain | undefined,
  stop: () => void = () => {},
): Storage {
  const failure = (kv: KV, err: unknown) =>
    new Error(`failed to decrypt data of ${kv.key}: ${(err as Error).message}`);
  const opened = (kv: KV, r: { plain: Uint8Array; stale: boolean }): KV =>
    r.stale ? { ...kv, value: r.plain, stale: true } : { ...kv, value: r.plain };
  const open = (kv: KV): MaybePromise<KV> => {
    const chain = chainFor(kv.key);
    if (!chain) return kv;
    let r: ReturnType<ProviderChain['open']>;
    try {
      r = chain.open(kv.value, kv.key);
    } catch (err) {
      throw failure(kv, err);
    }
    if (r instanceof Promise)
      return r.then(
        (x) => opened(kv, x),
        (err) => {
          throw failure(kv, err);
        },
      );
    return opened(kv, r);
  };
  const seal = (key: string, value: Uint8Array): Uint8Array => chainFor(key)?.seal(value, key) ?? value;
  const openEvent = (e: WatchEvent): MaybePromise<WatchEvent> => {
    const kv = open(e.kv);
    const prev = e.prevKv ? open(e.prevKv) : undefined;
    const build = (k: KV, p: KV | undefined): WatchEvent =>
      p ? { ...e, kv: k, prevKv: p } : { ...e, kv: k };
    if (kv instanceof Promise || prev instanceof Promise)
      return Promise.all([kv, prev]).then(([k, p]) => build(k, p));
    return build(kv, prev);
  };
  const openingConflicts = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      if (err instanceof RevisionMismatchError)
        throw new RevisionMismatchError(err.key, await open(err.current));
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
      return { ...r, kvs: await all(r.kvs.map(open)) };
    },
    count: (prefix: string) => inner.count(prefix),
    create: (key: string, value: Uint8Array) => inner.create(key, seal(key, value)),
    update: (key: string, value: Uint8Array, rev: number) =>
      openingConflicts(() => inner.update(key, seal(key, value), rev)),
    delete: async (key: string, rev?: number) => open(await openingConflicts(() => inner.delete(key, rev))),
    watch: (prefix: string, after: number, h: WatchHandler): Disposable => {
      let failed = false;
      // Events go out in order: synchronously while every value opens at once (local keys),
      // behind a queue once one had to wait (a kms plugin asked for a key).
      let tail: Promise<void> | undefined;
      const fail = (err: unknown) => {
        if (failed) return;
        failed = true;
        h.onError(err as Error);
      };
      const later = (step: () => MaybePromise<void>) => {
        const mine: Promise<void> = (tail ?? Promise.resolve())
          .then(step)
          .catch(fail)
          // a handler that throws must not become an unhandled rejection (it would end the process)
          .catch((err: Error) => log.error('watch handler failed', { prefix, error: err.message }));
        tail = mine;
        void mine.then(() => {
          if (tail === mine) tail = undefined;
        });
      };
      const handler: WatchHandler = {
        onEvents(events) {
          if (failed) return;
          if (tail)
            return later(async () => {
              const out = await all(events.map(openEvent));
              if (!failed) h.onEvents(out);
            });
          let out: MaybePromise<WatchEvent[]>;
          try {
            out = all(events.map(openEvent));
          } catch (err) {
            return fail(err);
          }
          if (!(out instanceof Promise)) return h.onEvents(out);
          const pending = out;
          later(async () => {
            const ready = await pending;
            if (!failed) h.onEvents(ready);
          });
        },
        onError: (err) => (tail ? later(() => fail(err)) : fail(err)),
      };
      if (h.onProgress)
        handler.onProgress = (rev) => (tail ? later(() => h.onProgress!(rev)) : h.onProgress!(rev));
      const w = inner.watch(prefix, after, handler);
      return {
        dispose() {
          failed = true; // nothing queued goes out after dispose
          w.dispose();
        },
      };
    },
    currentRevision: () => inner.currentRevision(),
    compactedRevision: () => inner.compactedRevision(),
    compact: (rev: number) => inner.compact(rev),
    close: () => {
      stop();
      return inner.close();
    },
    requestProgress: inner.requestProgress ? () => inner.requestProgress!() : undefined,
  };
  // keep backend extras (e.g. sqlite's startMaintenance) reachable
  return Object.assign(Object.create(inner) as Storage, wrapped);
}
