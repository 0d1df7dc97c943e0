// What each built-in signer accepts, with upstream's messages (recorded as Failed conditions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCSR } from '../../../src/pki/csr.js';
import { signerRefusal } from '../../../src/controllers/certificates/validators.js';
import { csrPem } from './fixtures.js';

const CLIENT = 'kubernetes.io/kube-apiserver-client';
const KUBELET_CLIENT = 'kubernetes.io/kube-apiserver-client-kubelet';
const SERVING = 'kubernetes.io/kubelet-serving';

test('kube-apiserver-client: client auth required, only signature/encipherment besides', async () => {
  const csr = parseCSR(await csrPem('CN=jane, O=dev'));
  assert.equal(
    signerRefusal(CLIENT, csr, ['client auth', 'digital signature', 'key encipherment']),
    undefined,
  );
  assert.equal(
    signerRefusal(CLIENT, csr, ['digital signature']),
    'missing required usage for client certificate: client auth',
  );
  assert.equal(
    signerRefusal(CLIENT, csr, ['client auth', 'server auth']),
    'invalid usage for client certificate: server auth',
  );
});

test('kube-apiserver-client-kubelet: O=system:nodes, CN=system:node:<name>, no SANs, kubelet usages', async () => {
  const usages = ['digital signature', 'client auth'];
  const ok = parseCSR(await csrPem('O=system:nodes, CN=system:node:n1'));
  assert.equal(signerRefusal(KUBELET_CLIENT, ok, usages), undefined);
  assert.equal(
    signerRefusal(KUBELET_CLIENT, ok, ['digital signature', 'key encipherment', 'client auth']),
    undefined,
  );
  assert.equal(
    signerRefusal(KUBELET_CLIENT, parseCSR(await csrPem('O=devs, CN=system:node:n1')), usages),
    'subject organization is not system:nodes',
  );
  assert.equal(
    signerRefusal(KUBELET_CLIENT, parseCSR(await csrPem('O=system:nodes, CN=n1')), usages),
    'subject common name does not begin with system:node:',
  );
  assert.equal(
    signerRefusal(
      KUBELET_CLIENT,
      parseCSR(await csrPem('O=system:nodes, CN=system:node:n1', [{ type: 'dns', value: 'n1' }])),
      usages,
    ),
    'DNS subjectAltNames are not allowed',
  );
  assert.equal(
    signerRefusal(KUBELET_CLIENT, ok, ['client auth']),
    'usages did not match [client auth digital signature key encipherment]',
  );
});

test('kubelet-serving: needs a DNS or IP SAN and server usages', async () => {
  const usages = ['digital signature', 'key encipherment', 'server auth'];
  const ok = parseCSR(await csrPem('O=system:nodes, CN=system:node:n1', [{ type: 'ip', value: '10.0.0.5' }]));
  assert.equal(signerRefusal(SERVING, ok, usages), undefined);
  assert.equal(
    signerRefusal(SERVING, parseCSR(await csrPem('O=system:nodes, CN=system:node:n1')), usages),
    'DNS or IP subjectAltName is required',
  );
  assert.equal(
    signerRefusal(
      SERVING,
      parseCSR(
        await csrPem('O=system:nodes, CN=system:node:n1', [
          { type: 'email', value: 'a@b.c' },
          { type: 'dns', value: 'n1' },
        ]),
      ),
      usages,
    ),
    'Email subjectAltNames are not allowed',
  );
  assert.equal(
    signerRefusal(SERVING, ok, ['client auth']),
    'usages did not match [digital signature key encipherment server auth]',
  );
});

test('a tampered request fails its signature check', async () => {
  const pem = await csrPem('CN=jane');
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - 5] ^= 0xff; // inside the signature
  const bad = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
  assert.throws(() => parseCSR(bad), /x509: ECDSA verification failure|asn1/);
});
