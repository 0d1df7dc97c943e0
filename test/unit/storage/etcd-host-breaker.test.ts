// The etcd client's per-host circuit: open after 3 connection failures, one probe after
// HALF_OPEN_MS, closed again by the first success (so a restarted member serves at once).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GRPCUnavailableError } from 'etcd3';
import {
  EtcdHostUnavailableError,
  HALF_OPEN_MS,
  hostBreaker,
} from '../../../src/storage/etcd/host-breaker.js';

describe('etcd host breaker', () => {
  it('opens after 3 unavailable calls, probes after the half-open delay, closes on success', async () => {
    let t = 0;
    const b = hostBreaker('127.0.0.1:2379', () => t);
    const down = () => Promise.reject(new GRPCUnavailableError('connect ECONNREFUSED'));
    for (let i = 0; i < 3; i++) await assert.rejects(b.execute(down), GRPCUnavailableError);
    let called = false;
    await assert.rejects(
      b.execute(() => {
        called = true;
        return 1;
      }),
      EtcdHostUnavailableError,
    );
    assert.equal(called, false);
    t += HALF_OPEN_MS;
    await assert.rejects(b.execute(down), GRPCUnavailableError); // the probe fails: open again
    await assert.rejects(
      b.execute(() => 1),
      EtcdHostUnavailableError,
    );
    t += HALF_OPEN_MS;
    assert.equal(await b.execute(() => 'ok'), 'ok');
    assert.equal(await b.execute(() => 'again'), 'again');
  });

  it('counts only connection failures: a refusal from etcd keeps the circuit closed', async () => {
    const b = hostBreaker('h', () => 0);
    for (let i = 0; i < 5; i++)
      await assert.rejects(b.execute(() => Promise.reject(new Error('etcdserver: request is too large'))));
    assert.equal(await b.execute(() => 2), 2);
  });
});
