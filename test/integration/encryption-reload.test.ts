// --encryption-provider-config-automatic-reload through a real server: rewriting the file to put a
// new key first makes new secrets land sealed with it while the old ones still read; an invalid
// file is refused (logged, counted in /metrics) and the configuration in use stays; the single
// kms-providers health check is there with the flag, as upstream's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cleanup, eventually, startServer, type TestServer } from './harness.js';

const KEY1 = Buffer.alloc(32, 0x11).toString('base64');
const KEY2 = Buffer.alloc(32, 0x22).toString('base64');

const config = (providers: string) =>
  `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources:\n  - secrets\n  providers:\n${providers}`;
const aescbc = (...keys: [string, string][]) =>
  `  - aescbc:\n      keys:\n${keys.map(([n, s]) => `      - name: ${n}\n        secret: ${s}\n`).join('')}`;

/** As an operator (or a Secret volume) replaces a file: write aside, rename over it. */
function replaceFile(path: string, content: string): void {
  writeFileSync(`${path}.new`, content);
  renameSync(`${path}.new`, path);
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

async function secretValue(s: TestServer, name: string): Promise<string> {
  const r = await s.kubectl(['get', 'secret', name, '-o', 'jsonpath={.data.v}']);
  assert.equal(r.code, 0, r.stderr);
  return Buffer.from(r.stdout, 'base64').toString();
}

function reloads(metrics: string, status: string): number {
  const m = new RegExp(
    `^apiserver_encryption_config_controller_automatic_reloads_total\\{apiserver_id_hash="sha256:[0-9a-f]{64}",status="${status}"\\} (\\d+)$`,
    'm',
  ).exec(metrics);
  return m ? Number(m[1]) : 0;
}

describe('encryption config automatic reload', () => {
  it('applies a rewritten config to new writes, keeps old secrets readable, and refuses a bad file', async () => {
    const cfgDir = mkdtempSync(join(tmpdir(), 'k8ts-enc-reload-'));
    const path = join(cfgDir, 'encryption.yaml');
    writeFileSync(path, config(aescbc(['key1', KEY1])));
    const s = await startServer([
      '--encryption-provider-config',
      path,
      '--encryption-provider-config-automatic-reload',
      '--disable-controller-manager',
      '--disable-scheduler',
    ]);
    try {
      // with automatic reload: one kms-providers check, even without kms providers
      const one = await s.api('GET', '/healthz/kms-providers');
      assert.deepEqual([one.status, one.body], [200, 'ok']);
      assert.match((await s.api('GET', '/readyz?verbose')).body, /^\[\+\]kms-providers ok$/m);

      const created = await s.kubectl(['create', 'secret', 'generic', 'before', '--from-literal=v=one']);
      assert.equal(created.stdout.trim(), 'secret/before created', created.stderr);
      assert.ok(storedValue(s, '/registry/secrets/default/before').startsWith('k8s:enc:aescbc:v1:key1:'));

      replaceFile(path, config(aescbc(['key2', KEY2], ['key1', KEY1])));
      let n = 0;
      const after = await eventually('a new secret sealed with key2', async () => {
        const name = `after-${n++}`;
        const r = await s.kubectl(['create', 'secret', 'generic', name, `--from-literal=v=two-${name}`]);
        assert.equal(r.code, 0, r.stderr);
        return (
          storedValue(s, `/registry/secrets/default/${name}`).startsWith('k8s:enc:aescbc:v1:key2:') && name
        );
      });
      assert.equal(await secretValue(s, 'before'), 'one');
      assert.equal(await secretValue(s, after), `two-${after}`);
      assert.ok(storedValue(s, '/registry/secrets/default/before').startsWith('k8s:enc:aescbc:v1:key1:'));
      const metrics = (await s.api('GET', '/metrics')).body;
      assert.ok(reloads(metrics, 'success') >= 1, metrics);
      assert.match(
        metrics,
        /^apiserver_encryption_config_controller_automatic_reload_last_timestamp_seconds\{apiserver_id_hash="sha256:[0-9a-f]{64}",status="success"\} \d/m,
      );

      // an invalid file: logged and counted; key2 stays first and key1 stays readable
      const failuresBefore = reloads(metrics, 'failure');
      replaceFile(path, config(aescbc(['short', Buffer.alloc(5).toString('base64')])));
      await eventually('a failed reload counted', async () => {
        return reloads((await s.api('GET', '/metrics')).body, 'failure') > failuresBefore;
      });
      assert.match(
        s.log(),
        /error processing encryption config file [^"]*encryption\.yaml: error while parsing encryption provider configuration file [^:]*: resources\[0\]\.providers\[0\]\.aescbc\.keys\[0\]\.secret: Invalid value: \\"REDACTED\\": secret is not of the expected length, got 5, expected one of \[16 24 32\]/,
      );
      const r = await s.kubectl(['create', 'secret', 'generic', 'later', '--from-literal=v=three']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(storedValue(s, '/registry/secrets/default/later').startsWith('k8s:enc:aescbc:v1:key2:'));
      assert.equal(await secretValue(s, 'before'), 'one');
      assert.equal(await secretValue(s, 'later'), 'three');
      assert.deepEqual([(await s.api('GET', '/healthz/kms-providers')).status], [200]);
    } finally {
      await s.stop();
      cleanup(s);
      rmSync(cfgDir, { recursive: true, force: true });
    }
  });

  it('refuses the flag without --encryption-provider-config, as upstream', async () => {
    await assert.rejects(startServer(['--encryption-provider-config-automatic-reload']), (e: Error) => {
      assert.match(
        e.message,
        /--encryption-provider-config-automatic-reload must be set with --encryption-provider-config/,
      );
      return true;
    });
  });
});
