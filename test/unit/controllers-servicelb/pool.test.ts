// LoadBalancer address pools: what --service-lb-pool accepts and hands out.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AddressPool, AddressPoolError } from '../../../src/controllers/servicelb/pool.js';

describe('service LB address pool', () => {
  it('hands out CIDR addresses without network and broadcast, then ranges', () => {
    const p = new AddressPool('192.168.100.0/30, 10.0.0.5-10.0.0.6');
    assert.equal(p.firstFree(new Set()), '192.168.100.1');
    assert.equal(p.firstFree(new Set(['192.168.100.1', '192.168.100.2'])), '10.0.0.5');
    assert.equal(p.firstFree(new Set(['192.168.100.1', '192.168.100.2', '10.0.0.5', '10.0.0.6'])), undefined);
    assert.equal(p.contains('192.168.100.3'), false);
    assert.equal(p.contains('10.0.0.6'), true);
    assert.equal(new AddressPool('10.1.1.1/32').firstFree(new Set()), '10.1.1.1');
  });

  it('refuses bad and overlapping entries with the reason', () => {
    assert.throws(() => new AddressPool('10.0.0.0/33'), {
      message:
        'invalid address pool entry "10.0.0.0/33": want a CIDR (10.0.0.0/28) or a range (10.0.0.10-10.0.0.20)',
    });
    assert.throws(() => new AddressPool('10.0.0.9-10.0.0.1'), AddressPoolError);
    assert.throws(() => new AddressPool('10.0.0.0/24,10.0.0.128/25'), {
      message: 'address pool entries overlap: 10.0.0.0/24,10.0.0.128/25',
    });
    assert.throws(() => new AddressPool(' , '), { message: 'empty address pool' });
  });
});
