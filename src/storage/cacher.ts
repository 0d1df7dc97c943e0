// The watch cache (kube-apiserver's cacher), one per resource prefix: current objects plus a
// window of recent events, fed by one storage watch. See cacher-types.ts for the contract.
import { badRequest, expired, timeout } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import type {
  CachedObject,
  CacheEvent,
  CacheListOptions,
  CacheListResult,
  CacheSelection,
  CacheWatchHandler,
  WatchCacheApi,
} from './cacher-types.js';
import { continueTooOld, decodeContinue, encodeContinue } from './continue-token.js';
import { EventWindow } from './event-window.js';
import { SortedKeys } from './sorted-keys.js';
import { CompactedError, type Disposable, type KV, type Storage, type WatchEvent } from './types.js';

export interface WatchCacheOptions {
  /** Bytes → object, with metadata.resourceVersion set to String(kv.modRevision). */
  decode(kv: KV): KubeObject;
  /** Events kept for watches that resume from a revision (default 10000). */
  windowSize?: number;
  /** How often watchers that take bookmarks get one (default 60 s, as upstream's about-a-minute). */
  bookmarkIntervalMs?: number;
}

interface Watcher {
  selection: CacheSelection;
  handler: CacheWatchHandler;
  /** Only events with a revision above this are delivered (the watch's starting point). */
  after: number;
}

/** How long a read waits for the cache to reach a requested revision (upstream: 3 s, then 504). */
const WAIT_FOR_REVISION_MS = 3000;
const DEFAULT_WINDOW = 10_000;
const DEFAULT_BOOKMARK_MS = 60_000;

function cached(key: string, obj: KubeObject, modRevision: number): CachedObject {
  let json: string | undefined;
  return { key, obj, modRevision, json: () => (json ??= JSON.stringify(obj)) };
}

const inSelection = (sel: CacheSelection, o: CachedObject | undefined): o is CachedObject =>
  o !== undefined &&
  (!sel.keyPrefix || o.key.startsWith(sel.keyPrefix)) &&
  (!sel.matches || sel.matches(o.obj));

export class WatchCache implements WatchCacheApi {
  private readonly objects = new Map<string, CachedObject>();
  private readonly sorted = new SortedKeys();
  private readonly window: EventWindow;
  /** Everything up to this revision has been applied. */
  private revision = 0;
  private readonly watchers = new Set<Watcher>();
  private storageWatch: Disposable | undefined;
  private bookmarkTimer: NodeJS.Timeout | undefined;
  private revisionWaiters: { rev: number; resolve: () => void }[] = [];
  private loading: Promise<void> | undefined;
  private disposed = false;

  constructor(
    private readonly storage: Storage,
    private readonly prefix: string,
    private readonly opts: WatchCacheOptions,
  ) {
    this.window = new EventWindow(opts.windowSize ?? DEFAULT_WINDOW);
  }

  /** Lists the prefix once and starts following storage; idempotent. */
  start(): Promise<void> {
    this.loading ??= this.load();
    return this.loading;
  }

  ready(): Promise<void> {
    return this.start();
  }

  /** Number of cached objects. */
  size(): number {
    return this.objects.size;
  }

  private async load(): Promise<void> {
    const { kvs, revision } = await this.storage.list(this.prefix);
    if (this.disposed) return;
    this.objects.clear();
    for (const kv of kvs) this.objects.set(kv.key, cached(kv.key, this.opts.decode(kv), kv.modRevision));
    this.sorted.reset(this.objects.keys());
    this.revision = revision;
    this.window.reset(revision);
    // storage replays anything written since the list, so nothing falls in between
    this.storageWatch = this.storage.watch(this.prefix, revision, {
      onEvents: (events) => this.apply(events),
      onProgress: (rev) => this.advance(rev),
      onError: (err) => this.relist(err),
    });
    clearInterval(this.bookmarkTimer);
    this.bookmarkTimer = setInterval(
      () => this.bookmarkAll(),
      this.opts.bookmarkIntervalMs ?? DEFAULT_BOOKMARK_MS,
    );
    this.bookmarkTimer.unref();
    this.wakeWaiters();
  }

  /**
   * The storage watch broke (compaction overtook it): end every watcher, as upstream's cacher
   * does when it re-lists, and load afresh. Clients re-watch and, if too far behind, re-list.
   */
  private relist(err: Error): void {
    if (this.disposed) return;
    if (!(err instanceof CompactedError))
      console.error(`watch cache ${this.prefix}: storage watch failed:`, err);
    this.storageWatch?.dispose();
    const gone = expired('The resourceVersion for the provided watch is too old.');
    for (const w of this.watchers) w.handler.onError(gone);
    this.watchers.clear();
    this.loading = this.load();
  }

