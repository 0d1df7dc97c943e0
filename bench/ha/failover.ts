// HA failover figures (prints, asserts nothing): three `k8ts server`s on their managed etcd
// members (one machine, private ports, data in /tmp/ha-*), a writer creating ConfigMaps one
// after another through a server that survives, and two faults:
//   1. kill -9 of the etcd leader member alone (its server's supervisor restarts it): p99 and
//      worst write latency meanwhile, failed writes, time until the member is healthy again;
//   2. kill -9 of the server running the active controller manager: time to the next
//      successful write, to the new controller-manager leader, to the endpoints without it.
// Usage: npm run build && node dist/bench/ha/failover.js
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientHttp2Session } from 'node:http2';
import { call, credsFromKubeconfig, percentile, session } from '../api/client.js';
import { type TestServer } from '../../test/integration/harness.js';
import { haServer, leaseHolder } from '../../test/integration/ha-fixture.js';

const dirs: string[] = [];

const memberOf = (s: TestServer) =>
  JSON.parse(readFileSync(join(s.dataDir, 'server', 'db', 'etcd-member.json'), 'utf8')) as {
    clientPort: number;
  };

/** etcdctl with the member's client certificate; stdout and stderr (`endpoint health` reports on stderr). */
function etcdctl(s: TestServer, args: string[]): Promise<string> {
  const m = memberOf(s);
  const tls = join(s.dataDir, 'server', 'tls', 'etcd');
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/etcdctl',
      [
        `--endpoints=https://127.0.0.1:${m.clientPort}`,
        `--cacert=${tls}/ca.crt`,
        `--cert=${tls}/client.crt`,
        `--key=${tls}/client.key`,
        '--dial-timeout=1s',
        ...args,
      ],
      { env: { ...process.env, ETCDCTL_API: '3' } },
      (_err, stdout, stderr) => resolve(stdout + stderr),
    );
  });
}

/** The server whose etcd member leads Raft (etcdctl's simple status: endpoint, id, version, size, is leader, ...). */
async function etcdLeader(servers: TestServer[]): Promise<TestServer> {
  const rows = (await etcdctl(servers[0]!, ['endpoint', 'status', '--cluster', '-w', 'simple']))
    .trim()
    .split('\n');
  const endpoint = rows.map((r) => r.split(', ')).find((f) => f[4] === 'true')![0]!;
  return servers.find((s) => endpoint.endsWith(`:${memberOf(s).clientPort}`))!;
}

interface Write {
  at: number;
  ms: number;
  ok: boolean;
}

/** Creates ConfigMaps back to back (2 s timeout each, a new session after an error) until stopped. */
function writer(server: TestServer) {
  const writes: Write[] = [];
  let running = true;
  let i = 0;
  let s: ClientHttp2Session | undefined;
  const done = (async () => {
    while (running) {
      if (!s || s.closed || s.destroyed) {
        s = session(credsFromKubeconfig(server.kubeconfig));
        s.on('error', () => s?.destroy());
      }
      const at = performance.now();
      let ok = false;
      try {
        ok = await Promise.race([
          call(s, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `w-${i++}` } }).then(
            (r) => r.status === 201,
          ),
          new Promise<boolean>((r) => setTimeout(() => r(false), 2000)),
        ]);
      } catch {
        s.destroy();
      }
      writes.push({ at, ms: performance.now() - at, ok });
    }
    s?.close();
  })();
  return {
    writes,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

async function until(fn: () => Promise<boolean> | boolean, ms = 120_000): Promise<number> {
  const t0 = performance.now();
  while (!(await fn())) {
    if (performance.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now();
}

async function main(): Promise<void> {
  const servers = [await haServer('ha-1', ['--cluster-init'], dirs)];
  const token = readFileSync(join(servers[0]!.dataDir, 'server', 'token'), 'utf8').trim();
  const url = `https://127.0.0.1:${servers[0]!.port}`;
  for (const n of ['ha-2', 'ha-3'])
    servers.push(await haServer(n, ['--server', url, '--token', token], dirs));
  console.error('# 3 servers up');
  try {
    // 1. the etcd leader member dies alone
    const leader = await etcdLeader(servers);
    const via = servers.find((s) => s !== leader)!;
    const w1 = writer(via);
    await new Promise((r) => setTimeout(r, 2000));
    const killedAt = performance.now();
    // the member's pid, as its watchdog wrote it
    const pid = Number(readFileSync(join(leader.dataDir, 'server', 'db', 'etcd.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    const healthyAt = await until(async () =>
      /is healthy/.test(await etcdctl(leader, ['endpoint', 'health'])),
    );
    await new Promise((r) => setTimeout(r, 2000));
    await w1.stop();
    const during = w1.writes.filter((w) => w.at >= killedAt - 100 && w.at <= healthyAt);
    const lat = during.map((w) => w.ms).sort((a, b) => a - b);
    console.log(
      `etcd leader member kill -9 (server ${leader.port}): back healthy after ${(healthyAt - killedAt).toFixed(0)} ms; ` +
        `${during.length} writes meanwhile, ${during.filter((w) => !w.ok).length} failed, ` +
        `p99 ${percentile(lat, 99).toFixed(0)} ms, worst ${(lat[lat.length - 1] ?? NaN).toFixed(0)} ms`,
    );

    // 2. the server with the active controller manager dies
    // any server answers; print which did not (a server whose etcd member was just restarted)
    let holder = '';
    for (const s of servers) {
      holder = await leaseHolder(s);
      if (holder) break;
      console.error(`# server ${s.port} did not answer the lease read`);
    }
    const victim = servers.find((s) => s.log().includes(`"identity":"${holder}"`));
    if (!victim) throw new Error(`no server runs the controller-manager leader "${holder}"`);
    const rest = servers.filter((s) => s !== victim);
    const w2 = writer(rest[0]!);
    await new Promise((r) => setTimeout(r, 2000));
    const t0 = performance.now();
    await victim.stop('SIGKILL');
    const wroteAt = await until(() => w2.writes.some((w) => w.at > t0 && w.ok));
    const firstOk = w2.writes.find((w) => w.at > t0 && w.ok)!;
    const tookOverAt = await until(async () => {
      const h = await leaseHolder(rest[1]!);
      return h !== '' && h !== holder;
    });
    const endpointsAt = await until(async () => {
      const r = await rest[1]!.kubectl([
        'get',
        'endpoints',
        'kubernetes',
        '-o',
        'jsonpath={.subsets[*].ports[*].port}',
      ]);
      return r.code === 0 && !r.stdout.split(' ').includes(String(victim.port));
    });
    await w2.stop();
    void wroteAt;
    console.log(
      `server kill -9 (active controller manager, ${victim.port}): next successful write after ` +
        `${(firstOk.at + firstOk.ms - t0).toFixed(0)} ms; controller manager taken over after ` +
        `${(tookOverAt - t0).toFixed(0)} ms (lease duration 15 s); kubernetes endpoints without it after ` +
        `${(endpointsAt - t0).toFixed(0)} ms (master lease TTL 15 s, reconcile every 10 s)`,
    );
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

await main();
