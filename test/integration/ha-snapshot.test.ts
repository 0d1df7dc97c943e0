// Backups: `k8ts etcd-snapshot save|ls|restore` on a --cluster-init server's managed etcd (a
// restored snapshot brings back what was deleted after it), and `k8ts sqlite-backup` of the
// embedded datastore while the server runs. Skipped without /usr/bin/etcd and etcdctl.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { freePort, ROOT, startServer, type TestServer } from './harness.js';
import { etcdAvailable } from '../unit/storage/etcd-fixture.js';

const dirs: string[] = [];
const etcdctl = spawnSync('/usr/bin/etcdctl', ['version']).status === 0;

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(join(ROOT, 'bin', 'k8ts'), args, { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('etcd snapshots', { skip: !(etcdAvailable() && etcdctl) && 'needs etcd and etcdctl' }, () => {
  it('saves, lists and restores a snapshot of the managed etcd', async () => {
    const dir = mkdtempSync('/tmp/ha-');
    dirs.push(dir);
    const args = [
      '--cluster-init',
      '--node-ip',
      '127.0.0.1',
      '--etcd-client-port',
      String(await freePort()),
      '--etcd-peer-port',
      String(await freePort()),
      '--disable-controller-manager',
    ];
    const port = await freePort();
    let s: TestServer = await startServer(args, { dir, port });
    try {
      assert.equal((await s.kubectl(['create', 'configmap', 'kept', '--from-literal=k=before'])).code, 0);
      const saved = await run(['etcd-snapshot', 'save', '--data-dir', s.dataDir]);
      assert.equal(saved.code, 0, saved.stderr);
      const name = /^Snapshot (\S+) saved to (\S+)$/m.exec(saved.stdout);
      assert.ok(name, saved.stdout);
      const ls = await run(['etcd-snapshot', 'ls', '--data-dir', s.dataDir]);
      assert.match(ls.stdout, /^Name\s+Location\s+Size\s+Created$/m);
      assert.match(ls.stdout, new RegExp(`^${name[1]}\\s+file://${name[2]}\\s+\\d+\\s+\\d{4}-`, 'm'));
      assert.equal((await s.kubectl(['delete', 'configmap', 'kept'])).code, 0);
      await s.stop();
      const restored = await run(['etcd-snapshot', 'restore', name[2]!, '--data-dir', s.dataDir]);
      assert.equal(restored.code, 0, restored.stderr);
      s = await startServer(args, { dir, port });
      const r = await s.kubectl(['get', 'configmap', 'kept', '-o', 'jsonpath={.data.k}']);
      assert.equal(r.stdout, 'before', r.stderr);
      const bad = await run(['etcd-snapshot', 'restore', join(dir, 'nope'), '--data-dir', s.dataDir]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /snapshot restore failed/);
    } finally {
      await s.stop();
    }
  });
});

describe('SQLite to etcd', { skip: !etcdAvailable() && 'needs etcd' }, () => {
  it('the first --cluster-init start of a SQLite server copies its objects into the managed etcd', async () => {
    const dir = mkdtempSync('/tmp/ha-');
    dirs.push(dir);
    const port = await freePort();
    let s = await startServer(['--disable-controller-manager'], { dir, port });
    assert.equal((await s.kubectl(['create', 'configmap', 'from-sqlite', '--from-literal=k=v'])).code, 0);
    await s.stop();
    const etcdFlags = [
      '--etcd-client-port',
      String(await freePort()),
      '--etcd-peer-port',
      String(await freePort()),
    ];
    s = await startServer(
      ['--disable-controller-manager', '--cluster-init', '--node-ip', '127.0.0.1', ...etcdFlags],
      {
        dir,
        port,
      },
    );
    try {
      const r = await s.kubectl(['get', 'configmap', 'from-sqlite', '-o', 'jsonpath={.data.k}']);
      assert.equal(r.stdout, 'v', r.stderr);
      const db = join(s.dataDir, 'server', 'db');
      assert.ok(!existsSync(join(db, 'state.db')));
      assert.ok(readdirSync(db).some((f) => /^state\.db\.migrated-\d+$/.test(f)));
      assert.equal((await s.kubectl(['create', 'configmap', 'on-etcd'])).code, 0);
    } finally {
      await s.stop();
    }
    // restarted without the flag it stays on its etcd member
    s = await startServer(['--disable-controller-manager', '--node-ip', '127.0.0.1', ...etcdFlags], {
      dir,
      port,
    });
    try {
      const r = await s.kubectl(['get', 'configmaps', '-o', 'name']);
      assert.match(r.stdout, /configmap\/on-etcd/);
      assert.match(r.stdout, /configmap\/from-sqlite/);
    } finally {
      await s.stop();
    }
  });
});

describe('sqlite-backup', () => {
  it('copies the embedded datastore while the server runs', async () => {
    const dir = mkdtempSync('/tmp/ha-');
    dirs.push(dir);
    const s = await startServer(['--disable-controller-manager'], { dir, port: await freePort() });
    try {
      assert.equal((await s.kubectl(['create', 'configmap', 'in-backup'])).code, 0);
      const out = join(dir, 'backup.db');
      const r = await run(['sqlite-backup', '--data-dir', s.dataDir, '--output', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Backed up \d+ pages of .*state\.db to /);
      assert.ok(existsSync(out));
      const db = new Database(out, { readonly: true });
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
        name: string;
      }[];
      const dump = tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all())).join('');
      db.close();
      assert.match(dump, /in-backup/);
      const none = await run(['sqlite-backup', '--data-dir', join(dir, 'nothing')]);
      assert.equal(none.code, 1);
      assert.match(none.stderr, /no SQLite datastore at/);
    } finally {
      await s.stop();
    }
  });
});
