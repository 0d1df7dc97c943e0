// XSalsa20-Poly1305 (secretbox) against published vectors: RFC 8439 for Poly1305, ECRYPT for
// Salsa20, NaCl's tests (core/secretbox) for HSalsa20 and the whole box.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { poly1305 } from '../../../src/storage/encryption/poly1305.js';
import { hsalsa20, salsa20Xor } from '../../../src/storage/encryption/salsa20.js';
import { secretboxOpen, secretboxSeal } from '../../../src/storage/encryption/secretbox.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const FIRSTKEY = hex('1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389');
const NONCE = hex('69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37');
const MESSAGE = hex(`
  be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffc
  e5ecbaaf33bd751a1ac728d45e6c61296cdc3c01233561f41db66cce314adb31
  0e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde
  048977eb48f59ffd4924ca1c60902e52f0a089bc76897040e082f93776384864
  5e0705`);
const BOXED = hex(`
  f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce
  48332ea7164d96a4476fb8c531a1186ac0dfc17c98dce87b4da7f011ec48c972
  71d2c20f9b928fe2270d6fb863d51738b48eeee314a7cc8ab932164548e526ae
  90224368517acfeabd6bb3732bc0e9da99832b61ca01b6de56244a9e88d5f9b3
  7973f622a43d14a6599b1f654cb45a74e355a5`);

test('Poly1305 matches RFC 8439 §2.5.2', () => {
  const key = hex('85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b');
  const tag = poly1305(key, Buffer.from('Cryptographic Forum Research Group'));
  assert.equal(Buffer.from(tag).toString('hex'), 'a8061dc1305136c6c22b8baf0c0127a9');
});

test('Salsa20 keystream matches ECRYPT set 1 vector 0 (256-bit key)', () => {
  const key = new Uint8Array(32);
  key[0] = 0x80;
  const stream = salsa20Xor(key, new Uint8Array(8), new Uint8Array(64));
  assert.equal(
    Buffer.from(stream).toString('hex'),
    'e3be8fdd8beca2e3ea8ef9475b29a6e7003951e1097a5c38d23b7a5fad9f6844' +
      'b22c97559e2723c7cbbd3fe4fc8d9a0744652a83e72a9c461876af4d7ef1a117',
  );
});

test('HSalsa20 derives NaCl firstkey from the box shared secret (NaCl tests/core1.c)', () => {
  const shared = hex('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
  assert.deepEqual(Buffer.from(hsalsa20(shared, new Uint8Array(16))), FIRSTKEY);
});

test('secretbox seals NaCl tests/secretbox.c to the published box and opens it again', () => {
  assert.deepEqual(Buffer.from(secretboxSeal(MESSAGE, NONCE, FIRSTKEY)), BOXED);
  assert.deepEqual(Buffer.from(secretboxOpen(BOXED, NONCE, FIRSTKEY)!), MESSAGE);
});

test('secretbox refuses a tampered box, a wrong nonce and a short box', () => {
  const bad = Buffer.from(BOXED);
  bad[20] ^= 1;
  assert.equal(secretboxOpen(bad, NONCE, FIRSTKEY), undefined);
  const nonce = Buffer.from(NONCE);
  nonce[0] ^= 1;
  assert.equal(secretboxOpen(BOXED, nonce, FIRSTKEY), undefined);
  assert.equal(secretboxOpen(BOXED.subarray(0, 8), NONCE, FIRSTKEY), undefined);
});

test('secretbox round-trips empty and multi-block messages', () => {
  for (const n of [0, 1, 63, 64, 65, 1000]) {
    const m = Buffer.alloc(n, 7);
    assert.deepEqual(Buffer.from(secretboxOpen(secretboxSeal(m, NONCE, FIRSTKEY), NONCE, FIRSTKEY)!), m);
  }
});
