import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/types.js';
import {
  validateObjectMeta,
  validateObjectMetaUpdate,
  dns1035Label,
  dns1123Label,
} from '../../../src/apiserver/registry/meta-validation.js';
import { errorText } from '../../../src/apiserver/registry/validation.js';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

const texts = (obj: KubeObject, namespaced = true, nameValidator?: (n: string) => string[]) =>
  validateObjectMeta(obj, { namespaced, nameValidator }).map(errorText);

describe('validateObjectMeta', () => {
  it('accepts a plain namespaced object', () => {
    assert.deepEqual(texts({ metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } } }), []);
  });

  it('rejects a name that is not a DNS subdomain with upstream text', () => {
    assert.deepEqual(texts({ metadata: { name: 'Bad_Name', namespace: 'default' } }), [
      `metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN_MSG}`,
    ]);
  });

  it('uses the resource name rule: DNS-1035 labels for services, DNS-1123 labels for namespaces', () => {
    assert.deepEqual(texts({ metadata: { name: '1svc', namespace: 'default' } }, true, dns1035Label), [
      `metadata.name: Invalid value: "1svc": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    ]);
    assert.deepEqual(texts({ metadata: { name: 'my.ns' } }, false, dns1123Label), [
      `metadata.name: Invalid value: "my.ns": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ]);
  });

  it('requires a name or generateName, and a namespace only where the type has one', () => {
    assert.deepEqual(texts({ metadata: { namespace: 'default' } }), [
      'metadata.name: Required value: name or generateName is required',
    ]);
    assert.deepEqual(texts({ metadata: { name: 'x' } }), ['metadata.namespace: Required value']);
    assert.deepEqual(texts({ metadata: { name: 'x', namespace: 'default' } }, false), [
      'metadata.namespace: Forbidden: not allowed on this type',
    ]);
  });

  it('checks generateName as a name prefix (a trailing dash is fine)', () => {
    assert.deepEqual(
      texts({ metadata: { generateName: 'web-', name: 'web-abcde', namespace: 'default' } }),
      [],
    );
    assert.deepEqual(texts({ metadata: { generateName: 'Web-', name: 'web-abcde', namespace: 'default' } }), [
      `metadata.generateName: Invalid value: "Web-": ${SUBDOMAIN_MSG}`,
    ]);
  });

  it('reports bad label keys and values on metadata.labels', () => {
    assert.deepEqual(
      texts({ metadata: { name: 'x', namespace: 'd', labels: { 'bad key': 'ok', ok: '-bad' } } }),
      [
        `metadata.labels: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
        `metadata.labels: Invalid value: "-bad": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      ],
    );
  });

  it('limits annotations to 256 KiB in total', () => {
    const big = 'x'.repeat(256 * 1024);
    assert.deepEqual(texts({ metadata: { name: 'x', namespace: 'd', annotations: { a: big } } }), [
      'metadata.annotations: Too long: may not be more than 262144 bytes',
    ]);
  });

  it('requires apiVersion, kind, name and uid of owner references, and at most one controller', () => {
    const errs = texts({
      metadata: {
        name: 'x',
        namespace: 'd',
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '', controller: true },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: 'u2', controller: true },
        ],
      },
    });
    assert.equal(errs[0], 'metadata.ownerReferences.uid: Invalid value: "": uid must not be empty');
    assert.match(
      errs[1],
      /^metadata\.ownerReferences: Invalid value: .*: Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/a and ReplicaSet\/b$/,
    );
  });

  it('rejects finalizers that are neither standard nor domain-qualified', () => {
    assert.deepEqual(
      texts({
        metadata: { name: 'x', namespace: 'd', finalizers: ['kubernetes', 'example.com/ok', 'custom'] },
      }),
      [
        'metadata.finalizers[2]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
      ],
    );
  });
});

describe('validateObjectMetaUpdate', () => {
  const old: KubeObject = {
    metadata: { name: 'a', namespace: 'd', uid: 'u1', creationTimestamp: '2024-01-01T00:00:00Z' },
  };

  it('keeps name, namespace, uid and creationTimestamp immutable', () => {
    const next: KubeObject = { metadata: { ...old.metadata, name: 'b', uid: 'u2' } };
    assert.deepEqual(validateObjectMetaUpdate(next, old).map(errorText), [
      'metadata.name: Invalid value: "b": field is immutable',
      'metadata.uid: Invalid value: "u2": field is immutable',
    ]);
  });

  it('forbids new finalizers once deletion started', () => {
    const deleting: KubeObject = {
      metadata: { ...old.metadata, deletionTimestamp: '2024-01-02T00:00:00Z', finalizers: ['a.io/x'] },
    };
    const next: KubeObject = { metadata: { ...deleting.metadata, finalizers: ['a.io/x', 'b.io/y'] } };
    assert.deepEqual(validateObjectMetaUpdate(next, deleting).map(errorText), [
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}',
    ]);
  });
});
