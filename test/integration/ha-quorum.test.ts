// Quorum loss in a 3-server managed-etcd cluster (issue #9 "Bad input and faults"): with two
// of the three etcd members frozen (SIGSTOP, so that their supervisors do not restart them),
// writes through the remaining server fail with a 5xx Status instead of hanging, reads from
// its watch cache (resourceVersion=0) keep answering, /readyz names the etcd check, and once
// the members run again writes succeed and nothing acknowledged before was lost.
// Skipped without /usr/bin/etcd.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { eventuallyWithin, type TestServer } from './harness.js';

const eventually = eventuallyWithin(60_000);
import { etcdAvailable } from '../unit/storage/etcd-fixture.js';
import { threeServers } from './ha-fixture.js';

const dirs: string[] = [];
const etcdPid = (s: TestServer) =>
  Number(readFileSync(join(s.dataDir, 'server', 'db', 'etcd.pid'), 'utf8').trim());

describe('quorum loss', { skip: !etcdAvailable() && 'needs /usr/bin/etcd' }, () => {
  const servers: TestServer[] = [];
  const frozen: number[] = [];
  before(async () => {
    servers.push(...(await threeServers('q', dirs)));
  });
  after(async () => {
    for (const pid of frozen) process.kill(pid, 'SIGCONT');
    await Promise.all(servers.map((s) => s.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('fails writes with a 5xx Status, keeps cached reads, and loses no acknowledged write', async () => {
    const s = servers[0]!;
    for (let i = 0; i < 5; i++) {
      const r = await s.kubectl(['create', 'configmap', `before-${i}`]);
      assert.equal(r.code, 0, r.stderr);
    }
    await eventually('every server caches the writes', async () => {
      for (const x of servers) {
        const r = await x.api('GET', '/api/v1/namespaces/default/configmaps?resourceVersion=0');
        if (!r.body.includes('"before-4"')) return false;
      }
      return true;
    });
    for (const x of servers.slice(1)) {
      const pid = etcdPid(x);
      // the pid is that server's etcd member, and it is stopped
      assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), new RegExp(`${x.dataDir}/server/db/etcd`));
      process.kill(pid, 'SIGSTOP');
      frozen.push(pid);
      await eventually(`etcd ${pid} stopped`, async () =>
        /^\S+ \(etcd\) T /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')),
      );
    }
    const members = await s.api('GET', '/readyz/etcd');
    process.stdout.write(`# members frozen: ${frozen.join(', ')}; /readyz/etcd ${members.status}\n`);
    const t0 = Date.now();
    const write = await s.api(
      'POST',
      '/api/v1/namespaces/default/configmaps',
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'during' } }),
      { 'content-type': 'application/json' },
    );
    const ms = Date.now() - t0;
    assert.ok(write.status >= 500 && write.status < 600, `${write.status} ${write.body}`);
    const status = JSON.parse(write.body) as { kind: string; status: string; message: string };
    assert.equal(status.kind, 'Status');
    assert.equal(status.status, 'Failure');
    assert.ok(status.message.length > 0);
    process.stdout.write(`# write without quorum: ${write.status} after ${ms} ms: ${status.message}\n`);
    const cached = await s.api('GET', '/api/v1/namespaces/default/configmaps?resourceVersion=0');
    assert.equal(cached.status, 200);
    for (let i = 0; i < 5; i++) assert.ok(cached.body.includes(`"before-${i}"`), `before-${i}`);
    const ready = await eventually('/readyz fails on etcd', async () => {
      const r = await s.api('GET', '/readyz?verbose');
      return r.status !== 200 ? r : false;
    });
    assert.match(ready.body, /\[-\]etcd/);

    for (const pid of frozen.splice(0)) process.kill(pid, 'SIGCONT');
    await eventually('a write succeeds again', async () => {
      const r = await s.kubectl(['create', 'configmap', 'after', '--request-timeout=5s']);
      return r.code === 0;
    });
    for (const x of servers) {
      const r = await x.kubectl(['get', 'configmaps', '-o', 'name']);
      assert.equal(r.code, 0, r.stderr);
      for (let i = 0; i < 5; i++) assert.match(r.stdout, new RegExp(`^configmap/before-${i}$`, 'm'));
    }
  });
});
