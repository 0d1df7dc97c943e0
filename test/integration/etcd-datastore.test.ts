// `k8ts server --datastore-endpoint http://...` on a real etcd: kubectl works as on SQLite,
// watches see writes, and a restarted server finds everything. Skipped without etcd-server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';
import { etcdAvailable, startEtcd, type EtcdProcess } from '../unit/storage/etcd-fixture.js';

describe('etcd datastore', { skip: !etcdAvailable() && 'needs /usr/bin/etcd' }, () => {
  let etcd: EtcdProcess;
  let s: TestServer;
  before(async () => {
    etcd = await startEtcd();
    s = await startServer(['--datastore-endpoint', etcd.endpoint, '--disable-controller-manager']);
  });
  after(async () => {
    await s?.stop();
    if (s) cleanup(s);
    await etcd?.stop();
  });

  it('serves kubectl, and a restarted server finds what was written', async () => {
    assert.equal((await s.kubectl(['create', 'namespace', 'e'])).code, 0);
    for (let i = 0; i < 20; i++) {
      const r = await s.kubectl(['-n', 'e', 'create', 'configmap', `c${i}`, `--from-literal=i=${i}`]);
      assert.equal(r.code, 0, r.stderr);
    }
    const listed = await s.kubectl(['-n', 'e', 'get', 'configmaps', '-o', 'name', '--chunk-size=7']);
    assert.equal(listed.stdout.split('\n').filter((l) => l.startsWith('configmap/c')).length, 20);
    const before = await s.kubectl([
      '-n',
      'e',
      'get',
      'configmap',
      'c3',
      '-o',
      'jsonpath={.metadata.resourceVersion}',
    ]);
    await s.stop();
    s = await startServer(['--datastore-endpoint', etcd.endpoint, '--disable-controller-manager'], {
      dir: s.dir,
      port: s.port,
    });
    const again = await s.kubectl([
      '-n',
      'e',
      'get',
      'configmap',
      'c3',
      '-o',
      'jsonpath={.data.i} {.metadata.resourceVersion}',
    ]);
    assert.equal(again.stdout, `3 ${before.stdout}`);
    const big = await s.kubectl(
      ['-n', 'e', 'create', '-f', '-'],
      JSON.stringify({
        // within the API's 3 MiB request limit and free of per-field size rules, over etcd's 1.5 MiB
        apiVersion: 'v1',
        kind: 'PodTemplate',
        metadata: { name: 'big' },
        template: {
          spec: { containers: [{ name: 'c', image: 'busybox', args: Array(2048).fill('y'.repeat(1024)) }] },
        },
      }),
    );
    assert.notEqual(big.code, 0);
    assert.match(big.stderr, /etcdserver: request is too large/);
    assert.equal((await s.kubectl(['-n', 'e', 'get', 'podtemplate', 'big'])).code, 1);
  });
});
