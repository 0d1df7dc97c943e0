// The watch cache (kube-apiserver's cacher), one per resource prefix: current objects plus a
// ring of recent events, fed by one storage watch. See cacher-types.ts for the contract.
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
import { CompactedError, type Disposable, type KV, type Storage, type WatchEvent } from './types.js';

export interface WatchCacheOptions {
  decode(kv: KV): KubeObject;
  /** Events kept for watches that resume from a revision (upstream keeps 100-ish; we keep more, it's cheap). */
  windowSize?: number;
  bookmarkIntervalMs?: number;
}

interface Watcher {
  selection: CacheSelection;
  handler: CacheWatchHandler;
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

/** How long a list waits for the cache to reach a requested revision (upstream: 3 s, then 504). */
const WAIT_FOR_REVISION_MS = 3000;

function cached(key: string, obj: KubeObject, modRevision: number): CachedObject {
  let json: string | undefined;
  return { key, obj, modRevision, json: () => (json ??= JSON.stringify(obj)) };
}

export class WatchCache implements WatchCacheApi {
  private readonly objects = new Map<string, CachedObject>();
  private sortedKeys: string[] | undefined;
  private readonly window: CacheEvent[] = [];
  private readonly windowSize: number;
  /** The oldest revision a watch can resume from (events after it are all in the window). */
  private windowStart = 0;
  private revision = 0;
  private readonly watchers = new Set<Watcher>();
  private storageWatch: Disposable | undefined;
  private bookmarkTimer: NodeJS.Timeout | undefined;
  private revisionWaiters: { rev: number; resolve: () => void }[] = [];
  private readyPromise: Promise<void> | undefined;
  private disposed = false;

  constructor(
    private readonly storage: Storage,
    private readonly prefix: string,
    private readonly opts: WatchCacheOptions,
  ) {
    this.windowSize = opts.windowSize ?? 10_000;
  }

  start(): Promise<void> {
    this.readyPromise ??= this.load();
    return this.readyPromise;
  }

  ready(): Promise<void> {
    return this.start();
  }

  size(): number {
    return this.objects.size;
  }

  private async load(): Promise<void> {
    const { kvs, revision } = await this.storage.list(this.prefix);
    for (const kv of kvs) this.objects.set(kv.key, cached(kv.key, this.opts.decode(kv), kv.modRevision));
    this.sortedKeys = undefined;
    this.revision = revision;
    this.windowStart = revision;
    this.storageWatch = this.storage.watch(this.prefix, revision, {
      onEvents: (events) => this.apply(events),
      onProgress: (rev) => this.advance(rev),
      onError: (err) => this.restart(err),
    });
    const every = this.opts.bookmarkIntervalMs ?? 60_000;
    this.bookmarkTimer = setInterval(() => this.bookmarkAll(), every);
    this.bookmarkTimer.unref();
  }

  /** The storage watch broke (compaction overtook us): reload from a fresh list. */
  private restart(err: Error): void {
    if (this.disposed) return;
    void err;
    this.storageWatch?.dispose();
    clearInterval(this.bookmarkTimer);
    for (const w of this.watchers) w.handler.onError(expired('the watch cache was reset; please list again'));
    this.watchers.clear();
    this.objects.clear();
    this.window.length = 0;
    this.readyPromise = this.load();
  }

