// The API on its datastores (prints figures, asserts nothing): one `k8ts server` on the embedded
// SQLite, and three servers on their managed 3-member etcd (Raft; writes through server 1,
// watched from server 2). Figures per datastore: ConfigMap creates per second (concurrency 20),
// list latency of those ConfigMaps (a quorum list from the datastore, and resourceVersion=0
// from the watch cache), and watch latency (create sent → its ADDED event on a watch; the
// event often arrives before the create's answer).
// Usage: npm run build && node dist/bench/ha/datastores.js [creates, default 2000]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientHttp2Session } from 'node:http2';
import { call, credsFromKubeconfig, percentile, session } from '../api/client.js';
import { freePort, startServer, type TestServer } from '../../test/integration/harness.js';

const CONCURRENCY = 20;
const LISTS = 30;
const WATCHED = 200;
const dirs: string[] = [];

async function server(extra: string[]): Promise<TestServer> {
  const dir = mkdtempSync('/tmp/ha-lb-ds-');
  dirs.push(dir);
  return startServer(
    ['--disable-controller-manager', '--disable-scheduler', '--log-level', 'warn', ...extra],
    {
      dir,
      port: await freePort(),
    },
  );
}

async function etcdCluster(): Promise<TestServer[]> {
  const member = async (name: string, extra: string[]) => {
    const ports = [
      '--etcd-client-port',
      String(await freePort()),
      '--etcd-peer-port',
      String(await freePort()),
    ];
    return server(['--node-name', name, '--node-ip', '127.0.0.1', ...ports, ...extra]);
  };
  const first = await member('ds-1', ['--cluster-init']);
  const token = readFileSync(join(first.dataDir, 'server', 'token'), 'utf8').trim();
  const join_ = ['--server', `https://127.0.0.1:${first.port}`, '--token', token];
  return [first, await member('ds-2', join_), await member('ds-3', join_)];
}

const fmt = (x: number) => `${x.toFixed(1)} ms`;

async function measure(
  label: string,
  writeVia: TestServer,
  watchVia: TestServer,
  creates: number,
): Promise<void> {
  const w = session(credsFromKubeconfig(writeVia.kubeconfig));
  const r = session(credsFromKubeconfig(watchVia.kubeconfig));
  const ns = `ds-${Date.now()}`;
  await call(w, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
  const base = `/api/v1/namespaces/${ns}/configmaps`;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < creates) {
        const i = next++;
        const res = await call(w, 'POST', base, { metadata: { name: `c-${i}` }, data: { i: String(i) } });
        if (res.status !== 201) throw new Error(`create ${i}: ${res.status} ${res.body}`);
      }
    }),
  );
  const perSec = creates / ((performance.now() - t0) / 1000);
  const lists = async (query: string) => {
    const times: number[] = [];
    for (let i = 0; i < LISTS; i++) {
      const t = performance.now();
      const res = await call(r, 'GET', `${base}${query}`);
      if (res.status !== 200) throw new Error(`list: ${res.status}`);
      times.push(performance.now() - t);
    }
    return times.sort((a, b) => a - b);
  };
  const quorum = await lists('');
  const cached = await lists('?resourceVersion=0');
  const watch = await watchLatency(w, r, base);
  console.log(
    `${label}: ${perSec.toFixed(0)} creates/s (${creates}, concurrency ${CONCURRENCY}); ` +
      `list of ${creates} p50 ${fmt(percentile(quorum, 50))} p99 ${fmt(percentile(quorum, 99))} (quorum), ` +
      `p50 ${fmt(percentile(cached, 50))} p99 ${fmt(percentile(cached, 99))} (resourceVersion=0); ` +
      `watch latency p50 ${fmt(percentile(watch, 50))} p99 ${fmt(percentile(watch, 99))} (${WATCHED} creates)`,
  );
  w.close();
  r.close();
}

/** One create at a time through `w`; time from sending it to its ADDED event on a watch through `r`. */
async function watchLatency(w: ClientHttp2Session, r: ClientHttp2Session, base: string): Promise<number[]> {
  const seen = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  const stream = r.request({
    ':method': 'GET',
    ':path': `${base}?watch=true&resourceVersion=0&allowWatchBookmarks=false`,
  });
  stream.setEncoding('utf8');
  let buffered = '';
  stream.on('data', (d: string) => {
    buffered += d;
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const name = (JSON.parse(line) as { object: { metadata: { name: string } } }).object.metadata.name;
      seen.set(name, performance.now());
      waiting.get(name)?.();
    }
  });
  const times: number[] = [];
  for (let i = 0; i < WATCHED; i++) {
    const name = `w-${i}`;
    const arrived = new Promise<void>((resolve) => waiting.set(name, resolve));
    const sent = performance.now();
    const res = await call(w, 'POST', base, { metadata: { name } });
    if (res.status !== 201) throw new Error(`create ${name}: ${res.status}`);
    await arrived;
    times.push(seen.get(name)! - sent);
  }
  stream.close();
  return times.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const creates = Number(process.argv[2] ?? 2000);
  const servers: TestServer[] = [];
  try {
    const sqlite = await server([]);
    servers.push(sqlite);
    await measure('SQLite (embedded, 1 server)', sqlite, sqlite, creates);
    await sqlite.stop();
    const etcd = await etcdCluster();
    servers.push(...etcd);
    await measure(
      'etcd (3 managed members, write via server 1, read/watch via server 2)',
      etcd[0]!,
      etcd[1]!,
      creates,
    );
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

await main();