  private apply(events: WatchEvent[]): void {
    for (const ev of events) {
      const key = ev.kv.key;
      const rev = ev.kv.modRevision;
      const prev = this.objects.get(key);
      // a DELETED event carries the last state, its resourceVersion being the delete's revision
      const obj = cached(key, this.opts.decode(ev.kv), rev);
      let type: CacheEvent['type'];
      if (ev.type === 'delete') {
        type = 'DELETED';
        this.objects.delete(key);
        this.sorted.remove(key);
      } else {
        type = prev ? 'MODIFIED' : 'ADDED';
        this.objects.set(key, obj);
        if (!prev) this.sorted.insert(key);
      }
      const event: CacheEvent = prev
        ? { type, object: obj, prev, revision: rev }
        : { type, object: obj, revision: rev };
      this.window.push(event);
      this.revision = rev;
      for (const w of this.watchers) this.deliver(w, event);
    }
    this.wakeWaiters();
  }

  private advance(rev: number): void {
    if (rev > this.revision) this.revision = rev;
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    if (!this.revisionWaiters.length) return;
    const still: typeof this.revisionWaiters = [];
    for (const w of this.revisionWaiters) {
      if (w.rev <= this.revision) w.resolve();
      else still.push(w);
    }
    this.revisionWaiters = still;
  }

  /** Upstream's filtering: an update that leaves the selection is DELETED, one that enters it ADDED. */
  private deliver(w: Watcher, ev: CacheEvent): void {
    if (ev.revision <= w.after) return;
    if (ev.type === 'DELETED') {
      if (inSelection(w.selection, ev.prev ?? ev.object)) w.handler.onEvent(ev);
      return;
    }
    const now = inSelection(w.selection, ev.object);
    const before = inSelection(w.selection, ev.prev);
    if (now && before) w.handler.onEvent(ev);
    else if (now) w.handler.onEvent(ev.type === 'ADDED' ? ev : { ...ev, type: 'ADDED' });
    else if (before) w.handler.onEvent({ ...ev, type: 'DELETED' });
  }

  private bookmarkAll(): void {
    for (const w of this.watchers) w.handler.onBookmark?.(this.revision);
  }

  get(key: string): CachedObject | undefined {
    return this.objects.get(key);
  }

  currentRevision(): number {
    return this.revision;
  }

