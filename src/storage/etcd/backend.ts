// The etcd backend (etcd v3 API through the `etcd3` client): the storage contract maps onto
// etcd one to one, as kube-apiserver's etcd3 store does it. Revisions are etcd's own; create
// and guarded update/delete are transactions on create_revision / mod_revision; watches ask
// for previous values and progress notifications. etcd does not say how far it has been
// compacted, so we remember what we compacted and learn the rest from etcd's refusals.
import type { Etcd3, IKeyValue, IOptions } from 'etcd3';
import { etcd3 } from '../../etcd/load.js';
import {
  CompactedError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionMismatchError,
  ValueTooLargeError,
  type Disposable,
  type KV,
  type ListOptions,
  type ListResult,
  type Storage,
  type WatchEvent,
  type WatchHandler,
} from '../types.js';
import { prefixEnd } from './keys.js';
import { hostBreaker } from './host-breaker.js';
import { WatchStream, type StreamWatch } from './watch-stream.js';
import { logger } from '../../util/log.js';

const log = logger('etcd');

export interface EtcdOptions {
  endpoints: string[];
  /** PEM contents (not paths) of the CA, client certificate and key. */
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** etcd's --max-request-bytes (default 1.5 MiB); larger writes are refused before sending. */
  maxRequestBytes?: number;
}

const ETCD_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
const PROGRESS_COALESCE_MS = 25;

const COMPACTED = /required revision has been compacted/;
/** etcd's own limit (--max-request-bytes), or its gRPC server's message limit just above it */
const TOO_LARGE = /request is too large|received message larger than max/;

const buf = (s: string) => Buffer.from(s, 'utf8');
const rev = (s: string | number | undefined) => Number(s ?? 0);

function toKV(kv: IKeyValue): KV {
  return {
    key: kv.key.toString('utf8'),
    value: kv.value ?? Buffer.alloc(0),
    createRevision: rev(kv.create_revision),
    modRevision: rev(kv.mod_revision),
  };
}

export class EtcdStorage implements Storage {
  private readonly client: Etcd3;
  /** The newest compaction we know of (ours, or one etcd told us about). */
  private compacted = 0;
  private readonly probed: Promise<void>;
  private readonly stream: WatchStream;
  private readonly maxRequestBytes: number;

  constructor(opts: EtcdOptions) {
    const options: IOptions = { hosts: opts.endpoints, faultHandling: { host: (h) => hostBreaker(h) } };
    if (opts.ca) {
      options.credentials = { rootCertificate: opts.ca };
      if (opts.cert && opts.key) {
        options.credentials.certChain = opts.cert;
        options.credentials.privateKey = opts.key;
      }
    }
    this.client = new (etcd3().Etcd3)(options);
    this.stream = new WatchStream(this.client.watchClient);
    this.maxRequestBytes = opts.maxRequestBytes ?? ETCD_MAX_REQUEST_BYTES;
    this.probed = this.probeCompacted().catch(() => undefined);
  }

  /**
   * Refuses what etcd would refuse for size: sending it would fail on etcd's gRPC limit, which
   * the client takes for a sick host (its circuit breaker opens for every request).
   */
  private checkSize(key: string, value: Uint8Array): void {
    if (Buffer.byteLength(key) + value.length > this.maxRequestBytes)
      throw new ValueTooLargeError('etcdserver: request is too large');
  }

  /** Translates etcd's refusals into the contract's errors. */
  private async call<T>(op: () => Promise<T>, requested?: number): Promise<T> {
    try {
      return await op();
    } catch (err) {
      const msg = String((err as Error)?.message ?? err);
      if (COMPACTED.test(msg)) {
        await this.probeCompacted();
        throw new CompactedError(requested ?? 0, this.compacted);
      }
      if (TOO_LARGE.test(msg)) throw new ValueTooLargeError(msg);
      throw err;
    }
  }

