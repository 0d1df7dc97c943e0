// `k8ts certs` formatting: kubeadm's residual-time and expiry texts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expiresText, shortHumanDuration } from '../../../src/cli/certs.js';

test('residual time as kubeadm prints it', () => {
  const s = 1000;
  const h = 3600 * s;
  assert.equal(shortHumanDuration(-5 * s), '<invalid>');
  assert.equal(shortHumanDuration(-500), '0s');
  assert.equal(shortHumanDuration(42 * s), '42s');
  assert.equal(shortHumanDuration(59 * 60 * s), '59m');
  assert.equal(shortHumanDuration(23 * h), '23h');
  assert.equal(shortHumanDuration(364 * 24 * h + 5 * h), '364d');
  assert.equal(shortHumanDuration(3649 * 24 * h), '9y');
});

test('EXPIRES as kubeadm prints it (UTC)', () => {
  assert.equal(expiresText(new Date('2020-12-30T23:36:05Z')), 'Dec 30, 2020 23:36 UTC');
  assert.equal(expiresText(new Date('2029-01-02T03:04:05Z')), 'Jan 02, 2029 03:04 UTC');
});
