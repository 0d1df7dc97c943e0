// SQLite storage with etcd's semantics, on better-sqlite3 (synchronous, one writer: this process).
//
// Current state and history are kept apart (see docs/adr/0001): `kv` holds each key's current
// value and is all that gets and lists read; `log` holds one row per write (revision order) for
// watches and reads at a past revision. Compaction drops log rows superseded at or below the
// compaction revision, so the file stays proportional to live data plus the history window.
//
// Durability: WAL with synchronous=NORMAL. A committed transaction is in the WAL file before
// the call returns, so it survives the process being killed (kill -9); only an OS crash or
// power cut can lose the last transactions.
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

interface KVRow {
  key: string;
  value: Buffer;
  create_rev: number;
  mod_rev: number;
}

interface LogRow {
  rev: number;
  key: string;
  deleted: number;
  value: Buffer;
  create_rev: number;
  prev_rev: number | null;
}

interface Watcher {
  prefix: string;
  end: string;
  handler: WatchHandler;
  pending: WatchEvent[];
  scheduled: boolean;
  closed: boolean;
}

const toKV = (r: KVRow): KV => ({
  key: r.key,
  value: r.value,
  createRevision: r.create_rev,
  modRevision: r.mod_rev,
});

export class SqliteStorage implements Storage {
  private rev: number;
  private compacted: number;
  private readonly watchers = new Set<Watcher>();
  private readonly db: Database.Database;
  private readonly stmt;

  private constructor(db: Database.Database) {
    this.db = db;
    db.exec(SCHEMA);
    const q = (sql: string) => db.prepare(sql);
    this.stmt = {
      get: q('SELECT key, value, create_rev, mod_rev FROM kv WHERE key = ?'),
      list: q(
        'SELECT key, value, create_rev, mod_rev FROM kv WHERE key >= ? AND key > ? AND key < ? ORDER BY key LIMIT ?',
      ),
      count: q('SELECT COUNT(*) AS n FROM kv WHERE key >= ? AND key < ?'),
      countAfter: q('SELECT COUNT(*) AS n FROM kv WHERE key > ? AND key < ?'),
      insertKV: q('INSERT INTO kv (key, value, create_rev, mod_rev) VALUES (?, ?, ?, ?)'),
      updateKV: q('UPDATE kv SET value = ?, mod_rev = ? WHERE key = ?'),
      deleteKV: q('DELETE FROM kv WHERE key = ?'),
      insertLog: q(
        'INSERT INTO log (rev, key, deleted, value, create_rev, prev_rev) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      setMeta: q(
        'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value',
      ),
      getMeta: q('SELECT value FROM meta WHERE name = ?'),
      logAfter: q(
        'SELECT rev, key, deleted, value, create_rev, prev_rev FROM log WHERE rev > ? AND key >= ? AND key < ? ORDER BY rev',
      ),
      logAt: q('SELECT rev, key, deleted, value, create_rev, prev_rev FROM log WHERE rev = ?'),
      listAt: q(
        `SELECT l.key AS key, l.value AS value, l.create_rev AS create_rev, l.rev AS mod_rev FROM log l
         WHERE l.key >= ? AND l.key > ? AND l.key < ? AND l.deleted = 0
           AND l.rev = (SELECT MAX(l2.rev) FROM log l2 WHERE l2.key = l.key AND l2.rev <= ?)
         ORDER BY l.key LIMIT ?`,
      ),
      compact: q(
        `DELETE FROM log WHERE rev <= ? AND (deleted = 1 OR rev < (SELECT MAX(l2.rev) FROM log l2 WHERE l2.key = log.key AND l2.rev <= ?))`,
      ),
    };
    this.rev = this.meta('revision');
    this.compacted = this.meta('compacted');
  }

  static open(path: string): SqliteStorage {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    return new SqliteStorage(db);
  }

  private meta(name: string): number {
    const row = this.stmt.getMeta.get(name) as { value: number } | undefined;
    return row?.value ?? 0;
  }

  async get(key: string): Promise<KV | undefined> {
    const row = this.stmt.get.get(key) as KVRow | undefined;
    return row ? toKV(row) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const end = prefixEnd(prefix);
    const after = opts.afterKey ?? '';
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    const fetch = limit > 0 ? limit + 1 : -1; // one extra row tells whether more follow
    const past = opts.revision !== undefined && opts.revision > 0 && opts.revision < this.rev;
    if (past && opts.revision! < this.compacted) throw new CompactedError(opts.revision!, this.compacted);
    let rows = (
      past
        ? this.stmt.listAt.all(prefix, after, end, opts.revision, fetch)
        : this.stmt.list.all(prefix, after, end, fetch)
    ) as KVRow[];
    const more = limit > 0 && rows.length > limit;
    if (more) rows = rows.slice(0, limit);
    // (remaining is counted on current state; upstream's remainingItemCount is an estimate too)
    const remaining = more
      ? (this.stmt.countAfter.get(rows[rows.length - 1].key, end) as { n: number }).n
      : 0;
    return { kvs: rows.map(toKV), revision: past ? opts.revision! : this.rev, more, remaining };
  }

