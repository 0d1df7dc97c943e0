// Cluster DNS benchmark (prints figures, asserts nothing): a `k8ts dns` process in front of a
// real API server with N services; one UDP client keeps `inflight` queries outstanding for
// cluster names and reports queries/s and latency percentiles, then the DNS process's RSS.
// Usage: npm run build && node dist/bench/dns/main.js [--services 1000] [--queries 100000] [--inflight 64]
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadKubeconfig, RestClient } from '../../src/client/rest.js';
import { decode, encode, TYPE } from '../../src/dns/wire.js';
import { cleanup, freePort, ROOT, startServer } from '../../test/integration/harness.js';

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '1000' },
    queries: { type: 'string', default: '100000' },
    inflight: { type: 'string', default: '64' },
  },
});
const N = Number(values.services);
const Q = Number(values.queries);
const INFLIGHT = Number(values.inflight);

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function main(): Promise<void> {
  const s = await startServer(['--disable-controller-manager', '--log-level', 'warn']);
  const client = new RestClient(loadKubeconfig(s.kubeconfig));
  await client.request('POST', '/api/v1/namespaces', { metadata: { name: 'bench' } });
  for (let i = 0; i < N; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, N - i) }, (_, j) =>
        client.request('POST', '/api/v1/namespaces/bench/services', {
          metadata: { name: `svc-${i + j}` },
          spec: { ports: [{ name: 'http', port: 80 }] },
        }),
      ),
    );
  }
  const port = await freePort();
  const dns = spawn(
    join(ROOT, 'bin', 'k8ts'),
    ['dns', '--kubeconfig', s.kubeconfig, '--listen', `127.0.0.1:${port}`],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve) => dns.stdout!.once('data', () => resolve()));

  const sock = createSocket('udp4');
  const sent = new Map<number, number>();
  const latencies: number[] = [];
  let next = 0;
  let nxdomain = 0;
  const queryFor = (i: number) =>
    encode({
      id: i & 0xffff,
      flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0 },
      questions: [{ name: `svc-${i % N}.bench.svc.cluster.local`, type: TYPE.A, class: 1 }],
      answers: [],
      authority: [],
      additional: [],
    });
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const send = () => {
      if (next >= Q) return;
      const i = next++;
      sent.set(i & 0xffff, performance.now());
      sock.send(queryFor(i), port, '127.0.0.1');
    };
    sock.on('message', (msg) => {
      const m = decode(msg);
      const at = sent.get(m.id);
      if (at !== undefined) latencies.push(performance.now() - at);
      if (m.flags.rcode !== 0) nxdomain++;
      if (latencies.length >= Q) return resolve();
      send();
    });
    for (let k = 0; k < INFLIGHT; k++) send();
  });
  const secs = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${dns.pid}/status`, 'utf8'))![1]) * 1024;
  console.log(
    `cluster DNS, ${N} services, ${Q} A queries, ${INFLIGHT} in flight (one UDP client, same machine)`,
  );
  console.log(`  throughput: ${Math.round(Q / secs)} queries/s`);
  console.log(`  latency: p50 ${pct(latencies, 50).toFixed(3)} ms, p99 ${pct(latencies, 99).toFixed(3)} ms`);
  console.log(`  failed answers: ${nxdomain}`);
  console.log(`  dns process RSS: ${(rss / 1024 / 1024).toFixed(1)} MB`);
  sock.close();
  dns.kill('SIGTERM');
  client.close();
  await s.stop();
  cleanup(s);
}

void main();
