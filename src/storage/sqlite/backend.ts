// SQLite storage with etcd's semantics, on better-sqlite3 (synchronous, one writer: this process).
//
// Current state and history are kept apart (docs/adr/0001): `kv` holds each key's current
// value and is all that gets and current lists read, so they never slow down as history grows;
// `log` holds one row per write (revision order) for watches and reads at a past revision.
// Every write is one transaction touching both. Compaction drops log rows that no readable
// revision needs, so the file stays proportional to live data plus the history window.
//
// Durability: WAL with synchronous=NORMAL. A committed transaction is in the WAL file (the
// OS page cache) before the call returns, so it survives the process being killed (kill -9);
// only an OS crash or power cut can lose the last transactions, as with etcd's batching.
//
// Group commit: writes made in one turn of the event loop share one transaction (each in its
// own savepoint, so a refused write undoes only itself), committed before the loop polls for
// I/O again (setImmediate). A write's promise settles, and watchers hear of it, only after that
// commit. Reads commit an open batch first, so they never see a write that could still fail.
// A commit costs far more than the rows it writes; at 50 concurrent creates this halves the
// storage time per write.
//
// The revision counter is not written per write: on open it is the newest log revision, or
// the compacted revision when compaction removed the newest rows (a trailing delete). Both
// are durable, so the counter never goes back, including across restarts.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  CompactedError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionMismatchError,
  type Disposable,
  type KV,
  type ListOptions,
  type ListResult,
  type Storage,
  type WatchEvent,
  type WatchHandler,
} from '../types.js';
import { prefixEnd } from './prefix.js';
import { SCHEMA } from './schema.js';
import { prepareStatements, type KVRow, type LogRow, type Statements } from './statements.js';

/** Writes waiting for their batch's commit. */
interface Batch {
  /** The revision before the batch's first write (restored if the commit fails). */
  fromRevision: number;
  events: WatchEvent[];
  settle: { resolve: (ev: WatchEvent) => void; reject: (err: unknown) => void }[];
}

interface Watcher {
  prefix: string;
  end: string;
  handler: WatchHandler;
  /** Events committed but not yet handed to the handler (delivered in one microtask batch). */
  pending: WatchEvent[];
  scheduled: boolean;
  closed: boolean;
}

export interface MaintenanceOptions {
  intervalMs: number;
  /** History kept behind the current revision; older revisions are compacted. */
  keepRevisions: number;
}

const toKV = (r: KVRow): KV => ({
  key: r.key,
  value: r.value,
  createRevision: r.create_rev,
  modRevision: r.mod_rev,
});

const countOf = (row: unknown): number => (row as { n: number | null }).n ?? 0;

export class SqliteStorage implements Storage {
  private rev: number;
  private compacted: number;
  private readonly watchers = new Set<Watcher>();
  private readonly stmt: Statements;
  /** Runs a function in one transaction (prepared once; better-sqlite3 nests as savepoints). */
  private readonly inTransaction: <T>(fn: () => T) => T;
  private batch: Batch | undefined;
  private readonly begin: Database.Statement;
  private readonly commit: Database.Statement;
  private readonly rollback: Database.Statement;

