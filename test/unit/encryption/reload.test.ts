// --encryption-provider-config-automatic-reload: the reload controller over a real file and an
// in-memory sqlite datastore. A valid change swaps the provider chains (new writes use the new
// first provider, old values still read), an invalid one keeps the configuration in use and counts
// a failure, and a file whose bytes did not change is left alone. Metrics as upstream's v1.31.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../../../src/storage/sqlite/backend.js';
import { EncryptionConfig, parseEncryptionConfiguration } from '../../../src/storage/encryption/config.js';
import { DynamicEncryption } from '../../../src/storage/encryption/dynamic.js';
import { kmsHealthCheck, withEncryption } from '../../../src/storage/encryption/index.js';
import { contentHash, EncryptionConfigReloader } from '../../../src/storage/encryption/reload.js';
import { ReloadMetrics, reloadMetrics } from '../../../src/storage/encryption/reload-metrics.js';
import { encryptedStorage } from '../../../src/storage/encryption/storage.js';
import type { KmsTransformer } from '../../../src/storage/encryption/kms/transformer.js';
import { plugin } from './kms-plugin.js';

const KEY1 = Buffer.alloc(32, 0x11).toString('base64');
const KEY2 = Buffer.alloc(32, 0x22).toString('base64');
const resources = new Map([['secrets', { group: '', resource: 'secrets' }]]);
const text = (v: Uint8Array) => Buffer.from(v).toString('latin1');

const doc = (keys: [string, string][]) =>
  `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - aescbc:
      keys:
${keys.map(([n, s]) => `      - name: ${n}\n        secret: ${s}\n`).join('')}`;
const ONLY_KEY1 = doc([['key1', KEY1]]);
const KEY2_FIRST = doc([
  ['key2', KEY2],
  ['key1', KEY1],
]);
const INVALID = doc([['short', Buffer.alloc(5).toString('base64')]]);

// upstream's metrics_test.go: testAPIServerID and its hash
const ID = 'testAPIServerID';
const ID_HASH = 'sha256:14f9d63e669337ac6bfda2e2162915ee6a6067743eddd4e5c374b572f951ff37';

