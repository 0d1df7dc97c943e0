// The SQLite backend: the shared storage contract, plus what only a file-backed store has.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../../../src/storage/sqlite/backend.js';
import type { Storage } from '../../../src/storage/types.js';
import { storageContract } from './contract.js';

const files = new Map<Storage, string>();

async function fresh(): Promise<Storage> {
  const path = join(mkdtempSync(join(tmpdir(), 'k8ts-sqlite-')), 'state.db');
  const st = SqliteStorage.open(path);
  files.set(st, path);
  return st;
}

storageContract('sqlite', fresh, {
  reopen: async (st) => {
    const path = files.get(st)!;
    await st.close();
    const again = SqliteStorage.open(path);
    files.set(again, path);
    return again;
  },
});

describe('sqlite storage', () => {
  it('creates missing parent folders for the database file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'k8ts-sqlite-')), 'server', 'db', 'state.db');
    const st = SqliteStorage.open(path);
    await st.create('/r/a', Buffer.from('1'));
    await st.close();
    assert.ok(existsSync(path));
  });

  it('maintenance compacts to the current revision minus the history it keeps', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const st = SqliteStorage.open(':memory:');
    for (let i = 0; i < 10; i++) await st.create(`/r/${i}`, Buffer.from('x'));
    const m = st.startMaintenance({ intervalMs: 1000, keepRevisions: 4 });
    t.mock.timers.tick(1000);
    assert.equal(await st.compactedRevision(), 6);
    m.dispose();
    for (let i = 10; i < 20; i++) await st.create(`/r/${i}`, Buffer.from('x'));
    t.mock.timers.tick(5000);
    assert.equal(await st.compactedRevision(), 6, 'disposed maintenance does nothing more');
    await st.close();
  });
});
