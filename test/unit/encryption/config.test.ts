// EncryptionConfiguration parsing with upstream's validation messages, and which provider chain
// each resource gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEncryptionConfiguration } from '../../../src/storage/encryption/config.js';

const KEY32 = Buffer.alloc(32, 1).toString('base64');
const doc = (resources: string) =>
  `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n${resources}`;

const reject = (text: string, message: string) =>
  assert.throws(
    () => parseEncryptionConfiguration(text),
    (e: Error) => {
      assert.ok(e.message.includes(message), e.message);
      return true;
    },
  );

test('the seed configuration (aescbc key1, identity fallback) encrypts secrets only', () => {
  const cfg = parseEncryptionConfiguration(
    doc(
      `- resources: [secrets]\n  providers:\n  - aescbc:\n      keys:\n      - name: key1\n        secret: ${KEY32}\n  - identity: {}\n`,
    ),
  );
  const chain = cfg.chainFor('', 'secrets')!;
  assert.deepEqual(
    chain.transformers.map((t) => t.name),
    ['aescbc/key1', 'identity'],
  );
  const sealed = chain.seal(Buffer.from('hello'), '/registry/secrets/default/s');
  assert.ok(Buffer.from(sealed).toString('latin1').startsWith('k8s:enc:aescbc:v1:key1:'));
  assert.equal(cfg.chainFor('', 'configmaps'), undefined);
});

test('exact resources win over group and global wildcards', () => {
  const cfg = parseEncryptionConfiguration(
    doc(
      [
        `- resources: ['*.*']\n  providers:\n  - secretbox:\n      keys: [{name: all, secret: ${KEY32}}]`,
        `- resources: ['*.apps']\n  providers:\n  - aesgcm:\n      keys: [{name: apps, secret: ${KEY32}}]`,
        `- resources: [configmaps]\n  providers:\n  - identity: {}`,
        '',
      ].join('\n'),
    ),
  );
  assert.equal(cfg.chainFor('', 'configmaps')!.transformers[0].name, 'identity');
  assert.equal(cfg.chainFor('apps', 'deployments')!.transformers[0].name, 'aesgcm/apps');
  assert.equal(cfg.chainFor('', 'secrets')!.transformers[0].name, 'secretbox/all');
  assert.equal(cfg.catchAll()!.transformers[0].name, 'secretbox/all');
});

test('a key of the wrong length is refused with the length and REDACTED value', () => {
  reject(
    doc(
      `- resources: [secrets]\n  providers:\n  - aescbc:\n      keys: [{name: k, secret: ${Buffer.alloc(8).toString('base64')}}]\n`,
    ),
    'resources[0].providers[0].aescbc.keys[0].secret: Invalid value: "REDACTED": secret is not of the expected length, got 8, expected one of [16 24 32]',
  );
  reject(
    doc(
      `- resources: [secrets]\n  providers:\n  - secretbox:\n      keys: [{name: k, secret: ${Buffer.alloc(16).toString('base64')}}]\n`,
    ),
    'got 16, expected one of [32]',
  );
});

test('a key that is not base64, or without a name, is refused', () => {
  reject(
    doc(
      `- resources: [secrets]\n  providers:\n  - aesgcm:\n      keys: [{name: k, secret: 'not base64!'}]\n`,
    ),
    'resources[0].providers[0].aesgcm.keys[0].secret: Invalid value: "REDACTED": secrets must be base64 encoded',
  );
  reject(
    doc(`- resources: [secrets]\n  providers:\n  - aesgcm:\n      keys: [{secret: ${KEY32}}]\n`),
    'resources[0].providers[0].aesgcm.keys[0].name: Required value: name is a mandatory field for a key',
  );
});

test('bad resource lists are refused with upstream messages', () => {
  const idp = `\n  providers:\n  - identity: {}\n`;
  reject(doc(`- resources: ['*']${idp}`), "use '*.' to encrypt all the resources from core API group");
  reject(doc(`- resources: [Secrets]${idp}`), 'resource name should not contain capital letters');
  reject(doc(`- resources: [secrets, '*.']${idp}`), "using overlapping resources such as 'secrets' and '*.'");
  reject(
    doc(`- resources: [secrets, secrets]${idp}`),
    'the same resource cannot be specified multiple times',
  );
  reject(doc(`- resources: ['pods.*']${idp}`), 'encrypting the same resource across groups is not supported');
  reject(doc(`- resources: [events.events.k8s.io]${idp}`), "Use 'events' instead in the config file");
});

test('providers must name exactly one kind, and a resource list needs providers', () => {
  reject(
    doc(`- resources: [secrets]\n  providers:\n  - {}\n`),
    'provider does not contain any of the expected providers',
  );
  reject(
    doc(
      `- resources: [secrets]\n  providers:\n  - identity: {}\n    aescbc: {keys: [{name: a, secret: ${KEY32}}]}\n`,
    ),
    'more than one provider specified in a single element',
  );
  reject(
    doc(`- resources: [secrets]\n`),
    'resources[0].providers: Required value: at least one resources[0].providers is required',
  );
  reject(doc(''), 'resources: Required value');
});

test('the legacy EncryptionConfig kind is not accepted (upstream dropped it)', () => {
  reject(
    'kind: EncryptionConfig\napiVersion: v1\nresources: []\n',
    'no kind "EncryptionConfig" is registered for version "v1"',
  );
});