  /** The oldest readable revision: the smallest r that etcd can still read at (binary search). */
  private async probeCompacted(): Promise<void> {
    const readable = async (r: number) => {
      try {
        await this.client.kv.range({ key: buf('\0'), count_only: true, revision: r });
        return true;
      } catch (err) {
        if (COMPACTED.test(String((err as Error)?.message))) return false;
        throw err;
      }
    };
    const current = await this.currentRevision();
    let lo = Math.max(1, this.compacted);
    if (await readable(lo)) {
      if (lo === 1) this.compacted = Math.max(this.compacted, 0);
      return;
    }
    let hi = current;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (await readable(mid)) hi = mid;
      else lo = mid + 1;
    }
    this.compacted = Math.max(this.compacted, lo);
  }

  async get(key: string): Promise<KV | undefined> {
    const res = await this.call(() => this.client.kv.range({ key: buf(key) }));
    return res.kvs[0] ? toKV(res.kvs[0]) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const start = opts.afterKey !== undefined ? `${opts.afterKey}\0` : prefix;
    const res = await this.call(
      () =>
        this.client.kv.range({
          key: buf(start),
          range_end: prefixEnd(prefix),
          limit: opts.limit ?? 0,
          revision: opts.revision ?? 0,
        }),
      opts.revision,
    );
    const kvs = res.kvs.map(toKV);
    const total = rev((res as { count?: string }).count);
    return {
      kvs,
      revision: opts.revision ?? rev(res.header.revision),
      more: res.more,
      remaining: res.more ? Math.max(0, total - kvs.length) : 0,
    };
  }

  async count(prefix: string): Promise<number> {
    const res = await this.call(() =>
      this.client.kv.range({ key: buf(prefix), range_end: prefixEnd(prefix), count_only: true }),
    );
    return rev((res as { count?: string }).count);
  }

  async create(key: string, value: Uint8Array): Promise<number> {
    this.checkSize(key, value);
    const k = buf(key);
    const res = await this.call(() =>
      this.client.kv.txn({
        compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: k, value: Buffer.from(value) } }],
        failure: [],
      }),
    );
    if (!res.succeeded) throw new KeyExistsError(key);
    return rev(res.header.revision);
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<number> {
    this.checkSize(key, value);
    const k = buf(key);
    const res = await this.call(() =>
      this.client.kv.txn({
        compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expectedModRevision }],
        success: [{ request_put: { key: k, value: Buffer.from(value) } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (res.succeeded) return rev(res.header.revision);
    throw this.mismatch(key, res.responses[0]?.response_range?.kvs ?? []);
  }

  private mismatch(key: string, current: IKeyValue[]): Error {
    return current[0] ? new RevisionMismatchError(key, toKV(current[0])) : new KeyNotFoundError(key);
  }

  async delete(key: string, expectedModRevision?: number): Promise<KV> {
    const k = buf(key);
    const compare =
      expectedModRevision === undefined
        ? [{ key: k, target: 'Create' as const, result: 'Greater' as const, create_revision: 0 }]
        : [{ key: k, target: 'Mod' as const, result: 'Equal' as const, mod_revision: expectedModRevision }];
    const res = await this.call(() =>
      this.client.kv.txn({
        compare,
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw this.mismatch(key, res.responses[0]?.response_range?.kvs ?? []);
    const prev = res.responses[0]?.response_delete_range?.prev_kvs?.[0];
    if (!prev) throw new KeyNotFoundError(key);
    return { ...toKV(prev), modRevision: rev(res.header.revision) };
  }

  watch(prefix: string, afterRevision: number, handler: WatchHandler): Disposable {
    let done = false;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      this.stream.remove(w);
      handler.onError(err);
    };
    const w: StreamWatch = {
      prefix,
      nextRevision: afterRevision + 1,
      onEvents: (events) => {
        if (!done) handler.onEvents(events.map((e) => toEvent(e as RawEvent)));
      },
      onProgress: (revision) => {
        if (!done) handler.onProgress?.(revision);
      },
      onCanceled: (compactRevision, reason) => {
        if (compactRevision > 0) {
          this.compacted = Math.max(this.compacted, compactRevision);
          fail(new CompactedError(afterRevision, this.compacted));
        } else fail(new Error(`etcd ended the watch: ${reason}`));
      },
    };
    void this.probed.then(() => {
      if (done) return;
      if (afterRevision < this.compacted) return fail(new CompactedError(afterRevision, this.compacted));
      this.stream.add(w);
    });
    return {
      dispose: () => {
        done = true;
        this.stream.remove(w);
      },
    };
  }

  private progressTimer: NodeJS.Timeout | undefined;
  private progressAgain = false;

  /**
   * Asks etcd for a progress answer on every watch (RequestWatchProgress), so that a watch
   * cache learns the current revision without a write under its own prefix. Requests within
   * PROGRESS_COALESCE_MS are folded into one more at the end of that window.
   */
  requestProgress(): void {
    if (this.progressTimer) {
      this.progressAgain = true;
      return;
    }
    this.stream.requestProgress();
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      if (this.progressAgain) {
        this.progressAgain = false;
        this.requestProgress();
      }
    }, PROGRESS_COALESCE_MS);
    this.progressTimer.unref();
  }

  async currentRevision(): Promise<number> {
    const res = await this.call(() => this.client.kv.range({ key: buf('\0'), count_only: true }));
    return rev(res.header.revision);
  }

  async compactedRevision(): Promise<number> {
    await this.probed;
    return this.compacted;
  }

  async compact(revision: number): Promise<void> {
    if (revision <= this.compacted) return;
    try {
      await this.client.kv.compact({ revision, physical: false });
    } catch (err) {
      // someone (another API server) compacted further already
      if (!COMPACTED.test(String((err as Error)?.message))) throw err;
    }
    this.compacted = Math.max(this.compacted, revision);
  }

  /**
   * Compacts on a timer, keeping `keepRevisions` of history (kube-apiserver compacts etcd
   * itself every --etcd-compaction-interval). With several API servers each compacts; a
   * compaction behind another's is a no-op.
   */
  startMaintenance(opts: { intervalMs: number; keepRevisions: number }): Disposable {
    const timer = setInterval(() => {
      void this.currentRevision()
        .then((current) => this.compact(current - opts.keepRevisions))
        .catch((err: unknown) => log.warn('etcd compaction failed', { error: String(err) }));
    }, opts.intervalMs);
    timer.unref();
    return { dispose: () => clearInterval(timer) };
  }

  async close(): Promise<void> {
    clearTimeout(this.progressTimer);
    this.stream.close();
    this.client.close();
  }
}

interface RawEvent {
  type: 'Put' | 'Delete';
  kv: IKeyValue;
  prev_kv?: IKeyValue;
}

function toEvent(e: RawEvent): WatchEvent {
  const kv = toKV(e.kv);
  const prevKv = e.prev_kv ? toKV(e.prev_kv) : undefined;
  if (e.type === 'Delete') {
    // etcd's delete event carries an empty value; the contract gives the last value held
    const last = prevKv ?? kv;
    return {
      type: 'delete',
      kv: { ...last, modRevision: kv.modRevision },
      ...(prevKv ? { prevKv } : {}),
      created: false,
    };
  }
  const out: WatchEvent = { type: 'put', kv, created: kv.createRevision === kv.modRevision };
  if (prevKv) out.prevKv = prevKv;
  return out;
}
