// Admission benchmark (prints figures, asserts nothing): pod creates through the in-process
// store with no plugins, and with the default chain in a namespace holding a LimitRange, a
// ResourceQuota (charged on every create, one namespace at a time) and the default account.
// Usage: npm run build && node dist/bench/admission/main.js [--pods 2000] [--concurrency 20]
import { parseArgs } from 'node:util';
import { cluster, limitRange, pod, type Cluster } from '../../test/unit/admission/fixture.js';
import { defaultAdmissionPlugins } from '../../src/apiserver/admission/index.js';
import type { KubeObject } from '../../src/api/types.js';

const { values } = parseArgs({
  options: { pods: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '20' } },
});
const PODS = Number(values.pods);
const CONCURRENCY = Number(values.concurrency);

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)];

async function run(c: Cluster, ns: string, label: string): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < PODS) {
      const i = next++;
      const p = pod(`p${i}`, { limits: { cpu: '10m', memory: '10Mi' } });
      const s = performance.now();
      await c.create('pods', p, ns);
      latencies.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const secs = (performance.now() - t0) / 1000;
  console.log(
    `${label}: ${PODS} pods in ${secs.toFixed(2)} s = ${(PODS / secs).toFixed(0)} creates/s, p50 ${percentile(latencies, 0.5).toFixed(2)} ms, p99 ${percentile(latencies, 0.99).toFixed(2)} ms`,
  );
}

const bare = await cluster(() => []);
await run(bare, 'bare', 'no admission plugins');
await bare.close();

const full = await cluster((deps) => defaultAdmissionPlugins(deps));
const ns = 'busy';
await full.create(
  'serviceaccounts',
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } },
  ns,
);
await full.create(
  'limitranges',
  limitRange('lr', [{ type: 'Container', max: { cpu: '1' }, defaultRequest: { cpu: '5m' } }]),
  ns,
);
const hard = { pods: '100000', 'limits.cpu': '10000', 'limits.memory': '10000Gi' };
const q: KubeObject = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard } };
await full.create('resourcequotas', q, ns);
const quotas = full.store('resourcequotas');
const seeded = await quotas.update(
  ns,
  'q',
  full.ctx(ns),
  (cur) => ({ ...cur, status: { hard, used: { pods: '0', 'limits.cpu': '0', 'limits.memory': '0' } } }),
  { subresource: 'status' },
);
await quotas.cache.waitForRevision(Number(seeded.metadata.resourceVersion));
await run(full, ns, 'default chain + LimitRange + ResourceQuota');
const used = (quotas.cache.get(quotas.key(ns, 'q'))!.obj.status as { used: Record<string, string> }).used;
console.log(`quota used after the run: ${JSON.stringify(used)}`);
await full.close();
