// Encryption at rest through a real server: kubectl reads secrets back, the datastore files hold
// no plaintext, keys rotate by provider order and `kubectl replace` rewrites every secret.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cleanup, startServer, type TestServer } from './harness.js';

const KEY1 = Buffer.alloc(32, 0x11).toString('base64');
const KEY2 = Buffer.alloc(32, 0x22).toString('base64');
const PLAINTEXT = 'k8ts-plaintext-canary-9f1c';

function configFile(dir: string, providers: string): string {
  const path = join(dir, `enc-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    path,
    `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources:\n  - secrets\n  providers:\n${providers}`,
  );
  return path;
}

/** Every byte of the datastore (main file, WAL and shared memory). */
function datastoreBytes(s: TestServer): string {
  const dir = join(s.dataDir, 'server', 'db');
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f)).toString('latin1'))
    .join('');
}

function storedValue(s: TestServer, key: string): string {
  const db = new Database(join(s.dataDir, 'server', 'db', 'state.db'), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    const row = db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as { value: Buffer } | undefined;
    return row ? row.value.toString('latin1') : '';
  } finally {
    db.close();
  }
}

describe('encryption at rest', () => {
  it('stores secrets encrypted, reads them back, and rotates keys with kubectl replace', async () => {
    const cfgDir = mkdtempSync(join(tmpdir(), 'k8ts-enc-'));
    const first = configFile(
      cfgDir,
      `  - aescbc:\n      keys:\n      - name: key1\n        secret: ${KEY1}\n  - identity: {}\n`,
    );
    let s = await startServer(['--encryption-provider-config', first]);
    try {
      const created = await s.kubectl([
        'create',
        'secret',
        'generic',
        'db-pass',
        `--from-literal=password=${PLAINTEXT}`,
      ]);
      assert.equal(created.stdout.trim(), 'secret/db-pass created', created.stderr);
      await s.kubectl(['create', 'configmap', 'visible', '--from-literal=k=configmap-canary-77']);
      const read = await s.kubectl(['get', 'secret', 'db-pass', '-o', 'jsonpath={.data.password}']);
      assert.equal(Buffer.from(read.stdout, 'base64').toString(), PLAINTEXT);

      const bytes = datastoreBytes(s);
      assert.ok(!bytes.includes(PLAINTEXT), 'plaintext in datastore');
      assert.ok(!bytes.includes(Buffer.from(PLAINTEXT).toString('base64')), 'base64 plaintext in datastore');
      assert.ok(
        bytes.includes('configmap-canary-77'),
        'configmaps are not configured, so they stay readable',
      );
      assert.ok(storedValue(s, '/registry/secrets/default/db-pass').startsWith('k8s:enc:aescbc:v1:key1:'));

      // rotation step 1: the new key first, the old one still listed for reading
      await s.stop();
      const rotated = configFile(
        cfgDir,
        `  - aescbc:\n      keys:\n      - name: key2\n        secret: ${KEY2}\n      - name: key1\n        secret: ${KEY1}\n`,
      );
      s = await startServer(['--encryption-provider-config', rotated], { dir: s.dir, port: s.port });
      const json = await s.kubectl(['get', 'secrets', '-A', '-o', 'json']);
      assert.equal(json.code, 0, json.stderr);
      const replaced = await s.kubectl(['replace', '-f', '-'], json.stdout);
      assert.equal(replaced.code, 0, replaced.stderr);
      assert.match(replaced.stdout, /secret\/db-pass replaced/);
      assert.ok(storedValue(s, '/registry/secrets/default/db-pass').startsWith('k8s:enc:aescbc:v1:key2:'));

      // rotation step 2: the old key removed; everything still reads
      await s.stop();
      const only2 = configFile(
        cfgDir,
        `  - aescbc:\n      keys:\n      - name: key2\n        secret: ${KEY2}\n`,
      );
      s = await startServer(['--encryption-provider-config', only2], { dir: s.dir, port: s.port });
      const again = await s.kubectl(['get', 'secret', 'db-pass', '-o', 'jsonpath={.data.password}']);
      assert.equal(Buffer.from(again.stdout, 'base64').toString(), PLAINTEXT);
    } finally {
      await s.stop();
      cleanup(s);
      rmSync(cfgDir, { recursive: true, force: true });
    }
  });

  it('refuses to start with an invalid configuration and says why', async () => {
    const cfgDir = mkdtempSync(join(tmpdir(), 'k8ts-enc-'));
    const bad = configFile(
      cfgDir,
      `  - aescbc:\n      keys:\n      - name: short\n        secret: ${Buffer.alloc(5).toString('base64')}\n`,
    );
    try {
      await assert.rejects(startServer(['--encryption-provider-config', bad]), (e: Error) => {
        assert.match(
          e.message,
          /resources\[0\]\.providers\[0\]\.aescbc\.keys\[0\]\.secret: Invalid value: "REDACTED": secret is not of the expected length, got 5, expected one of \[16 24 32\]/,
        );
        return true;
      });
    } finally {
      rmSync(cfgDir, { recursive: true, force: true });
    }
  });
});
