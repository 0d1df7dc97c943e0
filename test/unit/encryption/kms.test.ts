// The kms (v2) provider against an in-process KMS v2 gRPC plugin: the stored envelope, a
// restarted server reading another seed (one Decrypt, then cached), watch events kept in order
// while a Decrypt is outstanding, and staleness after the plugin's key_id changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../../../src/storage/sqlite/backend.js';
import { parseEncryptionConfiguration } from '../../../src/storage/encryption/config.js';
import { chainResolver, encryptedStorage } from '../../../src/storage/encryption/storage.js';
import { decodeEncryptedObject, DEK_SOURCE_HKDF_SEED } from '../../../src/storage/encryption/kms/envelope.js';
import type { WatchEvent } from '../../../src/storage/types.js';

import { plugin } from './kms-plugin.js';

const resources = new Map([['secrets', { group: '', resource: 'secrets' }]]);
const text = (v: Uint8Array) => Buffer.from(v).toString('latin1');

async function kmsConfig(socket: string) {
  const cfg = parseEncryptionConfiguration(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - kms: {apiVersion: v2, name: unit, endpoint: "unix://${socket}"}
`);
  await cfg.start();
  return cfg;
}

test('kms v2: envelope, a second server reading the first one’s seed, ordered watches, staleness', async () => {
  const socket = join(mkdtempSync(join(tmpdir(), 'k8ts-kms-unit-')), 'kms.sock');
  const kms = await plugin(socket);
  const raw = SqliteStorage.open(':memory:');
  const cfgA = await kmsConfig(socket);
  const a = encryptedStorage(raw, chainResolver(cfgA, resources), () => cfgA.stop());
  const cfgB = await kmsConfig(socket);
  const b = encryptedStorage(raw, chainResolver(cfgB, resources), () => cfgB.stop());
  try {
    const events: WatchEvent[] = [];
    const watch = b.watch('/registry/secrets/', await raw.currentRevision(), {
      onEvents: (e) => events.push(...e),
      onError: (e) => assert.fail(e),
    });
    await a.create('/registry/secrets/ns/one', Buffer.from('first'));
    await a.create('/registry/secrets/ns/two', Buffer.from('second'));
    await b.create('/registry/secrets/ns/three', Buffer.from('third')); // b's own seed: no Decrypt

    const stored = (await raw.get('/registry/secrets/ns/one'))!.value;
    assert.ok(text(stored).startsWith('k8s:enc:kms:v2:unit:'));
    assert.ok(!text(stored).includes('first'));
    const obj = decodeEncryptedObject(stored.subarray('k8s:enc:kms:v2:unit:'.length));
    assert.equal(obj.keyID, 'k1');
    assert.equal(obj.encryptedDEKSourceType, DEK_SOURCE_HKDF_SEED);

    const deadline = Date.now() + 5000;
    while (events.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(
      events.map((e) => text(e.kv.value)),
      ['first', 'second', 'third'],
      'in revision order although the first two waited for a Decrypt',
    );
    assert.equal(kms.state.decrypts, 1, "one Decrypt for a's seed, then cached");
    assert.equal(text((await b.get('/registry/secrets/ns/two'))!.value), 'second');
    assert.equal(kms.state.decrypts, 1);
    assert.equal((await b.get('/registry/secrets/ns/one'))!.stale, undefined, 'sealed under the current KEK');

    watch.dispose();
    // a KEK rotation the server learns from Status (here: a new server) makes old values stale
    kms.rotate('k2');
    const cfgC = await kmsConfig(socket);
    const c = encryptedStorage(raw, chainResolver(cfgC, resources), () => cfgC.stop());
    const old = (await c.get('/registry/secrets/ns/one'))!;
    assert.deepEqual([text(old.value), old.stale], ['first', true]);
    await c.update('/registry/secrets/ns/one', old.value, old.modRevision);
    const resealed = (await raw.get('/registry/secrets/ns/one'))!.value;
    assert.equal(decodeEncryptedObject(resealed.subarray('k8s:enc:kms:v2:unit:'.length)).keyID, 'k2');
    assert.equal((await c.get('/registry/secrets/ns/one'))!.stale, undefined);
    cfgC.stop();
  } finally {
    cfgA.stop();
    cfgB.stop();
    kms.stop();
    await raw.close();
  }
});