  waitForRevision(revision: number, timeoutMs = WAIT_FOR_REVISION_MS): Promise<void> {
    if (revision <= this.revision || this.disposed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.revisionWaiters = this.revisionWaiters.filter((w) => w.resolve !== done);
        reject(timeout(`Too large resource version: ${revision}, current: ${this.revision}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.revisionWaiters.push({ rev: revision, resolve: done });
      // a backend whose watch only hears its own prefix must be asked how far it has come
      this.storage.requestProgress?.();
    });
  }

  async list(opts: CacheListOptions): Promise<CacheListResult> {
    await this.start();
    const rv = opts.resourceVersion ?? '';
    const keyPrefix = opts.keyPrefix ?? this.prefix;
    if (opts.continueToken) {
      if (rv !== '' && rv !== '0')
        throw badRequest('specifying resource version is not allowed when using continue');
      const pos = decodeContinue(opts.continueToken, keyPrefix);
      // a negative revision asks for the rest of the list as it is now
      if (pos.revision > 0) await this.waitForRevision(pos.revision);
      if (pos.revision < 0 || pos.revision === this.revision) return this.listCached(opts, pos.startKey);
      return this.listStored(opts, pos.revision, pos.startKey, true);
    }
    if (rv === '') {
      // a consistent read: everything storage has committed must be in the answer. If the cache
      // does not catch up in time (etcd's progress answer late), the read goes to storage, as
      // upstream's consistent reads from cache fall back to etcd.
      const current = await this.storage.currentRevision();
      try {
        await this.waitForRevision(current);
      } catch (err) {
        if (this.disposed) throw err;
        return this.listStored(opts, current, keyPrefix, false);
      }
    } else if (rv !== '0') {
      const n = parseRevision(rv);
      await this.waitForRevision(n);
      // with a limit and no match, a resourceVersion is exact (upstream's legacy semantics)
      const exact =
        opts.resourceVersionMatch === 'Exact' ||
        (opts.resourceVersionMatch === undefined && (opts.limit ?? 0) > 0);
      if (exact && n !== this.revision) return this.listStored(opts, n, keyPrefix, false);
    }
    return this.listCached(opts, keyPrefix);
  }

  /** A page from memory, at the cache's revision, starting at startKey (inclusive). */
  private listCached(opts: CacheListOptions, startKey: string): CacheListResult {
    const scope = opts.keyPrefix ?? this.prefix;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const keys = this.sorted;
    const items: CachedObject[] = [];
    let i = keys.lowerBound(startKey > scope ? startKey : scope);
    for (; i < keys.length && items.length < limit; i++) {
      const key = keys.at(i);
      if (!key.startsWith(scope)) break;
      const o = this.objects.get(key)!;
      if (!opts.matches || opts.matches(o.obj)) items.push(o);
    }
    const result: CacheListResult = { items, revision: this.revision };
    // more may follow only if the limit stopped us before the end of the scope
    if (items.length === limit && i < keys.length && keys.at(i).startsWith(scope)) {
      result.continueToken = encodeContinue(items[items.length - 1].key, scope, this.revision);
      // as upstream, a count is only given when it is exact (no selector filtering)
      if (!opts.matches) {
        let remaining = 0;
        for (let j = i; j < keys.length && keys.at(j).startsWith(scope); j++) remaining++;
        result.remainingItemCount = remaining;
      }
    }
    return result;
  }

  /** A page at a revision the cache has moved past (or never had): read it from storage. */
  private async listStored(
    opts: CacheListOptions,
    revision: number,
    startKey: string,
    continuing: boolean,
  ): Promise<CacheListResult> {
    const scope = opts.keyPrefix ?? this.prefix;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const items: CachedObject[] = [];
    // tokens we make start just after a key (key + "\0"); storage pages start after a key
    let after = startKey.endsWith('\u0000') ? startKey.slice(0, -1) : startKey > scope ? startKey : '';
    let more = false;
    let remaining = 0;
    try {
      do {
        const page = await this.storage.list(scope, {
          revision,
          afterKey: after,
          limit: limit && limit - items.length,
        });
        for (const kv of page.kvs) {
          const o = cached(kv.key, this.opts.decode(kv), kv.modRevision);
          if (!opts.matches || opts.matches(o.obj)) items.push(o);
          after = kv.key;
        }
        more = page.more;
        remaining = page.remaining;
      } while (more && limit > 0 && items.length < limit);
    } catch (err) {
      if (!(err instanceof CompactedError)) throw err;
      throw continuing ? continueTooOld() : expired('The resourceVersion for the provided list is too old.');
    }
    const result: CacheListResult = { items, revision };
    if (more && items.length) {
      result.continueToken = encodeContinue(items[items.length - 1].key, scope, revision);
      if (!opts.matches) result.remainingItemCount = remaining;
    }
    return result;
  }

  watch(fromRevision: number, selection: CacheSelection, handler: CacheWatchHandler): Disposable {
    if (this.disposed) return { dispose: () => undefined };
    const w: Watcher = { selection, handler, after: fromRevision };
    if (fromRevision === 0) {
      // "from any revision": the current state as ADDED events, then changes after it
      w.after = this.revision;
      for (let i = 0; i < this.sorted.length; i++) {
        const o = this.objects.get(this.sorted.at(i))!;
        if (inSelection(selection, o)) handler.onEvent({ type: 'ADDED', object: o, revision: o.modRevision });
      }
    } else {
      const oldest = this.window.resumableFrom();
      if (fromRevision < oldest) {
        queueMicrotask(() =>
          handler.onError(expired(`too old resource version: ${fromRevision} (${oldest})`)),
        );
        return { dispose: () => undefined };
      }
      for (const ev of this.window.since(fromRevision)) this.deliver(w, ev);
    }
    this.watchers.add(w);
    return { dispose: () => this.watchers.delete(w) };
  }

  /** Stops following storage and ends every watcher silently (no further calls). */
  dispose(): void {
    this.disposed = true;
    this.storageWatch?.dispose();
    clearInterval(this.bookmarkTimer);
    this.watchers.clear();
    for (const w of this.revisionWaiters) w.resolve();
    this.revisionWaiters = [];
  }
}

function parseRevision(rv: string): number {
  if (!/^\d+$/.test(rv))
    throw badRequest(`invalid resource version: strconv.ParseUint: parsing "${rv}": invalid syntax`);
  return Number(rv);
}