  private apply(events: WatchEvent[]): void {
    for (const ev of events) {
      const key = ev.kv.key;
      const rev = ev.kv.modRevision;
      const prev = this.objects.get(key);
      let event: CacheEvent;
      if (ev.type === 'delete') {
        const last = this.opts.decode({ ...ev.kv });
        const obj = cached(key, last, rev);
        this.objects.delete(key);
        this.sortedKeys = undefined;
        event = { type: 'DELETED', object: obj, revision: rev };
        if (prev) event.prev = prev;
      } else {
        const obj = cached(key, this.opts.decode(ev.kv), rev);
        if (!prev) this.sortedKeys = undefined;
        this.objects.set(key, obj);
        event = { type: prev ? 'MODIFIED' : 'ADDED', object: obj, revision: rev };
        if (prev) event.prev = prev;
      }
      this.window.push(event);
      if (this.window.length > this.windowSize) {
        const dropped = this.window.shift()!;
        this.windowStart = dropped.revision;
      }
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

  private inSelection(sel: CacheSelection, o: CachedObject | undefined): boolean {
    if (!o) return false;
    if (sel.keyPrefix && !o.key.startsWith(sel.keyPrefix)) return false;
    return !sel.matches || sel.matches(o.obj);
  }

  /** Upstream's filtering: leaving the selection is DELETED, entering it is ADDED. */
  private deliver(w: Watcher, ev: CacheEvent): void {
    if (ev.type === 'DELETED') {
      if (this.inSelection(w.selection, ev.prev ?? ev.object)) w.handler.onEvent(ev);
      return;
    }
    const now = this.inSelection(w.selection, ev.object);
    const before = this.inSelection(w.selection, ev.prev);
    if (now && before) w.handler.onEvent(ev);
    else if (now) w.handler.onEvent({ ...ev, type: 'ADDED' });
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
    if (revision <= this.revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.revisionWaiters = this.revisionWaiters.filter((w) => w.resolve !== done);
        reject(timeout(`Too large resource version: ${revision}, current: ${this.revision}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(t);
        resolve();
      };
      this.revisionWaiters.push({ rev: revision, resolve: done });
    });
  }

  private keys(): string[] {
    this.sortedKeys ??= [...this.objects.keys()].sort();
    return this.sortedKeys;
  }

  async list(opts: CacheListOptions): Promise<CacheListResult> {
    await this.start();
    let token: ContinueToken | undefined;
    if (opts.continueToken) token = decodeContinue(opts.continueToken);
    const rv = opts.resourceVersion;
    if (token) {
      if (token.rv !== this.revision) return this.listFromStorage(opts, token.rv, this.prefix + token.start);
    } else if (rv === undefined || rv === '') {
      await this.waitForRevision(await this.storage.currentRevision());
    } else if (rv !== '0') {
      const n = Number(rv);
      if (opts.resourceVersionMatch === 'Exact' && n !== this.revision)
        return this.listFromStorage(opts, n, '');
      await this.waitForRevision(n);
    }
    const keys = this.keys();
    let i = 0;
    if (token) i = lowerBound(keys, this.prefix + token.start);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items: CachedObject[] = [];
    const scope = opts.keyPrefix;
    if (scope) i = Math.max(i, lowerBound(keys, scope));
    for (; i < keys.length && items.length < limit; i++) {
      const key = keys[i];
      if (scope && !key.startsWith(scope)) break;
      const o = this.objects.get(key)!;
      if (!opts.matches || opts.matches(o.obj)) items.push(o);
    }
    const result: CacheListResult = { items, revision: this.revision };
    // more matching items may follow only if we stopped on the limit before the end of scope
    if (items.length === limit && i < keys.length && (!scope || keys[i].startsWith(scope))) {
      const last = items[items.length - 1].key;
      result.continueToken = encodeContinue(this.revision, last.slice(this.prefix.length) + '\u0000');
      if (!opts.matches) {
        let remaining = 0;
        for (let j = i; j < keys.length && (!scope || keys[j].startsWith(scope)); j++) remaining++;
        result.remainingItemCount = remaining;
      }
    }
    return result;
  }

  /** A page at a revision the cache has moved past: read it from storage. */
  private async listFromStorage(
    opts: CacheListOptions,
    revision: number,
    startKey: string,
  ): Promise<CacheListResult> {
    const scope = opts.keyPrefix ?? this.prefix;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const items: CachedObject[] = [];
    let after = startKey.endsWith('\u0000') ? startKey.slice(0, -1) : startKey;
    let more = true;
    try {
      while (more && (limit === 0 || items.length < limit)) {
        const page = await this.storage.list(scope, {
          revision,
          afterKey: after,
          limit: limit ? limit - items.length : 0,
        });
        for (const kv of page.kvs) {
          const o = cached(kv.key, this.opts.decode(kv), kv.modRevision);
          if (!opts.matches || opts.matches(o.obj)) items.push(o);
          after = kv.key;
        }
        more = page.more;
        if (!limit) break;
      }
    } catch (err) {
      if (err instanceof CompactedError) {
        throw opts.continueToken
          ? expired(
              'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
            )
          : expired(`The resourceVersion for the provided list is too old.`);
      }
      throw err;
    }
    const result: CacheListResult = { items, revision };
    if (more && items.length)
      result.continueToken = encodeContinue(revision, after.slice(this.prefix.length) + '\u0000');
    return result;
  }

  watch(fromRevision: number, selection: CacheSelection, handler: CacheWatchHandler): Disposable {
    const w: Watcher = { selection, handler };
    if (fromRevision === 0) {
      for (const key of this.keys()) {
        const o = this.objects.get(key)!;
        if (this.inSelection(selection, o))
          handler.onEvent({ type: 'ADDED', object: o, revision: o.modRevision });
      }
    } else if (fromRevision < this.windowStart) {
      queueMicrotask(() =>
        handler.onError(expired(`too old resource version: ${fromRevision} (${this.windowStart + 1})`)),
      );
      return { dispose: () => undefined };
    } else {
      for (const ev of this.window) if (ev.revision > fromRevision) this.deliver(w, ev);
    }
    this.watchers.add(w);
    return { dispose: () => this.watchers.delete(w) };
  }

  dispose(): void {
    this.disposed = true;
    this.storageWatch?.dispose();
    clearInterval(this.bookmarkTimer);
    this.watchers.clear();
    for (const w of this.revisionWaiters) w.resolve();
    this.revisionWaiters = [];
  }
}

function lowerBound(keys: string[], target: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Partial<ContinueToken>;
    if (t.v !== 'meta.k8s.io/v1') throw new Error('bad version');
    if (
      typeof t.rv !== 'number' ||
      typeof t.start !== 'string' ||
      t.start.includes('..') ||
      t.start.startsWith('/')
    )
      throw new Error('bad token');
    return t as ContinueToken;
  } catch {
    throw badRequest(
      `continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`,
    );
  }
}