/** Replaces the file as editors and Secret volumes do: write aside, then rename over it. */
function replaceFile(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-enc-reload-'));
  const path = join(dir, 'encryption.yaml');
  writeFileSync(path, ONLY_KEY1);
  const raw = SqliteStorage.open(':memory:');
  const dynamic = new DynamicEncryption(parseEncryptionConfiguration(ONLY_KEY1), resources);
  const storage = encryptedStorage(raw, dynamic.chainFor, () => dynamic.stop());
  const metrics = new ReloadMetrics(() => ID);
  const reloader = new EncryptionConfigReloader({
    path,
    loadedHash: contentHash(Buffer.from(ONLY_KEY1)),
    apply: (c) => dynamic.set(c),
    metrics,
    intervalMs: 3_600_000, // the test looks itself
  });
  const done = async () => {
    reloader.dispose();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { path, raw, storage, metrics, reloader, done };
}

test('a file whose bytes did not change is not reloaded (and counts nothing)', async () => {
  const t = setup();
  try {
    assert.equal(await t.reloader.check(), 'unchanged');
    replaceFile(t.path, ONLY_KEY1); // rewritten, same bytes
    assert.equal(await t.reloader.check(), 'unchanged');
    assert.equal(t.metrics.render(), '');
  } finally {
    await t.done();
  }
});

test('a valid change swaps the providers: new writes use the new first key, old values still read', async () => {
  const t = setup();
  try {
    await t.storage.create('/registry/secrets/ns/before', Buffer.from('one'));
    assert.ok(
      text((await t.raw.get('/registry/secrets/ns/before'))!.value).startsWith('k8s:enc:aescbc:v1:key1:'),
    );
    replaceFile(t.path, KEY2_FIRST);
    assert.equal(await t.reloader.check(), 'reloaded');
    await t.storage.create('/registry/secrets/ns/after', Buffer.from('two'));
    assert.ok(
      text((await t.raw.get('/registry/secrets/ns/after'))!.value).startsWith('k8s:enc:aescbc:v1:key2:'),
    );
    const before = (await t.storage.get('/registry/secrets/ns/before'))!;
    assert.equal(text(before.value), 'one');
    assert.equal(before.stale, true, 'sealed with a key that is no longer the first: rewritten on update');
    assert.equal(text((await t.storage.get('/registry/secrets/ns/after'))!.value), 'two');
    // the new content is now the one in use
    assert.equal(await t.reloader.check(), 'unchanged');
    assert.match(
      t.metrics.render(),
      new RegExp(
        `^apiserver_encryption_config_controller_automatic_reloads_total\\{apiserver_id_hash="${ID_HASH}",status="success"\\} 1$`,
        'm',
      ),
    );
  } finally {
    await t.done();
  }
});

test('an invalid change keeps the configuration in use and counts a failure at every look', async () => {
  const t = setup();
  try {
    replaceFile(t.path, INVALID);
    assert.equal(await t.reloader.check(), 'failed');
    await t.storage.create('/registry/secrets/ns/s', Buffer.from('v'));
    assert.ok(text((await t.raw.get('/registry/secrets/ns/s'))!.value).startsWith('k8s:enc:aescbc:v1:key1:'));
    assert.equal(
      await t.reloader.check(),
      'failed',
      'tried again: the file still differs from the one in use',
    );
    writeFileSync(t.path, '');
    assert.equal(await t.reloader.check(), 'failed', 'an empty file is refused, as upstream');
    rmSync(t.path);
    assert.equal(await t.reloader.check(), 'failed', 'a missing file too');
    const out = t.metrics.render();
    assert.match(
      out,
      new RegExp(
        `^apiserver_encryption_config_controller_automatic_reloads_total\\{apiserver_id_hash="${ID_HASH}",status="failure"\\} 4$`,
        'm',
      ),
    );
    assert.match(
      out,
      new RegExp(
        `^apiserver_encryption_config_controller_automatic_reload_last_timestamp_seconds\\{apiserver_id_hash="${ID_HASH}",status="failure"\\} \\d`,
        'm',
      ),
    );
    assert.match(
      out,
      /^# TYPE apiserver_encryption_config_controller_automatic_reload_last_timestamp_seconds gauge$/m,
    );
    assert.doesNotMatch(out, /status="success"/);
    // back to the content in use: nothing to do, nothing counted
    replaceFile(t.path, ONLY_KEY1);
    assert.equal(await t.reloader.check(), 'unchanged');
  } finally {
    await t.done();
  }
});

test('the metrics text is upstream help and type lines, and nothing before the first reload', () => {
  const m = new ReloadMetrics(() => ID);
  assert.equal(m.render(), '');
  m.recordSuccess();
  assert.equal(
    m.render().split('\n').slice(0, 3).join('\n'),
    [
      '# HELP apiserver_encryption_config_controller_automatic_reloads_total Total number of reload successes and failures of encryption configuration split by apiserver identity.',
      '# TYPE apiserver_encryption_config_controller_automatic_reloads_total counter',
      `apiserver_encryption_config_controller_automatic_reloads_total{apiserver_id_hash="${ID_HASH}",status="success"} 1`,
    ].join('\n'),
  );
  assert.match(
    m.render(),
    /^# HELP apiserver_encryption_config_controller_automatic_reload_last_timestamp_seconds Timestamp of the last successful or failed automatic reload of encryption configuration split by apiserver identity\.$/m,
  );
});

test('withEncryption: with automatic reload a file change is applied on its own and kms-providers is always there', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-enc-reload-'));
  const path = join(dir, 'encryption.yaml');
  writeFileSync(path, ONLY_KEY1);
  const raw = SqliteStorage.open(':memory:');
  const st = await withEncryption(raw, path, resources, { automaticReload: true, reloadIntervalMs: 200 });
  try {
    const check = kmsHealthCheck(st);
    assert.ok(check, 'the kms-providers check exists even without kms providers');
    await check();
    replaceFile(path, KEY2_FIRST);
    const deadline = Date.now() + 20_000;
    for (let i = 0; ; i++) {
      const key = `/registry/secrets/ns/s${i}`;
      await st.create(key, Buffer.from('v'));
      if (text((await raw.get(key))!.value).startsWith('k8s:enc:aescbc:v1:key2:')) break;
      assert.ok(Date.now() < deadline, 'the new configuration was not applied');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(
      reloadMetrics.render(),
      /automatic_reloads_total\{apiserver_id_hash="[^"]*",status="success"\} \d+/,
    );
  } finally {
    await st.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('withEncryption: without the flag the file is read once and there is no check without kms', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-enc-reload-'));
  const path = join(dir, 'encryption.yaml');
  writeFileSync(path, ONLY_KEY1);
  const raw = SqliteStorage.open(':memory:');
  const st = await withEncryption(raw, path, resources);
  try {
    assert.equal(kmsHealthCheck(st), undefined);
    replaceFile(path, KEY2_FIRST);
    await new Promise((r) => setTimeout(r, 300));
    await st.create('/registry/secrets/ns/s', Buffer.from('v'));
    assert.ok(text((await raw.get('/registry/secrets/ns/s'))!.value).startsWith('k8s:enc:aescbc:v1:key1:'));
  } finally {
    await st.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a replaced configuration's kms providers are stopped after its grace period, or at close", async () => {
  const stopped: string[] = [];
  const fakeKms = (name: string) =>
    ({ providerName: name, stop: () => stopped.push(name) }) as unknown as KmsTransformer;
  const a = new EncryptionConfig(new Map(), [fakeKms('a')], 0);
  const b = new EncryptionConfig(new Map(), [fakeKms('b')], 3_600_000);
  const c = new EncryptionConfig(new Map(), [fakeKms('c')], 0);
  const dyn = new DynamicEncryption(a, resources);
  dyn.set(b);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(stopped, ['a'], 'a had no grace period');
  dyn.set(c);
  assert.equal(dyn.config, c);
  assert.deepEqual(stopped, ['a'], 'b is in its grace period');
  dyn.stop();
  assert.deepEqual(stopped.sort(), ['a', 'b', 'c']);
});

test('the grace period is twice the sum of the kms timeouts', () => {
  const cfg = parseEncryptionConfiguration(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - kms: {apiVersion: v2, name: one, endpoint: "unix:///tmp/none-1.sock", timeout: 2s}
  - kms: {apiVersion: v2, name: two, endpoint: "unix:///tmp/none-2.sock"}
`);
  try {
    assert.equal(cfg.closeGracePeriodMs, 2 * (2000 + 3000));
  } finally {
    cfg.stop();
  }
});

/** The number in a metrics line of reloadMetrics (0 when absent). */
function reloads(status: string): number {
  const m = new RegExp(
    `automatic_reloads_total\\{apiserver_id_hash="[^"]*",status="${status}"\\} (\\d+)`,
  ).exec(reloadMetrics.render());
  return m ? Number(m[1]) : 0;
}

test('a new configuration whose kms plugin does not answer is refused until it does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-enc-reload-kms-'));
  const path = join(dir, 'encryption.yaml');
  const socket = join(dir, 'kms.sock');
  writeFileSync(path, ONLY_KEY1);
  const raw = SqliteStorage.open(':memory:');
  const st = await withEncryption(raw, path, resources, { automaticReload: true, reloadIntervalMs: 200 });
  let kms: Awaited<ReturnType<typeof plugin>> | undefined;
  const sealedWith = async (key: string) => {
    await st.create(key, Buffer.from('v'));
    return text((await raw.get(key))!.value);
  };
  try {
    const failures = reloads('failure');
    replaceFile(
      path,
      `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - kms: {apiVersion: v2, name: reload, endpoint: "unix://${socket}", timeout: 1s}
  - aescbc:
      keys: [{name: key1, secret: ${KEY1}}]
`,
    );
    const deadline = Date.now() + 20_000;
    while (reloads('failure') === failures) {
      assert.ok(Date.now() < deadline, 'no failed reload counted');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok((await sealedWith('/registry/secrets/ns/during')).startsWith('k8s:enc:aescbc:v1:key1:'));
    kms = await plugin(socket);
    for (
      let i = 0;
      !(await sealedWith(`/registry/secrets/ns/k${i}`)).startsWith('k8s:enc:kms:v2:reload:');
      i++
    ) {
      assert.ok(Date.now() < deadline, 'the kms configuration was not applied');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(text((await st.get('/registry/secrets/ns/during'))!.value), 'v', 'aescbc values still read');
    await kmsHealthCheck(st)!(); // now the plugin's Status
  } finally {
    await st.close();
    kms?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