  private constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.stmt = prepareStatements(db);
    const txn = db.transaction((fn: () => unknown) => fn());
    this.inTransaction = <T>(fn: () => T): T => txn(fn) as T;
    this.begin = db.prepare('BEGIN');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.compacted = this.meta('compacted');
    // 'revision' is only present in databases written by an earlier version (it was kept per write)
    this.rev = Math.max(countOf(this.stmt.maxLogRev.get()), this.compacted, this.meta('revision'));
  }

  /** Opens (creating if needed) the database file; ':memory:' gives a throwaway store for tests. */
  static open(path: string): SqliteStorage {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    return new SqliteStorage(db);
  }

  private meta(name: string): number {
    const row = this.stmt.getMeta.get(name) as { value: number } | undefined;
    return row?.value ?? 0;
  }

  async get(key: string): Promise<KV | undefined> {
    this.flush();
    const row = this.stmt.get.get(key) as KVRow | undefined;
    return row ? toKV(row) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.flush();
    const end = prefixEnd(prefix);
    const after = opts.afterKey ?? '';
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const fetch = limit > 0 ? limit + 1 : -1; // one extra row tells whether more follow
    const revision = opts.revision;
    const past = revision !== undefined && revision > 0 && revision < this.rev;
    if (past && revision < this.compacted) throw new CompactedError(revision, this.compacted);
    let rows = (
      past
        ? this.stmt.listAt.all(prefix, after, end, revision, fetch)
        : this.stmt.list.all(prefix, after, end, fetch)
    ) as KVRow[];
    const more = limit > 0 && rows.length > limit;
    if (more) rows = rows.slice(0, limit);
    let remaining = 0;
    if (more) {
      const last = rows[rows.length - 1].key;
      remaining = countOf(
        past ? this.stmt.countAt.get(prefix, last, end, revision) : this.stmt.count.get(prefix, last, end),
      );
    }
    return { kvs: rows.map(toKV), revision: past ? revision : this.rev, more, remaining };
  }

  async count(prefix: string): Promise<number> {
    this.flush();
    return countOf(this.stmt.count.get(prefix, '', prefixEnd(prefix)));
  }

  /** One write: fn runs in the open batch at the next revision; settles after the batch's commit. */
  private write(fn: (rev: number) => WatchEvent): Promise<WatchEvent> {
    const batch = this.batch ?? this.openBatch();
    const rev = this.rev + 1;
    const ev = this.inTransaction(() => fn(rev)); // a savepoint: a throw undoes this write alone
    this.rev = rev;
    batch.events.push(ev);
    return new Promise((resolve, reject) => batch.settle.push({ resolve, reject }));
  }

  private openBatch(): Batch {
    this.begin.run();
    const batch: Batch = { fromRevision: this.rev, events: [], settle: [] };
    this.batch = batch;
    setImmediate(() => this.flush());
    return batch;
  }

  /** Commits the open batch (if any); then watchers hear of its writes and their callers get answers. */
  private flush(): void {
    const batch = this.batch;
    if (!batch) return;
    this.batch = undefined;
    try {
      this.commit.run();
    } catch (err) {
      if (this.db.inTransaction) this.rollback.run();
      this.rev = batch.fromRevision;
      for (const s of batch.settle) s.reject(err);
      return;
    }
    for (const ev of batch.events) this.notify(ev);
    batch.events.forEach((ev, i) => batch.settle[i].resolve(ev));
  }

  async create(key: string, value: Uint8Array): Promise<number> {
    const ev = await this.write((rev) => {
      if (this.stmt.get.get(key)) throw new KeyExistsError(key);
      const buf = Buffer.from(value);
      this.stmt.insertKV.run(key, buf, rev, rev);
      this.stmt.insertLog.run(rev, key, 0, buf, rev, null);
      return { type: 'put', kv: { key, value: buf, createRevision: rev, modRevision: rev }, created: true };
    });
    return ev.kv.modRevision;
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<number> {
    const ev = await this.write((rev) => {
      const cur = this.current(key, expectedModRevision);
      const buf = Buffer.from(value);
      this.stmt.updateKV.run(buf, rev, key);
      this.stmt.insertLog.run(rev, key, 0, buf, cur.create_rev, cur.mod_rev);
      return {
        type: 'put',
        kv: { key, value: buf, createRevision: cur.create_rev, modRevision: rev },
        prevKv: toKV(cur),
        created: false,
      };
    });
    return ev.kv.modRevision;
  }

  async delete(key: string, expectedModRevision?: number): Promise<KV> {
    const ev = await this.write((rev) => {
      const cur = this.current(key, expectedModRevision);
      this.stmt.deleteKV.run(key);
      this.stmt.insertLog.run(rev, key, 1, cur.value, cur.create_rev, cur.mod_rev);
      return {
        type: 'delete',
        kv: { key, value: cur.value, createRevision: cur.create_rev, modRevision: rev },
        prevKv: toKV(cur),
        created: false,
      };
    });
    return ev.kv;
  }

  /** The key's current row, checked against the expected mod revision (when given). */
  private current(key: string, expectedModRevision: number | undefined): KVRow {
    const cur = this.stmt.get.get(key) as KVRow | undefined;
    if (!cur) throw new KeyNotFoundError(key);
    if (expectedModRevision !== undefined && cur.mod_rev !== expectedModRevision) {
      throw new RevisionMismatchError(key, toKV(cur));
    }
    return cur;
  }

  watch(prefix: string, afterRevision: number, handler: WatchHandler): Disposable {
    this.flush();
    if (afterRevision < this.compacted) {
      const compacted = this.compacted;
      queueMicrotask(() => handler.onError(new CompactedError(afterRevision, compacted)));
      return { dispose: () => undefined };
    }
    const w: Watcher = {
      prefix,
      end: prefixEnd(prefix),
      handler,
      pending: [],
      scheduled: false,
      closed: false,
    };
    // History is read and the watcher registered in the same synchronous step, and writes are
    // synchronous too: no write can fall between the replay and the first live event.
    for (const row of this.stmt.logAfter.all(afterRevision, prefix, w.end) as LogRow[]) {
      w.pending.push(this.eventOf(row));
    }
    this.watchers.add(w);
    this.schedule(w);
    return {
      dispose: () => {
        w.closed = true;
        this.watchers.delete(w);
      },
    };
  }

  private eventOf(row: LogRow): WatchEvent {
    const kv: KV = { key: row.key, value: row.value, createRevision: row.create_rev, modRevision: row.rev };
    const ev: WatchEvent = { type: row.deleted ? 'delete' : 'put', kv, created: row.prev_rev === null };
    if (row.prev_rev !== null) {
      // a previous row that some revision still needs is never compacted (see statements.ts)
      const prev = this.stmt.logAt.get(row.prev_rev) as LogRow | undefined;
      if (prev) {
        ev.prevKv = {
          key: prev.key,
          value: prev.value,
          createRevision: prev.create_rev,
          modRevision: prev.rev,
        };
      }
    }
    if (row.deleted) ev.created = false;
    return ev;
  }

  private notify(ev: WatchEvent): void {
    const key = ev.kv.key;
    for (const w of this.watchers) {
      if (key >= w.prefix && key < w.end) w.pending.push(ev);
      // watchers of other prefixes still get a progress note (the revision moved on)
      this.schedule(w);
    }
  }

  private schedule(w: Watcher): void {
    if (w.scheduled) return;
    w.scheduled = true;
    queueMicrotask(() => {
      w.scheduled = false;
      if (w.closed) return;
      const batch = w.pending;
      w.pending = [];
      if (batch.length) w.handler.onEvents(batch);
      if (!w.closed) w.handler.onProgress?.(this.rev);
    });
  }

  async currentRevision(): Promise<number> {
    this.flush();
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    return this.compacted;
  }

  async compact(revision: number): Promise<void> {
    this.compactNow(revision);
  }

  private compactNow(revision: number): void {
    this.flush();
    const to = Math.min(revision, this.rev);
    const from = this.compacted;
    if (to <= from) return;
    this.inTransaction(() => {
      this.stmt.compactSuperseded.run(from, to);
      this.stmt.compactDeletes.run(from, to);
      this.stmt.setMeta.run('compacted', to);
    });
    this.compacted = to;
  }

  /**
   * Every intervalMs: compact to (current - keepRevisions) and truncate the WAL. TRUNCATE
   * waits for readers, but this process is the only one and better-sqlite3 is synchronous, so
   * there are none; it keeps the WAL file from staying at its high-water mark after a burst.
   */
  startMaintenance(opts: MaintenanceOptions): Disposable {
    const timer = setInterval(() => {
      try {
        this.compactNow(this.rev - opts.keepRevisions);
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      } catch (err) {
        // a failed round (e.g. the database was closed under us) must not take the process down
        if (!this.db.open) clearInterval(timer);
        else console.error('storage maintenance failed:', err);
      }
    }, opts.intervalMs);
    timer.unref();
    return { dispose: () => clearInterval(timer) };
  }

  async close(): Promise<void> {
    if (this.db.open) this.flush();
    for (const w of this.watchers) w.closed = true;
    this.watchers.clear();
    this.db.close();
  }
}
