// API benchmark (prints figures, asserts nothing): start-up time, idle RSS, ConfigMap creates at
// concurrency 50, listing 10,000 pods as JSON and as Table, and watch fan-out to 500 watchers.
// Usage: npm run build && node dist/bench/api/main.js [--creates 10000] [--pods 10000] [--watchers 500]
import { spawn } from 'node:child_process';
import { mkdtempSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchServerArgs, call, credsFromKubeconfig, percentile, session } from './client.js';
import { freePort } from '../../test/integration/harness.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const { values } = parseArgs({
  options: {
    creates: { type: 'string', default: '10000' },
    pods: { type: 'string', default: '10000' },
    watchers: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '50' },
  },
});

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024;
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-'));
  const kubeconfig = join(dir, 'admin.kubeconfig');
  const port = await freePort();
  const t0 = performance.now();
  const proc = spawn(join(ROOT, 'bin', 'k8ts'), benchServerArgs(dir, port, kubeconfig), { stdio: 'ignore' });
  let s;
  for (;;) {
    if (existsSync(kubeconfig)) {
      try {
        s ??= session(credsFromKubeconfig(kubeconfig));
        if ((await call(s, 'GET', '/readyz')).status === 200) break;
      } catch {
        s = undefined;
      }
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const startup = performance.now() - t0;
  console.log(`start-up to /readyz ok (first start, PKI made): ${ms(startup)}`);
  await new Promise((r) => setTimeout(r, 1000));
  console.log(`idle RSS: ${mb(rssOf(proc.pid!))}`);

  // creates at concurrency N
  const total = Number(values.creates);
  const conc = Number(values.concurrency);
  await call(s, 'POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'bench' },
  });
  const lat: number[] = [];
  let next = 0;
  const c0 = performance.now();
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        const r = await call(s, 'POST', '/api/v1/namespaces/bench/configmaps', {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `cm-${i}` },
          data: { key: 'x'.repeat(200) },
        });
        if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.body}`);
        lat.push(performance.now() - t);
      }
    }),
  );
  const secs = (performance.now() - c0) / 1000;
  lat.sort((a, b) => a - b);
  console.log(
    `ConfigMap creates: ${total} at concurrency ${conc}: ${(total / secs).toFixed(0)}/s, p50 ${ms(percentile(lat, 50))}, p99 ${ms(percentile(lat, 99))}`,
  );

  // 10,000 pods, listed as JSON and as Table
  const pods = Number(values.pods);
  next = 0;
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (next < pods) {
        const i = next++;
        const r = await call(s, 'POST', '/api/v1/namespaces/bench/pods', {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `pod-${i}`, labels: { app: 'bench', i: String(i % 10) } },
          spec: {
            containers: [
              {
                name: 'c',
                image: 'busybox:1.36',
                command: ['sleep', '3600'],
                resources: { requests: { cpu: '10m', memory: '16Mi' } },
              },
            ],
          },
        });
        if (r.status !== 201) throw new Error(`pod create failed: ${r.status} ${r.body}`);
      }
    }),
  );
  for (const [label, accept] of [
    ['JSON', 'application/json'],
    ['Table', 'application/json;as=Table;v=v1;g=meta.k8s.io'],
  ]) {
    const times: number[] = [];
    for (let k = 0; k < 5; k++) {
      const t = performance.now();
      const r = await call(s, 'GET', '/api/v1/namespaces/bench/pods', undefined, accept);
      if (r.status !== 200) throw new Error(`list failed ${r.status}`);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`list ${pods} pods as ${label}: median ${ms(percentile(times, 50))} (best ${ms(times[0])})`);
  }
  console.log(`RSS with ${total} ConfigMaps and ${pods} pods: ${mb(rssOf(proc.pid!))}`);

  // watch fan-out: N watchers on configmaps, one write, time to the last watcher's event
  const nWatch = Number(values.watchers);
  const wsession = session(credsFromKubeconfig(kubeconfig));
  const rvList = JSON.parse((await call(s, 'GET', '/api/v1/namespaces/bench/configmaps?limit=1')).body) as {
    metadata: { resourceVersion: string };
  };
  let rv = rvList.metadata.resourceVersion;
  const fanout: number[] = [];
  const rounds = 20;
  const waiters: ((name: string) => void)[] = [];
  const streams = Array.from({ length: nWatch }, (_, w) => {
    const req = wsession.request({
      ':method': 'GET',
      ':path': `/api/v1/namespaces/bench/configmaps?watch=true&resourceVersion=${rv}&fieldSelector=metadata.namespace%3Dbench`,
    });
    req.setEncoding('utf8');
    let buf = '';
    req.on('data', (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const ev = JSON.parse(line) as { object: { metadata: { name: string } } };
        waiters[w]?.(ev.object.metadata.name);
      }
    });
    return req;
  });
  await new Promise((r) => setTimeout(r, 1000));
  for (let round = 0; round < rounds; round++) {
    const name = `fan-${round}`;
    let seen = 0;
    const t = performance.now();
    const done = new Promise<void>((resolve) => {
      for (let w = 0; w < nWatch; w++) {
        waiters[w] = (n) => {
          if (n === name && ++seen === nWatch) resolve();
        };
      }
    });
    await call(s, 'POST', '/api/v1/namespaces/bench/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name },
    });
    await done;
    fanout.push(performance.now() - t);
  }
  fanout.sort((a, b) => a - b);
  console.log(
    `watch fan-out to ${nWatch} watchers (write → last watcher's event, ${rounds} writes): p50 ${ms(percentile(fanout, 50))}, p99 ${ms(percentile(fanout, 99))}`,
  );
  rv = '';
  for (const st of streams) st.close();
  wsession.close();
  s.close();
  proc.kill('SIGTERM');
  await new Promise((r) => proc.on('exit', r));
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
