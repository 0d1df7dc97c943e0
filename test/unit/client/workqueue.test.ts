import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../../../src/client/workqueue.js';

describe('work queue', () => {
  it('coalesces repeated adds of a waiting key', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    assert.equal(q.length, 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
  });

  it('never hands out a key being processed; a re-add during processing comes back after done()', async () => {
    const q = new WorkQueue();
    q.add('a');
    const key = await q.get();
    q.add('a');
    assert.equal(q.length, 0);
    q.done(key!);
    assert.equal(q.length, 1);
    assert.equal(await q.get(), 'a');
  });

  it('hands a key straight to a waiting worker and releases workers on shutdown', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.add('x');
    assert.equal(await waiting, 'x');
    const idle = q.get();
    q.shutDown();
    assert.equal(await idle, undefined);
  });

  it('rate-limited adds back off exponentially and forget() resets', async () => {
    const q = new WorkQueue(5, 1000);
    q.addRateLimited('k');
    q.addRateLimited('k');
    const t = Date.now();
    assert.equal(await q.get(), 'k');
    assert.ok(Date.now() - t < 500);
    q.forget('k');
    q.shutDown();
  });

  it('keeps one delayed add per key: the earliest ready time wins, a later one is dropped', async () => {
    const q = new WorkQueue();
    q.addAfter('a', 200);
    q.addAfter('a', 5); // replaces the 200 ms timer
    q.addAfter('a', 100); // later than the waiting one: dropped
    assert.equal(await q.get(), 'a');
    q.done('a');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(q.length, 0, 'neither the replaced nor the dropped add came back');
    q.shutDown();
  });
});
