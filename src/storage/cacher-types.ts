// The watch cache contract (kube-apiserver's "cacher"): one per resource, above Storage. It
// holds current objects plus a window of recent events in memory and serves list and watch
// without touching storage. Objects are decoded once; their JSON text is kept for fast lists.
import type { KubeObject } from '../api/types.js';
import type { Disposable } from './types.js';

export interface CachedObject {
  key: string;
  /** Decoded object with metadata.resourceVersion set to String(modRevision). Never mutate. */
  obj: KubeObject;
  modRevision: number;
  /** JSON.stringify(obj), computed once and memoized. */
  json(): string;
}

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: CacheEventType;
  /** For DELETED: the last state, with resourceVersion = the delete's revision (as upstream). */
  object: CachedObject;
  /** The state before this event, when there was one. */
  prev?: CachedObject;
  revision: number;
}

/** Which objects a list/watch wants: a key prefix (e.g. a namespace) plus a predicate. */
export interface CacheSelection {
  /** Key prefix below the resource prefix, e.g. '/registry/pods/ns1/'; absent = all. */
  keyPrefix?: string;
  /** Label/field selector predicate; absent = everything. */
  matches?: (obj: KubeObject) => boolean;
}

export interface CacheListOptions extends CacheSelection {
  /**
   * Upstream resourceVersion semantics: undefined or '' = most recent (consistent: wait until the
   * cache has caught up with storage's current revision); '0' = whatever the cache holds;
   * a number with match 'Exact' = exactly that revision (only if in the window; else Expired error);
   * a number with match 'NotOlderThan' (the default for a number) = at least that revision.
   */
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  limit?: number;
  /** Opaque continue token from a previous page. */
  continueToken?: string;
}

export interface CacheListResult {
  items: CachedObject[];
  revision: number;
  /** Set when more items follow. */
  continueToken?: string;
  remainingItemCount?: number;
}

export interface CacheWatchHandler {
  /**
   * Filtered events: an update that makes an object stop matching arrives as DELETED, one that
   * makes it start matching as ADDED (upstream's cacher semantics).
   */
  onEvent(ev: CacheEvent): void;
  /** A bookmark: the watcher has seen everything up to revision (sent about once a minute or on demand). */
  onBookmark?(revision: number): void;
  /** Terminal error (e.g. revision too old: an Expired StatusError); no further calls. */
  onError(err: Error): void;
}

export interface WatchCacheApi extends Disposable {
  /** Completes once the initial list is loaded and the storage watch is running. */
  ready(): Promise<void>;
  get(key: string): CachedObject | undefined;
  list(opts: CacheListOptions): Promise<CacheListResult>;
  /**
   * Events with revision > fromRevision that match the selection. fromRevision 0 means "now,
   * with synthetic ADDED events for every current object first" (upstream's RV="0" watch).
   * A fromRevision older than the window gives onError(Expired: `too old resource version: X (Y)`).
   */
  watch(fromRevision: number, selection: CacheSelection, handler: CacheWatchHandler): Disposable;
  /** Resolves when the cache has applied revision (or rejects after timeoutMs). */
  waitForRevision(revision: number, timeoutMs?: number): Promise<void>;
  currentRevision(): number;
}
