// The admission rules of the shutdown sequence, as upstream's WithRetryAfter and WithWaitGroup
// filters answer (k8s.io/apiserver/pkg/server/filters, v1.31).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ShutdownSequence, isExemptFromRetryAfter } from '../../../src/apiserver/shutdown.js';
import type { Res } from '../../../src/apiserver/http/io.js';

const CREATE = '/api/v1/namespaces/default/configmaps';

describe('ShutdownSequence', () => {
  it('serves everything while running and during the shutdown delay', () => {
    const s = new ShutdownSequence({ delayMs: 60_000 });
    assert.equal(s.admit(CREATE, 'kubectl/v1.31.0', false).kind, 'serve');
    s.initiate();
    assert.equal(s.initiated, true);
    assert.equal(s.admit(CREATE, 'kubectl/v1.31.0', false).kind, 'serve');
  });

  it('after the delay, without --shutdown-send-retry-after, answers new requests 503 "apiserver is shutting down"', () => {
    const s = new ShutdownSequence();
    s.initiate();
    s.stopAccepting();
    const a = s.admit(CREATE, 'kubectl/v1.31.0', false);
    assert.equal(a.kind, 'reject');
    if (a.kind !== 'reject') return;
    assert.equal(a.status, 503);
    assert.equal(a.headers['Retry-After'], '1');
    assert.equal(a.headers['Content-Type'], 'application/json');
    assert.deepEqual(JSON.parse(a.body), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'apiserver is shutting down',
      reason: 'ServiceUnavailable',
      code: 503,
    });
    // watches and health probes still pass this filter
    assert.equal(s.admit('/api/v1/pods', 'kubectl/v1.31.0', true).kind, 'serve');
    assert.equal(s.admit('/readyz', 'kubectl/v1.31.0', false).kind, 'serve');
  });

  it('with --shutdown-send-retry-after answers 429 with Retry-After: 5 and Connection: close', () => {
    const s = new ShutdownSequence({ sendRetryAfter: true });
    s.initiate();
    s.stopAccepting();
    for (const longRunning of [false, true]) {
      const a = s.admit(CREATE, 'kubectl/v1.31.0', longRunning);
      assert.equal(a.kind, 'reject');
      if (a.kind !== 'reject') return;
      assert.equal(a.status, 429);
      assert.equal(a.body, 'The apiserver is shutting down, please try again later.\n');
      assert.equal(a.headers['Retry-After'], '5');
      assert.equal(a.headers.Connection, 'close');
      assert.equal(a.headers['Content-Type'], 'text/plain; charset=utf-8');
    }
    for (const path of ['/readyz', '/livez', '/healthz/etcd', '/metrics'])
      assert.equal(s.admit(path, 'curl/8', false).kind, 'serve', path);
    assert.equal(s.admit(CREATE, 'kube-apiserver/v1.31.0 (linux/amd64)', false).kind, 'serve');
  });

  it('exempts health probes, metrics and the loopback client only', () => {
    assert.equal(isExemptFromRetryAfter('/readyz/shutdown', ''), true);
    assert.equal(isExemptFromRetryAfter('/version', 'kubectl/v1.31.0'), false);
    assert.equal(isExemptFromRetryAfter('/version', 'kube-apiserver/v1.31.0'), true);
  });

  it('drains when the last in-flight request finishes, and not before', async () => {
    const s = new ShutdownSequence();
    const a = s.admit(CREATE, 'x', false);
    const b = s.admit(CREATE, 'x', false);
    const watch = s.admit('/api/v1/pods', 'x', true); // not counted
    assert.equal(s.inFlightCount, 2);
    s.initiate();
    s.stopAccepting();
    let drained = false;
    const done = s.drainRequests().then((v) => (drained = v));
    if (a.kind === 'serve') a.done();
    if (a.kind === 'serve') a.done(); // twice counts once
    await Promise.resolve();
    assert.equal(drained, false);
    if (watch.kind === 'serve') watch.done();
    if (b.kind === 'serve') b.done();
    await done;
    assert.equal(drained, true);
  });

  it('reports a drain the request timeout cut short', async () => {
    const s = new ShutdownSequence({ requestTimeoutMs: 1 });
    s.admit(CREATE, 'x', false);
    s.stopAccepting();
    assert.equal(await s.drainRequests(), false);
  });

  it('ends open watches (after their grace period when one is set)', async () => {
    const ended: string[] = [];
    const res = (name: string) => ({ end: () => ended.push(name) }) as unknown as Res;
    const s = new ShutdownSequence({ watchGraceMs: 60_000 });
    const a = res('a');
    s.trackWatch(a);
    const gone = s.endWatches();
    s.untrackWatch(a); // the client went away within the grace period
    assert.equal(await gone, 0);
    s.trackWatch(res('b'));
    assert.equal(s.endOpenWatches(), 1);
    assert.deepEqual(ended, ['b']);
  });
});
