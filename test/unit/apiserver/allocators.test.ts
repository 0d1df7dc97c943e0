import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AllocationError, ServiceAllocators, nthIP } from '../../../src/apiserver/allocators.js';

describe('service IP and node port allocation', () => {
  it('the first service IP is reserved for the kubernetes Service', () => {
    const a = new ServiceAllocators('10.43.0.0/16');
    assert.equal(nthIP('10.43.0.0/16', 1), '10.43.0.1');
    a.claimKubernetesIP();
    const ip = a.allocateServiceIP('IPv4');
    assert.notEqual(ip, '10.43.0.1');
    assert.match(ip, /^10\.43\./);
  });
  it('a requested IP outside the range or taken is refused with upstream text', () => {
    const a = new ServiceAllocators('10.43.0.0/16');
    a.allocateServiceIP('IPv4', '10.43.0.10');
    assert.throws(
      () => a.allocateServiceIP('IPv4', '10.43.0.10'),
      (e: unknown) => e instanceof AllocationError && /provided IP is already allocated/.test(e.message),
    );
    assert.throws(
      () => a.allocateServiceIP('IPv4', '192.168.0.1'),
      /The range of valid IPs is 10\.43\.0\.0\/16/,
    );
  });
  it('node ports come from 30000-32767 and can be released', () => {
    const a = new ServiceAllocators('10.43.0.0/16');
    const p = a.allocateNodePort();
    assert.ok(p >= 30000 && p <= 32767);
    assert.throws(() => a.allocateNodePort(p), /provided port is already allocated/);
    a.releaseNodePort(p);
    assert.equal(a.allocateNodePort(p), p);
    assert.throws(() => a.allocateNodePort(80), /30000-32767/);
  });
});
