// The kms provider (apiVersion v2) through a real server and `k8ts kms-test-plugin`: stored
// values carry `k8s:enc:kms:v2:<name>:` and no plaintext, kubectl reads them back, a KEK
// rotation (plugin restarted with another key id, server restarted) keeps old data readable,
// and `kubectl get secrets -A -o json | kubectl replace -f -` reseals everything with the new KEK.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { decodeEncryptedObject } from '../../src/storage/encryption/kms/envelope.js';
import { cleanup, KUBECTL, ROOT, startServer, type TestServer } from './harness.js';

const PLAINTEXT = 'k8ts-kms-canary-51d2';
const PREFIX = 'k8s:enc:kms:v2:testkms:';

async function startPlugin(dir: string, keyId: string): Promise<ChildProcess> {
  const socket = join(dir, 'kms.sock');
  const proc = spawn(
    join(ROOT, 'bin', 'k8ts'),
    ['kms-test-plugin', '--socket', socket, '--keys-file', join(dir, 'keys.json'), '--key-id', keyId],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const deadline = Date.now() + 20_000;
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  while (!out.includes('listening')) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`plugin did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return proc;
}

async function stopPlugin(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await exited;
}

function storedValue(s: TestServer, key: string): Buffer {
  const db = new Database(join(s.dataDir, 'server', 'db', 'state.db'), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    const row = db.prepare('SELECT value FROM kv WHERE key = ?').get(key) as { value: Buffer } | undefined;
    return row?.value ?? Buffer.alloc(0);
  } finally {
    db.close();
  }
}

function datastoreBytes(s: TestServer): string {
  const dir = join(s.dataDir, 'server', 'db');
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f)).toString('latin1'))
    .join('');
}

/** The KEK id a stored secret was sealed under, from its EncryptedObject. */
function keyIdOf(s: TestServer, key: string): string {
  const v = storedValue(s, key);
  assert.equal(v.subarray(0, PREFIX.length).toString(), PREFIX);
  return decodeEncryptedObject(v.subarray(PREFIX.length)).keyID;
}

function writeConfig(dir: string): string {
  const path = join(dir, 'encryption.yaml');
  writeFileSync(
    path,
    `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - kms:
      apiVersion: v2
      name: testkms
      endpoint: unix://${join(dir, 'kms.sock')}
      timeout: 3s
  - identity: {}
`,
  );
  return path;
}

describe('encryption at rest with a KMS v2 plugin', () => {
  it('seals with the kms prefix, reads back, and rotates the KEK with kubectl replace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-kms-'));
    const config = writeConfig(dir);
    let plugin = await startPlugin(dir, 'kek-1');
    let s = await startServer(['--encryption-provider-config', config]);
    try {
      let r = await s.kubectl([
        'create',
        'secret',
        'generic',
        'db-pass',
        `--from-literal=password=${PLAINTEXT}`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      r = await s.kubectl(['create', 'namespace', 'team']);
      r = await s.kubectl([
        '-n',
        'team',
        'create',
        'secret',
        'generic',
        'other',
        '--from-literal=k=v2secret',
      ]);
      assert.equal(r.code, 0, r.stderr);

      assert.equal(keyIdOf(s, '/registry/secrets/default/db-pass'), 'kek-1');
      assert.equal(datastoreBytes(s).includes(PLAINTEXT), false, 'no plaintext in the datastore');
      assert.equal(datastoreBytes(s).includes(Buffer.from(PLAINTEXT).toString('base64')), false);
      r = await s.kubectl(['get', 'secret', 'db-pass', '-o', 'jsonpath={.data.password}']);
      assert.equal(Buffer.from(r.stdout, 'base64').toString(), PLAINTEXT);

      // rotation: the plugin now encrypts with kek-2 (kek-1 still decrypts), the server restarts
      await stopPlugin(plugin);
      plugin = await startPlugin(dir, 'kek-2');
      const { dir: sdir, port } = s;
      await s.stop();
      s = await startServer(['--encryption-provider-config', config], { dir: sdir, port });
      // old data reads (the server asks the plugin to decrypt the old seed)
      r = await s.kubectl(['get', 'secret', 'db-pass', '-o', 'jsonpath={.data.password}']);
      assert.equal(Buffer.from(r.stdout, 'base64').toString(), PLAINTEXT, r.stderr);
      assert.equal(keyIdOf(s, '/registry/secrets/default/db-pass'), 'kek-1');

      // rewrite everything: each secret is sealed again under kek-2
      const all = await s.kubectl(['get', 'secrets', '-A', '-o', 'json']);
      assert.equal(all.code, 0, all.stderr);
      r = await s.kubectl(['replace', '-f', '-'], all.stdout);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /secret\/db-pass replaced/);
      assert.equal(keyIdOf(s, '/registry/secrets/default/db-pass'), 'kek-2');
      assert.equal(keyIdOf(s, '/registry/secrets/team/other'), 'kek-2');
      r = await s.kubectl(['-n', 'team', 'get', 'secret', 'other', '-o', 'jsonpath={.data.k}']);
      assert.equal(Buffer.from(r.stdout, 'base64').toString(), 'v2secret');
      // configmaps are not in the config: stored as they are
      r = await s.kubectl(['create', 'configmap', 'plain', '--from-literal=a=b']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(storedValue(s, '/registry/configmaps/default/plain').toString(), /^\{"kind":"ConfigMap"/);
    } finally {
      await s.stop();
      await stopPlugin(plugin);
      cleanup(s);
    }
  });

  it('reports the plugin in /healthz, /livez and /readyz as kms-providers, and its metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-kms-'));
    const config = writeConfig(dir);
    let plugin = await startPlugin(dir, 'kek-1');
    const s = await startServer(['--encryption-provider-config', config]);
    try {
      for (const endpoint of ['healthz', 'livez', 'readyz']) {
        const r = await s.api('GET', `/${endpoint}?verbose`);
        assert.equal(r.status, 200, r.body);
        assert.match(r.body, /^\[\+\]kms-providers ok$/m);
      }
      assert.equal((await s.api('GET', '/healthz/kms-providers')).body, 'ok');
      let r = await s.kubectl(['create', 'secret', 'generic', 'm', '--from-literal=a=b']);
      assert.equal(r.code, 0, r.stderr);
      const m = await s.api('GET', '/metrics');
      assert.match(
        m.body,
        /^apiserver_envelope_encryption_key_id_hash_total\{transformation_type="to_storage",provider_name="testkms",key_id_hash="sha256:[0-9a-f]{64}",apiserver_id_hash="sha256:[0-9a-f]{64}"\} [1-9]/m,
      );
      assert.match(
        m.body,
        /^apiserver_envelope_encryption_kms_operations_latency_seconds_count\{provider_name="testkms",method_name="\/v2.KeyManagementService\/Status",grpc_status_code="OK"\} [1-9]/m,
      );

      // the plugin goes away: once the last healthy answer (kept 20 s, as upstream) is old, the checks fail
      await stopPlugin(plugin);
      const deadline = Date.now() + 40_000;
      let h = await s.api('GET', '/healthz');
      while (h.status === 200 && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 500));
        h = await s.api('GET', '/healthz');
      }
      assert.equal(h.status, 500);
      assert.match(h.body, /^\[-\]kms-providers failed: reason withheld$/m);
      assert.match(h.body, /^healthz check failed$/m);
      for (const endpoint of ['livez', 'readyz']) {
        const e = await s.api('GET', `/${endpoint}`);
        assert.equal(e.status, 500);
        assert.match(e.body, /^\[-\]kms-providers failed: reason withheld$/m);
      }
      const one = await s.api('GET', '/healthz/kms-providers');
      assert.equal(one.status, 500);
      assert.match(
        one.body,
        /^internal server error: kms-provider-0: failed to perform status section of the healthz check for KMS Provider testkms, error: rpc error: code = UNAVAILABLE/,
      );
      // excluding the check makes the endpoint healthy again, as upstream
      assert.equal((await s.api('GET', '/readyz?exclude=kms-providers')).status, 200);

      // back: healthy again once the failed answer (kept 3 s) is old
      plugin = await startPlugin(dir, 'kek-1');
      const back = Date.now() + 30_000;
      while ((h = await s.api('GET', '/healthz')).status !== 200 && Date.now() < back)
        await new Promise((res) => setTimeout(res, 500));
      assert.equal(h.status, 200, h.body);
      r = await s.kubectl(['get', 'secret', 'm', '-o', 'jsonpath={.data.a}']);
      assert.equal(r.stdout, Buffer.from('b').toString('base64'));
    } finally {
      await s.stop();
      cleanup(s);
      await stopPlugin(plugin);
    }
  });

  it('refuses to start without a reachable plugin, and refuses kms apiVersion v1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-kms-bad-'));
    const config = writeConfig(dir);
    const run = (cfg: string) =>
      spawnSync(
        join(ROOT, 'bin', 'k8ts'),
        [
          'server',
          '--data-dir',
          join(dir, 'data'),
          '--bind-address',
          '127.0.0.1',
          '--https-listen-port',
          '0',
          '--disable-agent',
          '--encryption-provider-config',
          cfg,
        ],
        { encoding: 'utf8', timeout: 30_000 },
      );
    let r = run(config);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /k8ts: failed to perform status section of the healthz check for KMS Provider testkms, error: rpc error: code = UNAVAILABLE/,
    );

    writeFileSync(config, readFileSync(config, 'utf8').replace('apiVersion: v2', 'apiVersion: v1'));
    r = run(config);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /resources\[0\]\.providers\[0\]\.kms\.apiVersion: Invalid value: "v1": KMSv1 is deprecated/,
    );
    assert.ok(existsSync(KUBECTL));
  });
});
