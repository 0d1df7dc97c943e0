// Scheduler and sim-node benchmark (prints figures, asserts nothing). Starts `k8ts server`
// (scheduler and controller manager on: it untaints Ready nodes and makes service accounts; no
// local agent) and `k8ts sim-nodes --count N`, waits for N Ready nodes, then
// per phase creates P pods and times, as a client watching sees it, each pod from its create
// answer to spec.nodeName (scheduled) and to Running. Phases: plain pods, pods with a topology
// spread constraint, pods with required anti-affinity. Also prints the sim-nodes process' RSS.
// Usage: npm run build && node dist/bench/scheduler/main.js [--nodes 1000] [--pods 10000] [--phases plain,spread,anti]
// K8TS_BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the server.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { KubeObject } from '../../src/api/types.js';
import { Informer } from '../../src/client/informer.js';
import { loadKubeconfig, RestClient } from '../../src/client/rest.js';
import { freePort } from '../../test/integration/harness.js';
import { benchServerArgs } from '../api/client.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '100' },
    pods: { type: 'string', default: '2000' },
    phases: { type: 'string', default: 'plain,spread,anti' },
    concurrency: { type: 'string', default: '100' },
  },
});
const NODES = Number(values.nodes);
const PODS = Number(values.pods);
const CONCURRENCY = Number(values.concurrency);

const rss = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

/** Runs bin/k8ts; `nodeArgs` go to node first (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
function k8ts(args: string[], nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, join(ROOT, 'bin', 'k8ts'), ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function until(what: string, cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not reached in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function podSpec(phase: string, i: number): Record<string, unknown> {
  const labels: Record<string, string> = { app: `${phase}-${i % 10}` };
  const spec: Record<string, unknown> = {
    containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
  };
  const selector = { matchLabels: labels };
  if (phase === 'spread')
    spec.topologySpreadConstraints = [
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: selector,
      },
    ];
  if (phase === 'anti')
    spec.affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: selector, topologyKey: 'kubernetes.io/hostname' },
        ],
      },
    };
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${phase}-${i}`, labels }, spec };
}

async function runPhase(client: RestClient, pods: Informer, phase: string, count: number): Promise<void> {
  const ns = `bench-${phase}`;
  await client.request('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  // the ServiceAccount admission plugin needs `default`, which the serviceaccount controller makes
  for (;;) {
    try {
      await client.request('GET', `/api/v1/namespaces/${ns}/serviceaccounts/default`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const created = new Map<string, number>();
  const bound = new Map<string, number>();
  const running = new Map<string, number>();
  pods.addHandlers({
    onUpdate: (_o, p: KubeObject) => {
      if (p.metadata.namespace !== ns) return;
      const name = p.metadata.name!;
      const now = performance.now();
      if ((p.spec as { nodeName?: string }).nodeName && !bound.has(name)) bound.set(name, now);
      if ((p.status as { phase?: string } | undefined)?.phase === 'Running' && !running.has(name))
        running.set(name, now);
    },
  });
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await client.request('POST', `/api/v1/namespaces/${ns}/pods`, podSpec(phase, i));
      created.set(`${phase}-${i}`, performance.now());
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const tCreated = performance.now();
  const expected = count;
  await until(`${phase}: ${expected} scheduled`, () => bound.size >= expected, 600_000);
  const tBound = performance.now();
  await until(`${phase}: ${expected} Running`, () => running.size >= expected, 600_000);
  const tRunning = performance.now();
  const lat = [...bound].map(([n, t]) => t - (created.get(n) ?? t));
  const first = Math.min(...bound.values());
  console.log(
    `${phase.padEnd(6)} ${count} pods: created at ${(count / ((tCreated - t0) / 1000)).toFixed(0)}/s; ` +
      `scheduled ${(expected / ((tBound - first) / 1000)).toFixed(0)} pods/s (all bound ${((tBound - t0) / 1000).toFixed(1)} s after the first create), ` +
      `create→bound p50 ${pct(lat, 50).toFixed(0)} ms p99 ${pct(lat, 99).toFixed(0)} ms; ` +
      `all Running after ${((tRunning - t0) / 1000).toFixed(1)} s`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-sched-'));
  const kubeconfig = join(dir, 'admin.kubeconfig');
  const port = await freePort();
  const server = k8ts(
    benchServerArgs(dir, port, kubeconfig),
    (process.env.K8TS_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
  );
  let simNodes: ChildProcess | undefined;
  // interrupted: take the children along
  process.once('SIGINT', () => {
    simNodes?.kill('SIGTERM');
    server.kill('SIGTERM');
    process.exit(130);
  });
  try {
    await until('kubeconfig', () => existsSync(kubeconfig), 30_000);
    const client = new RestClient(loadKubeconfig(kubeconfig, 'bench'));
    for (;;) {
      try {
        await client.request('GET', '/api/v1/namespaces/default');
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const nodes = new Informer(client, '/api/v1/nodes');
    const pods = new Informer(client, '/api/v1/pods');
    nodes.start();
    pods.start();
    await Promise.all([nodes.waitForSync(), pods.waitForSync()]);
    const tNodes = performance.now();
    simNodes = k8ts([
      'sim-nodes',
      '--count',
      String(NODES),
      '--kubeconfig',
      kubeconfig,
      '--log-level',
      'warn',
    ]);
    const ready = () =>
      nodes
        .list()
        .filter((n) =>
          ((n.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).some(
            (c) => c.type === 'Ready' && c.status === 'True',
          ),
        ).length;
    await until(`${NODES} nodes Ready`, () => ready() >= NODES, 300_000);
    console.log(
      `${NODES} sim nodes Ready in ${((performance.now() - tNodes) / 1000).toFixed(1)} s; sim-nodes RSS ${mb(rss(simNodes.pid!))}`,
    );
    // anti-affinity: one pod of each of the 10 apps per node at most
    for (const phase of values.phases!.split(','))
      await runPhase(client, pods, phase, phase === 'anti' ? Math.min(PODS, NODES * 10) : PODS);
    console.log(
      `sim-nodes RSS after the pods: ${mb(rss(simNodes.pid!))}; server RSS ${mb(rss(server.pid!))}`,
    );
    nodes.dispose();
    pods.dispose();
    client.close();
  } finally {
    simNodes?.kill('SIGTERM');
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
