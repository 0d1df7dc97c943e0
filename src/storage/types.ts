// The storage contract: etcd's semantics, small enough to hold in your head. Every backend
// (sqlite, etcd) passes one shared test suite (test/unit/storage/*); nothing above this file
// knows which backend runs.
//
// Revisions: one global counter, starting at 1 for the first write, +1 per write (create,
// update or delete). A key's modRevision is the revision of the write that last touched it;
// createRevision the revision that created it.

/** A stored key and its value at some revision. Values are opaque bytes (JSON above us). */
export interface KV {
  key: string;
  value: Uint8Array;
  createRevision: number;
  modRevision: number;
  /**
   * Set by encryption at rest when the value was read with a provider or key other than the one
   * writes use: an update must rewrite it even when the object did not change (upstream's stale).
   */
  stale?: boolean;
}

export interface WatchEvent {
  type: 'put' | 'delete';
  /** For put: the new value. For delete: the key with the last value it held; modRevision = the delete's revision. */
  kv: KV;
  /** The value before this event (absent for a create). */
  prevKv?: KV;
  /** true when a put created the key. */
  created: boolean;
}

export interface ListOptions {
  /** Return at most this many KVs (0 or absent = all). */
  limit?: number;
  /** Start strictly after this key (for pagination; the last key of the previous page). */
  afterKey?: string;
  /** Read at this revision (must not be compacted); absent = current. */
  revision?: number;
}

export interface ListResult {
  kvs: KV[];
  /** The revision the list was read at. */
  revision: number;
  /** True when more keys follow the last returned one. */
  more: boolean;
  /** How many keys follow the last returned one (when more). */
  remaining: number;
}

export interface WatchHandler {
  /** Events in revision order, possibly batched; each batch is one or more whole writes. */
  onEvents(events: WatchEvent[]): void;
  /** The watch ended abnormally (e.g. CompactedError); no further calls. */
  onError(err: Error): void;
  /** Everything up to revision has been delivered (writes elsewhere moved the revision on). */
  onProgress?(revision: number): void;
}

export interface Disposable {
  dispose(): void;
}

export interface Storage {
  get(key: string): Promise<KV | undefined>;
  /** Keys starting with prefix, ascending by key. Throws CompactedError if revision is compacted. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Number of keys under prefix. */
  count(prefix: string): Promise<number>;
  /** Creates key; throws KeyExistsError if present. Returns the new revision. */
  create(key: string, value: Uint8Array): Promise<number>;
  /** Replaces key if its modRevision equals expected; else throws RevisionMismatchError (with the current KV) or KeyNotFoundError. */
  update(key: string, value: Uint8Array, expectedModRevision: number): Promise<number>;
  /** Deletes key (if expectedModRevision given, only at that revision). Returns the deleted KV with modRevision = the delete's revision. */
  delete(key: string, expectedModRevision?: number): Promise<KV>;
  /**
   * Streams every write under prefix with revision > afterRevision, then live writes.
   * If afterRevision < compactedRevision(), onError(CompactedError) is called (asynchronously).
   */
  watch(prefix: string, afterRevision: number, handler: WatchHandler): Disposable;
  currentRevision(): Promise<number>;
  /** The oldest revision still readable / watchable from (history before it is gone). */
  compactedRevision(): Promise<number>;
  /** Discards history at and before revision (current values are kept). */
  compact(revision: number): Promise<void>;
  /**
   * Asks for onProgress on every watch soon, with the current revision (etcd's
   * RequestWatchProgress). For backends whose watches only hear about their own prefix; one
   * that reports progress on every write anyway (sqlite) leaves it out.
   */
  requestProgress?(): void;
  close(): Promise<void>;
}

export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
  }
}

export class KeyNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
  }
}

export class RevisionMismatchError extends Error {
  constructor(
    readonly key: string,
    readonly current: KV,
  ) {
    super(`revision mismatch on ${key}`);
  }
}

export class CompactedError extends Error {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`required revision ${requested} has been compacted (oldest is ${compacted})`);
  }
}

/** The backend refuses a value this large (etcd: 1.5 MiB per request by default). */
export class ValueTooLargeError extends Error {}
