// The storage one served version of a webhook-converted custom resource reads and writes
// through (upstream keeps the conversion in the storage codec of each version's REST storage):
// values are converted to the served version on the way out (get, list, delete, watch) and to
// the storage version on the way in (create, update). Objects already in the wanted version
// are passed through without calling the webhook, so a version's own objects cost nothing.
// Everything else (revisions, compaction, counts) is the shared storage's.
import { internalError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { logger } from '../../util/log.js';
import {
  RevisionMismatchError,
  type Disposable,
  type KV,
  type ListOptions,
  type ListResult,
  type Storage,
  type WatchEvent,
  type WatchHandler,
} from '../../storage/types.js';
import { encodeForStorage } from '../endpoints/object-json.js';
import type { Converter } from './conversion.js';

const log = logger('apiextensions');
/** A watch batch that cannot be converted is retried with backoff up to this (ms). */
const MAX_RETRY_MS = 30_000;

const decode = (value: Uint8Array): KubeObject =>
  JSON.parse(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8')) as KubeObject;

export class ConvertingStorage implements Storage {
  constructor(
    private readonly inner: Storage,
    private readonly converter: Converter,
    /** The served version's apiVersion (reads) and the storage version's (writes). */
    private readonly servedAPIVersion: string,
    private readonly storageAPIVersion: () => string,
    /**
     * A broken storage watch (compaction overtook it): the owner rebuilds the version's cache.
     * The cache would re-list by itself, but a re-list that fails (webhook down) would leave
     * it dead with nobody to notice; the manager's rebuild handles that failure.
     */
    private readonly onWatchBroken?: (err: Error) => void,
  ) {}

  private async convertKVs(kvs: KV[], single: boolean): Promise<KV[]> {
    if (!kvs.length) return kvs;
    const objs = kvs.map((kv) => decode(kv.value));
    let out: KubeObject[];
    try {
      out = await this.converter.convert(objs, this.servedAPIVersion, single);
    } catch (err) {
      throw internalError(err);
    }
    return kvs.map((kv, i) => (out[i] === objs[i] ? kv : { ...kv, value: encodeForStorage(out[i]!) }));
  }

  private async toStorage(value: Uint8Array): Promise<Uint8Array> {
    const obj = decode(value);
    const target = this.storageAPIVersion();
    if (obj.apiVersion === target) return value;
    try {
      const [out] = await this.converter.convert([obj], target, true);
      return encodeForStorage(out!);
    } catch (err) {
      throw internalError(err);
    }
  }

  async get(key: string): Promise<KV | undefined> {
    const kv = await this.inner.get(key);
    return kv && (await this.convertKVs([kv], true))[0];
  }

  async list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    const r = await this.inner.list(prefix, opts);
    return { ...r, kvs: await this.convertKVs(r.kvs, false) };
  }

  count(prefix: string): Promise<number> {
    return this.inner.count(prefix);
  }

  async create(key: string, value: Uint8Array): Promise<number> {
    return this.inner.create(key, await this.toStorage(value));
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<number> {
    try {
      return await this.inner.update(key, await this.toStorage(value), expectedModRevision);
    } catch (err) {
      // the store retries from the current value it is handed: that must be in its version too
      if (err instanceof RevisionMismatchError)
        throw new RevisionMismatchError(err.key, (await this.convertKVs([err.current], true))[0]!);
      throw err;
    }
  }

  async delete(key: string, expectedModRevision?: number): Promise<KV> {
    const kv = await this.inner.delete(key, expectedModRevision);
    try {
      return (await this.convertKVs([kv], true))[0]!;
    } catch {
      // the object is gone either way; its last state stays in the storage version
      return kv;
    }
  }

  watch(prefix: string, afterRevision: number, handler: WatchHandler): Disposable {
    let stopped = false;
    let chain = Promise.resolve();
    let retryTimer: NodeJS.Timeout | undefined;
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        retryTimer = setTimeout(resolve, ms);
      });
    const convertBatch = async (events: WatchEvent[]): Promise<WatchEvent[]> => {
      for (let delay = 1000; ; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
        try {
          const kvs = await this.convertKVs(
            events.map((e) => e.kv),
            false,
          );
          return events.map((e, i) => ({ ...e, kv: kvs[i]! }));
        } catch (err) {
          if (stopped) return [];
          // upstream's watch cache keeps retrying too; readers see the cache lag meanwhile
          log.error('converting watch events failed', { prefix, error: (err as Error).message });
          await sleep(delay);
          if (stopped) return [];
        }
      }
    };
    // every delivery runs after the ones before it; a throwing handler must not stop the chain
    const then = (step: () => void | Promise<void>) => {
      chain = chain.then(step).catch((err: unknown) => {
        log.error('delivering converted watch events failed', { prefix, error: String(err) });
      });
    };
    const inner = this.inner.watch(prefix, afterRevision, {
      onEvents: (events) =>
        then(async () => {
          const out = await convertBatch(events);
          if (!stopped && out.length) handler.onEvents(out);
        }),
      onError: (err) =>
        then(() => {
          if (stopped) return;
          if (this.onWatchBroken) this.onWatchBroken(err);
          else handler.onError(err);
        }),
      // in order with the events: a revision is only reported once its events went out
      onProgress: (rev) =>
        then(() => {
          if (!stopped) handler.onProgress?.(rev);
        }),
    });
    return {
      dispose: () => {
        stopped = true;
        clearTimeout(retryTimer);
        inner.dispose();
      },
    };
  }

  currentRevision(): Promise<number> {
    return this.inner.currentRevision();
  }

  compactedRevision(): Promise<number> {
    return this.inner.compactedRevision();
  }

  compact(revision: number): Promise<void> {
    return this.inner.compact(revision);
  }

  requestProgress(): void {
    this.inner.requestProgress?.();
  }

  /** The shared storage is closed by the server, not by a version's view of it. */
  async close(): Promise<void> {}
}
