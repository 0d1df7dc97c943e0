// Garbage-collector benchmark (prints figures, asserts nothing): N ConfigMaps owned by one
// ConfigMap; time from deleting the owner until every dependent is gone, in the background and
// in the foreground (until the owner itself is gone).
// Usage: npm run build && node dist/bench/controllers/gc.js [--dependents 5000]
import { parseArgs } from 'node:util';
import { loadKubeconfig, RestClient } from '../../src/client/rest.js';
import { cleanup, startServer } from '../../test/integration/harness.js';

const { values } = parseArgs({ options: { dependents: { type: 'string', default: '5000' } } });
const N = Number(values.dependents);
const NS = 'gc-bench';

interface Meta {
  metadata: { uid: string; name: string };
}

async function inBatches(n: number, size: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i += size) {
    await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, j) => fn(i + j)));
  }
}

async function count(client: RestClient, prefix: string): Promise<number> {
  const list = await client.request<{ items: Meta[] }>('GET', `/api/v1/namespaces/${NS}/configmaps`);
  return list.items.filter((o) => o.metadata.name.startsWith(prefix)).length;
}

async function until(pred: () => Promise<boolean>): Promise<void> {
  while (!(await pred())) await new Promise((r) => setTimeout(r, 100));
}

async function round(client: RestClient, policy: 'Background' | 'Foreground'): Promise<void> {
  const prefix = `${policy.toLowerCase()}-`;
  const owner = await client.request<Meta>('POST', `/api/v1/namespaces/${NS}/configmaps`, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${prefix}owner` },
  });
  const ref = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    blockOwnerDeletion: true,
  };
  const t0 = performance.now();
  await inBatches(N, 100, (i) =>
    client.request('POST', `/api/v1/namespaces/${NS}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${prefix}dep-${i}`, ownerReferences: [ref] },
    }),
  );
  const created = performance.now() - t0;
  // let the collector's informer see them all before the owner goes
  await new Promise((r) => setTimeout(r, 1000));
  const t1 = performance.now();
  await client.request('DELETE', `/api/v1/namespaces/${NS}/configmaps/${prefix}owner`, {
    apiVersion: 'v1',
    kind: 'DeleteOptions',
    propagationPolicy: policy,
  });
  await until(async () => (await count(client, prefix)) === 0);
  const took = performance.now() - t1;
  console.log(
    `${policy.padEnd(10)} ${N} dependents: created in ${(created / 1000).toFixed(2)} s; ` +
      `all gone ${(took / 1000).toFixed(2)} s after the owner's DELETE (${((N / took) * 1000).toFixed(0)} deletions/s)`,
  );
}

async function main(): Promise<void> {
  const s = await startServer();
  const client = new RestClient(loadKubeconfig(s.kubeconfig, 'gc-bench'));
  try {
    await client.request('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NS },
    });
    await round(client, 'Background');
    await round(client, 'Foreground');
  } finally {
    client.close();
    await s.stop();
    cleanup(s);
  }
}

await main();
