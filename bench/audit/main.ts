// Audit benchmark (prints figures, asserts nothing): request throughput and latency of GETs and
// ConfigMap creates with auditing off, and with a catch-all Metadata policy writing a JSON-lines
// log in the log's default mode (blocking) and in batch mode. Usage: npm run build && node dist/bench/audit/main.js [--requests 5000] [--concurrency 50]
// [--log-dir /dev/shm]
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClientHttp2Session } from 'node:http2';
import { call, credsFromKubeconfig, percentile, session } from '../api/client.js';
import { cleanup, startServer, type TestServer } from '../../test/integration/harness.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '50' },
    /** where the audit log goes (e.g. /dev/shm to take disk contention with SQLite out) */
    'log-dir': { type: 'string' },
  },
});

/** A server without controllers (their writes would be in the figures), and a session to it. */
async function start(extra: string[]): Promise<{ server: TestServer; s: ClientHttp2Session }> {
  const server = await startServer([
    '--disable-controller-manager',
    '--disable-scheduler',
    '--log-level',
    'warn',
    ...extra,
  ]);
  return { server, s: session(credsFromKubeconfig(server.kubeconfig)) };
}

async function run(
  s: ClientHttp2Session,
  total: number,
  conc: number,
  one: (i: number) => Promise<unknown>,
): Promise<{ rps: number; p50: number; p99: number }> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (next < total) {
        const i = next++;
        const a = performance.now();
        await one(i);
        lat.push(performance.now() - a);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  void s;
  return { rps: total / secs, p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

async function measure(label: string, extra: string[], logPath?: string): Promise<void> {
  const { server, s } = await start(extra);
  const total = Number(values.requests);
  const conc = Number(values.concurrency);
  try {
    await call(s, 'POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'bench' },
    });
    // warm-up
    await run(s, 500, conc, () => call(s, 'GET', '/api/v1/namespaces/default'));
    const gets = await run(s, total, conc, () => call(s, 'GET', '/api/v1/namespaces/default'));
    const creates = await run(s, total, conc, (i) =>
      call(s, 'POST', '/api/v1/namespaces/bench/configmaps', {
        metadata: { name: `cm-${i}` },
        data: { i: String(i) },
      }),
    );
    const f = (r: typeof gets) =>
      `${r.rps.toFixed(0)} req/s (p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms)`;
    console.log(`${label}: GET namespace ${f(gets)}; create ConfigMap ${f(creates)}`);
    if (logPath) {
      await new Promise((r) => setTimeout(r, 500));
      console.log(`  audit log: ${(statSync(logPath).size / 1024 / 1024).toFixed(1)} MB`);
    }
  } finally {
    s.close();
    await server.stop();
    cleanup(server);
  }
}

async function main(): Promise<void> {
  console.log(`${values.requests} requests of each kind at concurrency ${values.concurrency}`);
  await measure('audit off', []);
  const dir = mkdtempSync(join(values['log-dir'] ?? tmpdir(), 'k8ts-bench-policy-'));
  writeFileSync(
    join(dir, 'policy.yaml'),
    'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n',
  );
  const logPath = join(dir, 'audit.log');
  // the log's default mode, blocking: a request waits for its RequestReceived line
  await measure(
    'audit Metadata (log mode blocking)',
    ['--audit-policy-file', join(dir, 'policy.yaml'), '--audit-log-path', logPath],
    logPath,
  );
  rmSync(logPath, { force: true });
  await measure(
    'audit Metadata (log mode batch)',
    [
      '--audit-policy-file',
      join(dir, 'policy.yaml'),
      '--audit-log-path',
      logPath,
      '--audit-log-mode',
      'batch',
    ],
    logPath,
  );
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
