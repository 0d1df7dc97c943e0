// The encrypting Storage decorator over a real (in-memory) sqlite backend: what lands in the
// datastore is sealed, every read path returns plaintext, and keys rotate by provider order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStorage } from '../../../src/storage/sqlite/backend.js';
import { parseEncryptionConfiguration } from '../../../src/storage/encryption/config.js';
import { chainResolver, encryptedStorage } from '../../../src/storage/encryption/storage.js';
import { RevisionMismatchError, type WatchEvent } from '../../../src/storage/types.js';

const k1 = Buffer.alloc(32, 1).toString('base64');
const k2 = Buffer.alloc(32, 2).toString('base64');
const config = (providers: string) =>
  parseEncryptionConfiguration(
    `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n${providers}`,
  );
const resources = new Map([
  ['secrets', { group: '', resource: 'secrets' }],
  ['configmaps', { group: '', resource: 'configmaps' }],
]);
const KEY = '/registry/secrets/default/s1';
const text = (v: Uint8Array) => Buffer.from(v).toString('latin1');

for (const kind of ['aescbc', 'aesgcm', 'secretbox']) {
  test(`${kind}: the datastore holds ciphertext with upstream's prefix; reads return plaintext`, async () => {
    const raw = SqliteStorage.open(':memory:');
    const cfg = config(`  - ${kind}:\n      keys: [{name: key1, secret: ${k1}}]\n`);
    const st = encryptedStorage(raw, chainResolver(cfg, resources));
    const rev = await st.create(KEY, Buffer.from('{"data":"topsecret"}'));
    const stored = text((await raw.get(KEY))!.value);
    assert.ok(stored.startsWith(`k8s:enc:${kind}:v1:key1:`), stored);
    assert.ok(!stored.includes('topsecret'));
    assert.equal(text((await st.get(KEY))!.value), '{"data":"topsecret"}');
    assert.equal(text((await st.list('/registry/secrets/')).kvs[0].value), '{"data":"topsecret"}');
    await st.create('/registry/configmaps/default/c', Buffer.from('plain'));
    assert.equal(text((await raw.get('/registry/configmaps/default/c'))!.value), 'plain');
    await assert.rejects(st.update(KEY, Buffer.from('x'), rev + 100), (e: unknown) => {
      assert.ok(e instanceof RevisionMismatchError);
      assert.equal(text(e.current.value), '{"data":"topsecret"}');
      return true;
    });
    assert.equal(text((await st.delete(KEY)).value), '{"data":"topsecret"}');
    await st.close();
  });
}

test('watch events carry plaintext values and previous values', async () => {
  const raw = SqliteStorage.open(':memory:');
  const st = encryptedStorage(
    raw,
    chainResolver(config(`  - aesgcm:\n      keys: [{name: k, secret: ${k1}}]\n`), resources),
  );
  const events: WatchEvent[] = [];
  const w = st.watch('/registry/secrets/', await st.currentRevision(), {
    onEvents: (e) => events.push(...e),
    onError: (e) => assert.fail(e),
  });
  const rev = await st.create(KEY, Buffer.from('one'));
  await st.update(KEY, Buffer.from('two'), rev);
  const deadline = Date.now() + 5000;
  while (events.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(
    events.map((e) => [text(e.kv.value), e.prevKv && text(e.prevKv.value)]),
    [
      ['one', undefined],
      ['two', 'one'],
    ],
  );
  w.dispose();
  await st.close();
});

test('rotation: an old key listed second still decrypts; new writes use the first key', async () => {
  const raw = SqliteStorage.open(':memory:');
  const before = encryptedStorage(
    raw,
    chainResolver(config(`  - aescbc:\n      keys: [{name: old, secret: ${k1}}]\n`), resources),
  );
  await before.create(KEY, Buffer.from('v1'));
  const after = encryptedStorage(
    raw,
    chainResolver(
      config(
        `  - aescbc:\n      keys:\n      - {name: new, secret: ${k2}}\n      - {name: old, secret: ${k1}}\n`,
      ),
      resources,
    ),
  );
  const kv = (await after.get(KEY))!;
  assert.equal(text(kv.value), 'v1');
  assert.equal(kv.stale, true, 'read with the old key: an update must rewrite it');
  await after.update(KEY, Buffer.from('v2'), kv.modRevision);
  assert.ok(text((await raw.get(KEY))!.value).startsWith('k8s:enc:aescbc:v1:new:'));
  assert.equal((await after.get(KEY))!.stale, undefined);
  await raw.close();
});

test('identity first reads old plaintext and encrypted data alike (decrypting all secrets)', async () => {
  const raw = SqliteStorage.open(':memory:');
  await raw.create('/registry/secrets/default/plain', Buffer.from('plain'));
  const enc = encryptedStorage(
    raw,
    chainResolver(config(`  - aescbc:\n      keys: [{name: k, secret: ${k1}}]\n`), resources),
  );
  await enc.create(KEY, Buffer.from('sealed'));
  const dec = encryptedStorage(
    raw,
    chainResolver(
      config(`  - identity: {}\n  - aescbc:\n      keys: [{name: k, secret: ${k1}}]\n`),
      resources,
    ),
  );
  assert.equal(text((await dec.get(KEY))!.value), 'sealed');
  assert.equal(text((await dec.get('/registry/secrets/default/plain'))!.value), 'plain');
  await raw.close();
});

test('data whose key is no longer configured fails to read with a clear error', async () => {
  const raw = SqliteStorage.open(':memory:');
  const enc = encryptedStorage(
    raw,
    chainResolver(config(`  - aescbc:\n      keys: [{name: k, secret: ${k1}}]\n`), resources),
  );
  await enc.create(KEY, Buffer.from('sealed'));
  const other = encryptedStorage(
    raw,
    chainResolver(config(`  - aescbc:\n      keys: [{name: x, secret: ${k2}}]\n`), resources),
  );
  await assert.rejects(
    other.get(KEY),
    /failed to decrypt data of \/registry\/secrets\/default\/s1: no matching prefix found/,
  );
  const wrongKey = encryptedStorage(
    raw,
    chainResolver(config(`  - aescbc:\n      keys: [{name: k, secret: ${k2}}]\n`), resources),
  );
  await assert.rejects(wrongKey.get(KEY), /failed to decrypt/);
  await raw.close();
});
