import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { coreV1Strategies } from '../../../src/apiserver/registry/core/index.js';
import { create, createErrors, row, strategy, update } from './helpers.js';

const configmaps = strategy(coreV1Strategies, 'configmaps');
const secrets = strategy(coreV1Strategies, 'secrets');
const namespaces = strategy(coreV1Strategies, 'namespaces');
const serviceaccounts = strategy(coreV1Strategies, 'serviceaccounts');

const KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

describe('configmaps', () => {
  it('rejects Bad_Name with the exact upstream message', () => {
    assert.deepEqual(createErrors(configmaps, { metadata: { name: 'Bad_Name' }, data: { a: '1' } }), [
      `metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ]);
  });

  it('rejects bad keys and keys in both data and binaryData', () => {
    assert.deepEqual(
      createErrors(configmaps, {
        metadata: { name: 'c' },
        data: { 'a b': '1', '..x': '2', k: 'v' },
        binaryData: { k: 'dg==' },
      }),
      [
        `data[a b]: Invalid value: "a b": ${KEY_MSG}`,
        `data[..x]: Invalid value: "..x": must not start with '..'`,
        'binaryData: Invalid value: "k": duplicate of key present in data',
      ],
    );
  });

  it('keeps immutable config maps unchanged', () => {
    const old = create(configmaps, { metadata: { name: 'c' }, data: { a: '1' }, immutable: true });
    const next = { ...structuredClone(old), data: { a: '2' } };
    assert.deepEqual(update(configmaps, next, old).errors, [
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
  });

  it('counts data and binaryData keys in the DATA column', () => {
    const cm = {
      metadata: { name: 'c', creationTimestamp: '2024-06-01T11:59:30Z' },
      data: { a: '1', b: '2' },
      binaryData: { c: 'AA==' },
    };
    assert.deepEqual(row(configmaps, cm), { Name: 'c', Data: 3, Age: '30s' });
  });
});

describe('secrets', () => {
  it('defaults the type to Opaque and folds stringData into data', () => {
    const s = create(secrets, { metadata: { name: 's' }, data: { a: 'YQ==' }, stringData: { b: 'hello' } });
    assert.equal(s.type, 'Opaque');
    assert.deepEqual(s.data, { a: 'YQ==', b: 'aGVsbG8=' });
    assert.equal(s.stringData, undefined);
  });

  it('requires the keys of well-known types', () => {
    assert.deepEqual(
      createErrors(secrets, {
        metadata: { name: 's' },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': 'YQ==' },
      }),
      ['data[tls.key]: Required value'],
    );
    assert.deepEqual(
      createErrors(secrets, { metadata: { name: 's' }, type: 'kubernetes.io/service-account-token' }),
      ['metadata.annotations[kubernetes.io/service-account.name]: Required value'],
    );
  });

  it('keeps the type immutable', () => {
    const old = create(secrets, { metadata: { name: 's' } });
    assert.deepEqual(
      update(
        secrets,
        { ...structuredClone(old), type: 'kubernetes.io/basic-auth', data: { username: 'dQ==' } },
        old,
      ).errors,
      ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable'],
    );
  });

  it('prints NAME TYPE DATA AGE and selects by type', () => {
    const s = {
      metadata: { name: 's', creationTimestamp: '2024-05-30T12:00:00Z' },
      type: 'Opaque',
      data: { a: 'YQ==' },
    };
    assert.deepEqual(row(secrets, s), { Name: 's', Type: 'Opaque', Data: 1, Age: '2d' });
    assert.equal(secrets.fieldSelectors!.type(s), 'Opaque');
  });
});

describe('namespaces', () => {
  it('creates an Active namespace with the kubernetes finalizer and its name label', () => {
    const ns = create(namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team-a', labels: { env: 'dev' } },
    });
    assert.deepEqual(ns.metadata.labels, { env: 'dev', 'kubernetes.io/metadata.name': 'team-a' });
    assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
    assert.deepEqual(ns.status, { phase: 'Active' });
  });

  it('puts the name label back when a client changes it', () => {
    const old = create(namespaces, { metadata: { name: 'team-a' } });
    const next = structuredClone(old);
    next.metadata.labels = { 'kubernetes.io/metadata.name': 'other' };
    assert.deepEqual(update(namespaces, next, old).obj.metadata.labels, {
      'kubernetes.io/metadata.name': 'team-a',
    });
  });

  it('keeps spec.finalizers on ordinary updates', () => {
    const old = create(namespaces, { metadata: { name: 'team-a' } });
    const next = { ...structuredClone(old), spec: { finalizers: [] } };
    assert.deepEqual(update(namespaces, next, old).obj.spec, { finalizers: ['kubernetes'] });
  });

  it('uses DNS-1123 labels for names', () => {
    const errs = createErrors(namespaces, { metadata: { name: 'a.b' } });
    assert.equal(errs.length, 1);
    assert.ok(
      errs[0].startsWith('metadata.name: Invalid value: "a.b": a lowercase RFC 1123 label must consist of'),
    );
  });

  it('prints NAME STATUS AGE, Terminating once deletion began', () => {
    const ns = create(namespaces, {
      metadata: { name: 'team-a', creationTimestamp: '2024-06-01T10:00:00Z' },
    });
    assert.deepEqual(row(namespaces, ns), { Name: 'team-a', Status: 'Active', Age: '120m' });
    namespaces.beginDeletion!(ns);
    assert.equal(row(namespaces, ns).Status, 'Terminating');
    assert.equal(namespaces.deletionHeld!(ns), true);
    assert.equal(namespaces.fieldSelectors!['status.phase'](ns), 'Terminating');
  });
});

describe('serviceaccounts', () => {
  it('prints NAME SECRETS AGE', () => {
    const sa = { metadata: { name: 'default', creationTimestamp: '2024-06-01T11:00:00Z' } };
    assert.deepEqual(row(serviceaccounts, sa), { Name: 'default', Secrets: 0, Age: '60m' });
  });
});
