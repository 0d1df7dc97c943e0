// Every SQL statement the SQLite backend runs, prepared once per connection.
import type Database from 'better-sqlite3';

/** A row of kv, or a log row shaped like one (mod_rev = the log row's revision). */
export interface KVRow {
  key: string;
  value: Buffer;
  create_rev: number;
  mod_rev: number;
}

export interface LogRow {
  rev: number;
  key: string;
  deleted: number;
  value: Buffer;
  create_rev: number;
  /** The revision of the key's previous write (null when this write created the key). */
  prev_rev: number | null;
}

const LOG_COLUMNS = 'rev, key, deleted, value, create_rev, prev_rev';

/**
 * The latest log row at or before a revision, per key, when that row is not a delete: the
 * key's state at that revision. Compaction keeps exactly these rows for every revision it
 * still allows reading (see compactSuperseded), so this answers like etcd down to compactedRevision.
 */
const STATE_AT = `FROM log l WHERE l.key >= ? AND l.key > ? AND l.key < ? AND l.deleted = 0
  AND l.rev = (SELECT MAX(l2.rev) FROM log l2 WHERE l2.key = l.key AND l2.rev <= ?)`;

export function prepareStatements(db: Database.Database) {
  const q = (sql: string) => db.prepare(sql);
  return {
    get: q('SELECT key, value, create_rev, mod_rev FROM kv WHERE key = ?'),
    /** (prefix, afterKey, end, limit): keys under prefix after afterKey, ascending. */
    list: q(
      'SELECT key, value, create_rev, mod_rev FROM kv WHERE key >= ? AND key > ? AND key < ? ORDER BY key LIMIT ?',
    ),
    /** (prefix, afterKey, end) */
    count: q('SELECT COUNT(*) AS n FROM kv WHERE key >= ? AND key > ? AND key < ?'),
    /** (prefix, afterKey, end, revision, limit) */
    listAt: q(
      `SELECT l.key AS key, l.value AS value, l.create_rev AS create_rev, l.rev AS mod_rev ${STATE_AT}
       ORDER BY l.key LIMIT ?`,
    ),
    /** (prefix, afterKey, end, revision) */
    countAt: q(`SELECT COUNT(*) AS n ${STATE_AT}`),
    insertKV: q('INSERT INTO kv (key, value, create_rev, mod_rev) VALUES (?, ?, ?, ?)'),
    updateKV: q('UPDATE kv SET value = ?, mod_rev = ? WHERE key = ?'),
    deleteKV: q('DELETE FROM kv WHERE key = ?'),
    insertLog: q(`INSERT INTO log (${LOG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`),
    /** (afterRevision, prefix, end) */
    logAfter: q(`SELECT ${LOG_COLUMNS} FROM log WHERE rev > ? AND key >= ? AND key < ? ORDER BY rev`),
    logAt: q(`SELECT ${LOG_COLUMNS} FROM log WHERE rev = ?`),
    maxLogRev: q('SELECT MAX(rev) AS n FROM log'),
    getMeta: q('SELECT value FROM meta WHERE name = ?'),
    setMeta: q(
      'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value',
    ),
    /**
     * (from, to): for each key written in (from, to], drop its rows older than its newest row
     * at or before `to`. Rows at or before `from` were handled by the previous compaction, so
     * the cost is proportional to the history being compacted, not to the whole log.
     */
    compactSuperseded: q(
      `DELETE FROM log WHERE rev IN (
         SELECT old.rev FROM log old
         JOIN (SELECT key, MAX(rev) AS top FROM log WHERE rev > ? AND rev <= ? GROUP BY key) t
           ON old.key = t.key
         WHERE old.rev < t.top)`,
    ),
    /** (from, to): a delete that is a key's newest row at or before `to` is not needed to read at `to`. */
    compactDeletes: q('DELETE FROM log WHERE rev > ? AND rev <= ? AND deleted = 1'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