  async count(prefix: string): Promise<number> {
    return (this.stmt.count.get(prefix, prefixEnd(prefix)) as { n: number }).n;
  }

  private commit = this.dbTxn();

  /** One write = one transaction touching kv, log and the revision counter. */
  private dbTxn() {
    return (fn: (rev: number) => WatchEvent): WatchEvent => {
      const rev = this.rev + 1;
      const ev = this.db.transaction(() => {
        const e = fn(rev);
        this.stmt.setMeta.run('revision', rev);
        return e;
      })();
      this.rev = rev;
      this.notify(ev);
      return ev;
    };
  }

  async create(key: string, value: Uint8Array): Promise<number> {
    const ev = this.commit((rev) => {
      if (this.stmt.get.get(key)) throw new KeyExistsError(key);
      const buf = Buffer.from(value);
      this.stmt.insertKV.run(key, buf, rev, rev);
      this.stmt.insertLog.run(rev, key, 0, buf, rev, null);
      return { type: 'put', kv: { key, value: buf, createRevision: rev, modRevision: rev }, created: true };
    });
    return ev.kv.modRevision;
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<number> {
    const ev = this.commit((rev) => {
      const cur = this.stmt.get.get(key) as KVRow | undefined;
      if (!cur) throw new KeyNotFoundError(key);
      if (cur.mod_rev !== expectedModRevision) throw new RevisionMismatchError(key, toKV(cur));
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
    const ev = this.commit((rev) => {
      const cur = this.stmt.get.get(key) as KVRow | undefined;
      if (!cur) throw new KeyNotFoundError(key);
      if (expectedModRevision !== undefined && cur.mod_rev !== expectedModRevision) {
        throw new RevisionMismatchError(key, toKV(cur));
      }
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

  watch(prefix: string, afterRevision: number, handler: WatchHandler): Disposable {
    const w: Watcher = {
      prefix,
      end: prefixEnd(prefix),
      handler,
      pending: [],
      scheduled: false,
      closed: false,
    };
    if (afterRevision < this.compacted) {
      queueMicrotask(() => handler.onError(new CompactedError(afterRevision, this.compacted)));
      return { dispose: () => undefined };
    }
    // history first, then live writes: both go through the same pending queue, so nothing is
    // lost or repeated between the replay and the first live event
    for (const row of this.stmt.logAfter.all(afterRevision, prefix, w.end) as LogRow[])
      w.pending.push(this.eventOf(row));
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
    const ev: WatchEvent = {
      type: row.deleted ? 'delete' : 'put',
      kv,
      created: !row.deleted && row.prev_rev === null,
    };
    if (row.prev_rev !== null) {
      const prev = this.stmt.logAt.get(row.prev_rev) as LogRow | undefined;
      if (prev)
        ev.prevKv = {
          key: prev.key,
          value: prev.value,
          createRevision: prev.create_rev,
          modRevision: prev.rev,
        };
    }
    return ev;
  }

  private notify(ev: WatchEvent): void {
    for (const w of this.watchers) {
      if (ev.kv.key >= w.prefix && ev.kv.key < w.end) w.pending.push(ev);
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
      w.handler.onProgress?.(this.rev);
    });
  }

  async currentRevision(): Promise<number> {
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    return this.compacted;
  }

  async compact(revision: number): Promise<void> {
    const rev = Math.min(revision, this.rev);
    if (rev <= this.compacted) return;
    this.db.transaction(() => {
      this.stmt.compact.run(rev, rev);
      this.stmt.setMeta.run('compacted', rev);
    })();
    this.compacted = rev;
  }

  /** Compacts to (current - keepRevisions) and checkpoints the WAL on an interval. */
  startMaintenance(opts: { intervalMs: number; keepRevisions: number }): Disposable {
    const timer = setInterval(() => {
      void this.compact(this.rev - opts.keepRevisions).then(() => {
        this.db.pragma('wal_checkpoint(PASSIVE)');
      });
    }, opts.intervalMs);
    timer.unref();
    return { dispose: () => clearInterval(timer) };
  }

  async close(): Promise<void> {
    for (const w of this.watchers) w.closed = true;
    this.watchers.clear();
    this.db.close();
  }
}
