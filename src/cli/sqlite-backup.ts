// `k8ts sqlite-backup`: an online copy of the embedded SQLite datastore (SQLite's backup API
// through better-sqlite3), safe while the server runs: the copy is one consistent state.
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const HELP = `Usage: k8ts sqlite-backup [--data-dir DIR] [--output FILE]

Copies <data-dir>/server/db/state.db while the server may be running (SQLite online backup).
  --output FILE   Where to write (default <data-dir>/server/db/backups/state-<unix seconds>.db)
Restore: stop the server, copy the file over <data-dir>/server/db/state.db (remove state.db-wal
and state.db-shm), start the server.
`;

export async function runSqliteBackup(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      output: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const dataDir = resolve(values['data-dir'] ?? (isRoot ? '/var/lib/k8ts' : join(homedir(), '.k8ts')));
  const source = join(dataDir, 'server', 'db', 'state.db');
  if (!existsSync(source)) throw new Error(`no SQLite datastore at ${source}`);
  const out = resolve(
    values.output ?? join(dataDir, 'server', 'db', 'backups', `state-${Math.floor(Date.now() / 1000)}.db`),
  );
  mkdirSync(dirname(out), { recursive: true, mode: 0o700 });
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    const r = await db.backup(out);
    process.stdout.write(`Backed up ${r.totalPages} pages of ${source} to ${out}\n`);
  } finally {
    db.close();
  }
  return 0;
}
