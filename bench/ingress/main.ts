// Ingress controller benchmark (prints figures, asserts nothing): a real API server, a
// `k8ts ingress-controller` child on free ports, and one backend HTTP server (another child)
// on 127.0.0.1 behind a selector-less Service + EndpointSlice. A keep-alive client with
// `--connections` parallel connections sends `--requests` GETs through the controller, then
// straight to the backend for comparison, and reports requests/s and p50/p99 latency. Last,
// the time to build the route table of 1,000 Ingresses (what a reload costs).
// Usage: npm run build && node dist/bench/ingress/main.js [--requests 20000] [--connections 16]
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadKubeconfig, RestClient } from '../../src/client/rest.js';
import { buildRouteTable } from '../../src/ingress/routes.js';
import type { KubeObject } from '../../src/api/types.js';
import { cleanup, freePort, ROOT, startServer } from '../../test/integration/harness.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    connections: { type: 'string', default: '16' },
  },
});
const REQUESTS = Number(values.requests);
const CONNECTIONS = Number(values.connections);
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

const BACKEND = `require('node:http').createServer((q, r) => r.end('hello from the backend\\n'))
  .listen(Number(process.argv[1]), '127.0.0.1', () => console.log('ready'));`;

function child(cmd: string, args: string[], ready: RegExp): Promise<ChildProcess> {
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const seen = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) resolve(p);
    };
    p.stdout!.on('data', seen);
    p.stderr!.on('data', seen);
    p.once('exit', (code) => reject(new Error(`${cmd} exited ${code}: ${out}`)));
  });
}

function get(port: number, host: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function load(port: number, host: string): Promise<string> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  for (let i = 0; i < CONNECTIONS * 4; i++) await get(port, host, agent); // warm up
  const latencies: number[] = [];
  let sent = 0;
  let failed = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (sent < REQUESTS) {
        sent++;
        const s = process.hrtime.bigint();
        if ((await get(port, host, agent)) !== 200) failed++;
        latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
      }
    }),
  );
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return `${Math.round(latencies.length / secs)} req/s, p50 ${pct(latencies, 50).toFixed(2)} ms, p99 ${pct(latencies, 99).toFixed(2)} ms${failed ? `, ${failed} not 200` : ''}`;
}

function syntheticIngresses(n: number): KubeObject[] {
  return Array.from({ length: n }, (_, i) => ({
    metadata: { name: `ing-${i}`, namespace: 'bench', creationTimestamp: new Date(i * 1000).toISOString() },
    spec: {
      tls: [{ hosts: [`h${i}.bench.test`], secretName: `tls-${i}` }],
      rules: [
        {
          host: `h${i}.bench.test`,
          http: {
            paths: ['/', '/api', '/api/v1', '/static'].map((path) => ({
              path,
              pathType: 'Prefix',
              backend: { service: { name: `svc-${i}`, port: { number: 80 } } },
            })),
          },
        },
      ],
    },
  }));
}

async function main(): Promise<void> {
  const s = await startServer(['--disable-controller-manager', '--disable-scheduler', '--log-level', 'warn']);
  const procs: ChildProcess[] = [];
  try {
    const backendPort = await freePort();
    procs.push(await child(process.execPath, ['-e', BACKEND, String(backendPort)], /ready/));
    const client = new RestClient(loadKubeconfig(s.kubeconfig));
    await client.request('POST', '/api/v1/namespaces', { metadata: { name: 'bench' } });
    await client.request('POST', '/api/v1/namespaces/bench/services', {
      metadata: { name: 'web' },
      spec: { ports: [{ name: 'http', port: 80 }] },
    });
    await client.request('POST', '/apis/discovery.k8s.io/v1/namespaces/bench/endpointslices', {
      metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: backendPort, protocol: 'TCP' }],
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    });
    await client.request('POST', '/apis/networking.k8s.io/v1/namespaces/bench/ingresses', {
      metadata: { name: 'web' },
      spec: {
        ingressClassName: 'k8ts',
        rules: [
          {
            host: 'web.bench',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'web', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    });
    client.close();
    const httpPort = await freePort();
    const httpsPort = await freePort();
    procs.push(
      await child(
        join(ROOT, 'bin', 'k8ts'),
        [
          'ingress-controller',
          '--kubeconfig',
          s.kubeconfig,
          '--http-port',
          String(httpPort),
          '--https-port',
          String(httpsPort),
          '--bind-address',
          '127.0.0.1',
        ],
        /serving Ingresses/,
      ),
    );
    const agent = new Agent({ keepAlive: false });
    for (let i = 0; (await get(httpPort, 'web.bench', agent).catch(() => 0)) !== 200; i++) {
      if (i > 200) throw new Error('the controller never served web.bench');
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`${REQUESTS} GETs over ${CONNECTIONS} keep-alive connections`);
    console.log(`  through the ingress controller: ${await load(httpPort, 'web.bench')}`);
    console.log(`  straight to the backend:        ${await load(backendPort, 'web.bench')}`);
    const ings = syntheticIngresses(1000);
    buildRouteTable(ings);
    const t0 = process.hrtime.bigint();
    const runs = 20;
    for (let i = 0; i < runs; i++) buildRouteTable(ings);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6 / runs;
    console.log(
      `route table of 1,000 Ingresses (4,000 paths, 1,000 TLS hosts): built in ${ms.toFixed(2)} ms`,
    );
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await s.stop();
    cleanup(s);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
