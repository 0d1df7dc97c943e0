// The kms v2 provider's probe as upstream's: the kms-providers health check and its messages, a
// rotation noticed when a read meets an unseen key ID (before the minute's Status poll), and the
// apiserver_envelope_encryption_* metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../../../src/storage/sqlite/backend.js';
import { parseEncryptionConfiguration } from '../../../src/storage/encryption/config.js';
import { chainResolver, encryptedStorage } from '../../../src/storage/encryption/storage.js';
import { decodeEncryptedObject } from '../../../src/storage/encryption/kms/envelope.js';
import { envelopeMetrics, keyIDHash } from '../../../src/storage/encryption/kms/metrics.js';
import { plugin } from './kms-plugin.js';

const PREFIX = 'k8s:enc:kms:v2:unit:';
const resources = new Map([['secrets', { group: '', resource: 'secrets' }]]);
const config = (socket: string) =>
  parseEncryptionConfiguration(`apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - kms: {apiVersion: v2, name: unit, endpoint: "unix://${socket}"}
`);
const keyIDOf = (v: Uint8Array) => decodeEncryptedObject(v.subarray(PREFIX.length)).keyID;

test('a read that meets an unseen key ID makes the server ask Status and write under the new KEK', async () => {
  const socket = join(mkdtempSync(join(tmpdir(), 'k8ts-kms-health-')), 'kms.sock');
  const kms = await plugin(socket);
  const raw = SqliteStorage.open(':memory:');
  const cfgA = config(socket);
  await cfgA.start();
  const a = encryptedStorage(raw, chainResolver(cfgA, resources), () => cfgA.stop());
  try {
    await a.create('/registry/secrets/ns/before', Buffer.from('v'));
    kms.rotate('k2');
    // another server starts after the rotation and writes under k2
    const cfgB = config(socket);
    await cfgB.start();
    const b = encryptedStorage(raw, chainResolver(cfgB, resources), () => cfgB.stop());
    await b.create('/registry/secrets/ns/peer', Buffer.from('p'));
    cfgB.stop();
    // a has not polled (its next Status is a minute away); reading b's value tells it
    assert.equal(Buffer.from((await a.get('/registry/secrets/ns/peer'))!.value).toString(), 'p');
    await cfgA.kmsHealthCheck()!(); // waits for the Status that read started
    await a.create('/registry/secrets/ns/after', Buffer.from('v'));
    assert.equal(keyIDOf((await raw.get('/registry/secrets/ns/before'))!.value), 'k1');
    assert.equal(keyIDOf((await raw.get('/registry/secrets/ns/after'))!.value), 'k2');
    assert.equal((await a.get('/registry/secrets/ns/before'))!.stale, true, 'sealed under an older KEK');
  } finally {
    cfgA.stop();
    kms.stop();
    await raw.close();
  }
});

test("kms-providers: an unhealthy plugin fails the check with upstream's message; start refuses it", async () => {
  const socket = join(mkdtempSync(join(tmpdir(), 'k8ts-kms-health-')), 'kms.sock');
  const kms = await plugin(socket);
  kms.state.healthz = 'degraded';
  const cfg = config(socket);
  try {
    await assert.rejects(cfg.start(), {
      message: 'kmsv2 Provider unit is not healthy, error: got unexpected healthz status: degraded',
    });
  } finally {
    kms.stop();
  }
  // no plugin at all: the status call fails (the answer is kept 3 s, so ask a fresh provider)
  const cfg2 = config(join(mkdtempSync(join(tmpdir(), 'k8ts-kms-health-')), 'none.sock'));
  try {
    await assert.rejects(cfg2.kmsHealthCheck()!(), (err: Error) => {
      assert.match(
        err.message,
        /^kms-provider-0: failed to perform status section of the healthz check for KMS Provider unit, error: rpc error: code = UNAVAILABLE desc = /,
      );
      return true;
    });
  } finally {
    cfg2.stop();
  }
});

test('apiserver_envelope_encryption_* metrics: key ID hashes per direction, Status, latency, cache size', async () => {
  const socket = join(mkdtempSync(join(tmpdir(), 'k8ts-kms-health-')), 'kms.sock');
  const kms = await plugin(socket);
  const raw = SqliteStorage.open(':memory:');
  envelopeMetrics.apiServerID = 'apiserver-unit';
  const cfg = config(socket);
  await cfg.start();
  const s = encryptedStorage(raw, chainResolver(cfg, resources), () => cfg.stop());
  try {
    await s.create('/registry/secrets/ns/m', Buffer.from('v'));
    await s.get('/registry/secrets/ns/m');
    const hash = `sha256:${createHash('sha256').update('k1').digest('hex')}`;
    assert.equal(keyIDHash('k1'), hash);
    assert.equal(keyIDHash(''), '');
    const server = keyIDHash('apiserver-unit');
    const text = envelopeMetrics.render();
    for (const dir of ['to_storage', 'from_storage'])
      assert.match(
        text,
        new RegExp(
          `^apiserver_envelope_encryption_key_id_hash_total\\{transformation_type="${dir}",provider_name="unit",key_id_hash="${hash}",apiserver_id_hash="${server}"\\} [1-9]`,
          'm',
        ),
      );
    assert.match(
      text,
      new RegExp(
        `^apiserver_envelope_encryption_key_id_hash_status_last_timestamp_seconds\\{provider_name="unit",key_id_hash="${hash}",apiserver_id_hash="${server}"\\} \\d`,
        'm',
      ),
    );
    assert.match(text, /^# TYPE apiserver_envelope_encryption_key_id_hash_last_timestamp_seconds gauge$/m);
    assert.match(
      text,
      /^apiserver_envelope_encryption_kms_operations_latency_seconds_count\{provider_name="unit",method_name="\/v2.KeyManagementService\/Status",grpc_status_code="OK"\} [1-9]/m,
    );
    assert.match(
      text,
      /^apiserver_envelope_encryption_kms_operations_latency_seconds_count\{provider_name="unit",method_name="\/v2.KeyManagementService\/Encrypt",grpc_status_code="OK"\} [1-9]/m,
    );
    assert.match(text, /^apiserver_envelope_encryption_dek_source_cache_size\{provider_name="unit"\} [1-9]/m);
  } finally {
    cfg.stop();
    kms.stop();
    await raw.close();
  }
});
