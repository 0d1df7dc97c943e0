// A server whose own etcd member dies (kill -9; the server's supervisor restarts it) keeps
// answering API requests, in a 3-server cluster: reads and writes through that server succeed
// once its member is healthy again, and its watch cache sees writes made through another
// server (its watch streams came back). Skipped without /usr/bin/etcd.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type TestServer } from './harness.js';
import { etcdAvailable } from '../unit/storage/etcd-fixture.js';
import { threeServers } from './ha-fixture.js';

const etcdctlAvailable = spawnSync('/usr/bin/etcdctl', ['version']).status === 0;

const dirs: string[] = [];

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const memberPort = (s: TestServer) =>
  (
    JSON.parse(readFileSync(join(s.dataDir, 'server', 'db', 'etcd-member.json'), 'utf8')) as {
      clientPort: number;
    }
  ).clientPort;

/** etcdctl against the member of `s`: stdout and stderr (`endpoint health` reports on stderr). */
function etcdctl(s: TestServer, args: string[]): string {
  const tls = join(s.dataDir, 'server', 'tls', 'etcd');
  const r = spawnSync(
    '/usr/bin/etcdctl',
    [
      `--endpoints=https://127.0.0.1:${memberPort(s)}`,
      `--cacert=${tls}/ca.crt`,
      `--cert=${tls}/client.crt`,
      `--key=${tls}/client.key`,
      '--dial-timeout=1s',
      '--command-timeout=2s',
      ...args,
    ],
    { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8' },
  );
  return r.stdout + r.stderr;
}

/** The server whose member leads Raft, from etcdctl's `endpoint status` (5th column: is leader). */
function etcdLeader(servers: TestServer[]): TestServer {
  const tls = join(servers[0]!.dataDir, 'server', 'tls', 'etcd');
  const out = execFileSync(
    '/usr/bin/etcdctl',
    [
      `--endpoints=${servers.map((s) => `https://127.0.0.1:${memberPort(s)}`).join(',')}`,
      `--cacert=${tls}/ca.crt`,
      `--cert=${tls}/client.crt`,
      `--key=${tls}/client.key`,
      'endpoint',
      'status',
      '-w',
      'simple',
    ],
    { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8' },
  );
  const row = out
    .trim()
    .split('\n')
    .map((r) => r.split(', '))
    .find((f) => f[4] === 'true');
  const leader = servers.find((s) => row?.[0]?.endsWith(`:${memberPort(s)}`));
  if (!leader) throw new Error(`no etcd leader in:\n${out}`);
  return leader;
}

const etcdPid = (s: TestServer) =>
  Number(readFileSync(join(s.dataDir, 'server', 'db', 'etcd.pid'), 'utf8').trim());

describe(
  'a server whose etcd member was restarted',
  {
    skip: !(etcdAvailable() && etcdctlAvailable) && 'needs /usr/bin/etcd and /usr/bin/etcdctl (etcd-client)',
  },
  () => {
    const servers: TestServer[] = [];
    before(async () => {
      servers.push(...(await threeServers('r', dirs)));
    });
    after(async () => {
      await Promise.all(servers.map((s) => s.stop()));
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    for (const round of [1, 2]) {
      it(`still reads, writes and watches after kill -9 of its member (round ${round})`, async () => {
        // the Raft leader's member: its death also makes the others elect a new leader
        const s = etcdLeader(servers);
        const other = servers.find((x) => x !== s)!;
        const before = etcdPid(s);
        process.kill(before, 'SIGKILL');
        await until('the member restarted', async () => {
          try {
            return etcdPid(s) !== before ? true : undefined;
          } catch {
            return undefined;
          }
        });
        await until(
          'the member healthy',
          async () => /is healthy/.test(etcdctl(s, ['endpoint', 'health'])) || undefined,
        );
        const t0 = Date.now();
        let i = 0;
        await until('a write through the server whose member restarted', async () => {
          const r = await s.kubectl(['create', 'configmap', `r${round}-${i++}`, '--request-timeout=3s']);
          return r.code === 0 ? true : undefined;
        });
        const writeMs = Date.now() - t0;
        const get = await s.kubectl(['get', 'configmaps', '-o', 'name', '--request-timeout=5s']);
        assert.equal(get.code, 0, get.stderr);
        const lease = await s.kubectl([
          '-n',
          'kube-system',
          'get',
          'lease',
          'kube-controller-manager',
          '--request-timeout=5s',
        ]);
        assert.equal(lease.code, 0, lease.stderr);
        // the watch cache of `s` follows writes made through another server
        assert.equal((await other.kubectl(['create', 'configmap', `via-other-${round}`])).code, 0);
        await until(
          "the other server's write seen by a cached list",
          async () => {
            const r = await s.api('GET', '/api/v1/namespaces/default/configmaps?resourceVersion=0');
            return r.status === 200 && r.body.includes(`"via-other-${round}"`) ? true : undefined;
          },
          30_000,
        );
        process.stdout.write(
          `# round ${round}: first write through the server ${writeMs} ms after its member was healthy again (${s.proc.pid === servers[0]!.proc.pid ? 'first server' : 'joined server'})\n`,
        );
      });
    }
  },
);
