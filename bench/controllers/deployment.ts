// Controller benchmark (prints figures, asserts nothing): a Deployment of N replicas on a fresh
// server; time until every pod exists, until the ReplicaSet reports them, and, with the bench
// writing Ready status for each pod as a kubelet would, until the Deployment is Available.
// Usage: npm run build && node dist/bench/controllers/deployment.js [--replicas 1000]
import { parseArgs } from 'node:util';
import { cleanup, startServer, type TestServer } from '../../test/integration/harness.js';
import { writePodStatus } from '../../test/integration/pod-status-writer.js';

const { values } = parseArgs({ options: { replicas: { type: 'string', default: '1000' } } });
const N = Number(values.replicas);
const ns = 'bench';

async function json<T>(s: TestServer, path: string): Promise<T> {
  const r = await s.api('GET', path);
  return JSON.parse(r.body) as T;
}

async function until(what: string, t0: number, probe: () => Promise<boolean>): Promise<number> {
  for (;;) {
    if (await probe()) {
      const t = performance.now() - t0;
      console.log(`${what.padEnd(44)} ${(t / 1000).toFixed(2)} s`);
      return t;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<void> {
  const s = await startServer();
  try {
    await s.kubectl(['create', 'namespace', ns]);
    const t0 = performance.now();
    await s.kubectl(['-n', ns, 'create', 'deployment', 'big', '--image=nginx', `--replicas=${N}`]);
    const podCount = async () =>
      (await json<{ items: unknown[] }>(s, `/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dbig`)).items
        .length;
    await until(`all ${N} pods exist`, t0, async () => (await podCount()) >= N);
    await until('ReplicaSet status.replicas reports them', t0, async () => {
      const l = await json<{ items: { status?: { replicas?: number } }[] }>(
        s,
        `/apis/apps/v1/namespaces/${ns}/replicasets`,
      );
      return l.items.some((rs) => rs.status?.replicas === N);
    });
    const pods = await json<{ items: { metadata: { name: string } }[] }>(
      s,
      `/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dbig`,
    );
    const t1 = performance.now();
    const queue = pods.items.map((p) => p.metadata.name);
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let name = queue.pop(); name; name = queue.pop()) await writePodStatus(s, ns, name);
      }),
    );
    console.log(
      `${'bench wrote Ready for every pod'.padEnd(44)} ${((performance.now() - t1) / 1000).toFixed(2)} s`,
    );
    await until('Deployment availableReplicas = replicas', t0, async () => {
      const d = await json<{ status?: { availableReplicas?: number } }>(
        s,
        `/apis/apps/v1/namespaces/${ns}/deployments/big`,
      );
      return d.status?.availableReplicas === N;
    });
  } finally {
    await s.stop();
    cleanup(s);
  }
}

await main();
