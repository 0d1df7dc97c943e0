// Three `k8ts server`s on one machine, each with its managed etcd member on private ports
// (data under /tmp/ha-*): the first with --cluster-init, two joining with its token. They serve
// one cluster, the `kubernetes` Endpoints list all three, exactly one controller manager is
// active, a wrong token is refused, and after kill -9 of one server the others still read and
// write (and a new controller manager takes over). Skipped without /usr/bin/etcd.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ROOT, type TestServer } from './harness.js';
import { etcdAvailable } from '../unit/storage/etcd-fixture.js';
import { leaseHolder, serverToken, threeServers } from './ha-fixture.js';

const dirs: string[] = [];

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(join(ROOT, 'bin', 'k8ts'), args, { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function endpointPorts(s: TestServer): Promise<number[]> {
  const r = await s.kubectl(['get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[*].ports[*].port}']);
  return r.stdout.split(/\s+/).filter(Boolean).map(Number).sort();
}

/** Which of the servers runs the active controller manager (its child logged the lease). */
function activeOf(servers: TestServer[], holder: string): TestServer[] {
  return servers.filter((s) =>
    s.log().includes(`"lease":"kube-system/kube-controller-manager","identity":"${holder}"`),
  );
}

describe('three servers on a managed etcd', { skip: !etcdAvailable() && 'needs /usr/bin/etcd' }, () => {
  const servers: TestServer[] = [];
  let token = '';
  before(async () => {
    servers.push(...(await threeServers('ha', dirs)));
    token = serverToken(servers[0]!);
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('prints a K10 join token, and a wrong or malformed token is refused clearly', async () => {
    assert.match(token, /^K10[0-9a-f]{64}::server:[0-9a-f]{32}$/);
    const dir = mkdtempSync('/tmp/ha-');
    dirs.push(dir);
    const base = ['server', '--data-dir', join(dir, 'data'), '--https-listen-port', String(await freePort())];
    const url = `https://127.0.0.1:${servers[0]!.port}`;
    const wrong = await run([
      ...base,
      '--server',
      url,
      '--token',
      token.replace(/:[0-9a-f]{32}$/, ':' + '0'.repeat(32)),
    ]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /refused the join token: it is not this cluster's server token/);
    const otherCA = await run([...base, '--server', url, '--token', `K10${'a'.repeat(64)}::server:x`]);
    assert.equal(otherCA.code, 1);
    assert.match(otherCA.stderr, /token CA hash does not match the Cluster CA certificate hash/);
    const malformed = await run([...base, '--server', url, '--token', 'abc']);
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /invalid --token: want the full join token K10<ca-hash>::server:<secret>/);
  });

  it('serves one cluster: a write on one server is read on the others', async () => {
    const [a, b, c] = servers as [TestServer, TestServer, TestServer];
    assert.equal((await a.kubectl(['create', 'configmap', 'from-a', '--from-literal=k=v'])).code, 0);
    for (const s of [b, c]) {
      const r = await s.kubectl(['get', 'configmap', 'from-a', '-o', 'jsonpath={.data.k}']);
      assert.equal(r.stdout, 'v', r.stderr);
    }
    const members = await run(['etcd', 'member', 'list', '--data-dir', a.dataDir]);
    assert.equal(members.code, 0, members.stderr);
    assert.equal(members.stdout.trim().split('\n').length, 4, members.stdout); // header + 3
  });

  it('lists every API server in the kubernetes Endpoints, with one identity Lease each', async () => {
    const want = servers.map((s) => s.port).sort();
    await until('3 endpoints', async () =>
      JSON.stringify(await endpointPorts(servers[0]!)) === JSON.stringify(want) ? true : undefined,
    );
    const leases = await servers[1]!.kubectl([
      '-n',
      'kube-system',
      'get',
      'lease',
      '-l',
      'apiserver.kubernetes.io/identity=kube-apiserver',
      '-o',
      'jsonpath={range .items[*]}{.metadata.labels.kubernetes\\.io/hostname}{" "}{.spec.leaseDurationSeconds}{"\\n"}{end}',
    ]);
    assert.deepEqual(leases.stdout.trim().split('\n').sort(), ['ha-1 3600', 'ha-2 3600', 'ha-3 3600']);
  });

  it('runs exactly one active controller manager', async () => {
    const holder = await until(
      'a controller-manager leader',
      async () => (await leaseHolder(servers[0]!, 'kube-controller-manager')) || undefined,
    );
    assert.equal(activeOf(servers, holder).length, 1);
    assert.equal(servers.filter((s) => s.log().includes('"msg":"controllers started"')).length, 1);
  });

  it('after kill -9 of the leader server the others read, write, drop it from the endpoints and elect a new controller manager', async () => {
    const holder = await leaseHolder(servers[0]!, 'kube-controller-manager');
    const victim = activeOf(servers, holder)[0]!;
    const rest = servers.filter((s) => s !== victim);
    const killedAt = Date.now();
    await victim.stop('SIGKILL');
    let i = 0;
    await until('a write through a surviving server', async () => {
      const r = await rest[0]!.kubectl(['create', 'configmap', `after-kill-${i++}`, '--request-timeout=2s']);
      return r.code === 0 ? true : undefined;
    });
    const writeMs = Date.now() - killedAt;
    const r = await rest[1]!.kubectl(['get', 'configmap', 'from-a', '-o', 'jsonpath={.data.k}']);
    assert.equal(r.stdout, 'v');
    const newHolder = await until('a new controller-manager leader', async () => {
      const h = await leaseHolder(rest[0]!, 'kube-controller-manager');
      return h && h !== holder ? h : undefined;
    });
    const takeoverMs = Date.now() - killedAt;
    assert.equal(activeOf(rest, newHolder).length, 1);
    const want = rest.map((s) => s.port).sort();
    await until('the dead server gone from the endpoints', async () =>
      JSON.stringify(await endpointPorts(rest[0]!)) === JSON.stringify(want) ? true : undefined,
    );
    const endpointsMs = Date.now() - killedAt;
    const memberName = readFileSync(join(victim.dataDir, 'server', 'db', 'etcd-name'), 'utf8').trim();
    const removed = await run(['etcd', 'member', 'remove', memberName, '--data-dir', rest[0]!.dataDir]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(
      removed.stdout,
      new RegExp(`^Member [0-9a-f]+ \\(${memberName}\\) removed from the cluster`),
    );
    const members = await run(['etcd', 'member', 'list', '--data-dir', rest[1]!.dataDir]);
    assert.equal(members.stdout.trim().split('\n').length, 3, members.stdout);
    assert.doesNotMatch(members.stdout, new RegExp(memberName));
    const again = await run(['etcd', 'member', 'remove', memberName, '--data-dir', rest[0]!.dataDir]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`etcd member "${memberName}" not found`));
    assert.equal((await rest[1]!.kubectl(['create', 'configmap', 'after-remove'])).code, 0);
    process.stdout.write(
      `# failover: first write ${writeMs} ms, controller-manager taken over ${takeoverMs} ms, endpoints updated ${endpointsMs} ms\n`,
    );
  });
});
