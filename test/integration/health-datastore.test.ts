// /readyz and /livez report the datastore as kube-apiserver does: on an etcd that stops
// answering (SIGSTOP) they fail with 500, "[-]etcd failed: reason withheld" and
// "readyz check failed", kubectl shows that error, `?exclude=etcd` still passes, and once etcd
// answers again they are "ok". Skipped without /usr/bin/etcd.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';
import { etcdAvailable, startEtcd, type EtcdProcess } from '../unit/storage/etcd-fixture.js';

async function until(what: string, fn: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('health endpoints and the datastore', { skip: !etcdAvailable() && 'needs /usr/bin/etcd' }, () => {
  let etcd: EtcdProcess;
  let s: TestServer;
  before(async () => {
    etcd = await startEtcd();
    s = await startServer(['--datastore-endpoint', etcd.endpoint, '--disable-controller-manager']);
  });
  after(async () => {
    process.kill(etcd.pid, 'SIGCONT');
    await s?.stop();
    if (s) cleanup(s);
    await etcd?.stop();
  });

  it('lists its checks with ?verbose while etcd answers', async () => {
    const r = await s.kubectl(['get', '--raw', '/readyz?verbose']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      '[+]ping ok\n[+]etcd ok\n[+]etcd-readiness ok\n[+]informer-sync ok\n[+]shutdown ok\nreadyz check passed\n',
    );
    assert.equal((await s.kubectl(['get', '--raw', '/livez'])).stdout, 'ok');
    assert.equal((await s.kubectl(['get', '--raw', '/readyz/etcd'])).stdout, 'ok');
  });

  it('fails /readyz and /livez with 500 while etcd does not answer, and recovers', async () => {
    process.kill(etcd.pid, 'SIGSTOP');
    try {
      await until('/readyz failing', async () => (await s.api('GET', '/readyz')).status === 500);
      const ready = await s.api('GET', '/readyz');
      assert.equal(ready.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(
        ready.body,
        '[+]ping ok\n[-]etcd failed: reason withheld\n[-]etcd-readiness failed: reason withheld\n' +
          '[+]informer-sync ok\n[+]shutdown ok\nreadyz check failed\n',
      );
      const live = await s.api('GET', '/livez');
      assert.deepEqual(
        [live.status, live.body],
        [500, '[+]ping ok\n[-]etcd failed: reason withheld\nlivez check failed\n'],
      );
      const k = await s.kubectl(['get', '--raw', '/readyz']);
      assert.equal(k.code, 1);
      assert.match(
        k.stderr,
        /Error from server \(InternalError\): an error on the server \(".*\[-\]etcd failed: reason withheld/,
      );
      const one = await s.api('GET', '/readyz/etcd');
      assert.deepEqual([one.status, one.body], [500, 'internal server error: context deadline exceeded\n']);
      const excluded = await s.api('GET', '/readyz?exclude=etcd&exclude=etcd-readiness');
      assert.deepEqual([excluded.status, excluded.body], [200, 'ok']);
    } finally {
      process.kill(etcd.pid, 'SIGCONT');
    }
    await until('/readyz ok again', async () => (await s.api('GET', '/readyz')).body === 'ok');
    assert.equal((await s.api('GET', '/livez')).body, 'ok');
  });
});
