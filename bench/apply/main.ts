// Server-side apply benchmark (prints figures, asserts nothing): a 200-object manifest set
// (ConfigMaps, Services, Deployments, ServiceAccounts; 50 each) applied with
// application/apply-patch+yaml at concurrency 20 — first apply (creates), the same apply again
// (no-ops), an apply that changes every object (updates) — then `kubectl apply --server-side -f`
// of the whole set, as a user runs it. Controllers are off: this measures the API alone.
// Usage: npm run build && node dist/bench/apply/main.js [--objects 200] [--concurrency 20]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClientHttp2Session } from 'node:http2';
import { stringify } from 'yaml';
import { credsFromKubeconfig, percentile, session } from '../api/client.js';
import { cleanup, startServer } from '../../test/integration/harness.js';

const { values } = parseArgs({
  options: { objects: { type: 'string', default: '200' }, concurrency: { type: 'string', default: '20' } },
});
const total = Number(values.objects);
const conc = Number(values.concurrency);
const KINDS = ['ConfigMap', 'Service', 'Deployment', 'ServiceAccount'] as const;

/** Object i of the set; `round` changes a label and a data/spec field so a new round updates. */
function manifest(i: number, round: number): { path: string; body: Record<string, unknown> } {
  const kind = KINDS[i % KINDS.length];
  const name = `obj-${i}`;
  const metadata = { name, namespace: 'bench', labels: { app: `app-${i}`, round: String(round) } };
  switch (kind) {
    case 'ConfigMap':
      return {
        path: `/api/v1/namespaces/bench/configmaps/${name}`,
        body: { apiVersion: 'v1', kind, metadata, data: { round: String(round), body: 'x'.repeat(256) } },
      };
    case 'Service':
      return {
        path: `/api/v1/namespaces/bench/services/${name}`,
        body: {
          apiVersion: 'v1',
          kind,
          metadata,
          spec: {
            selector: { app: `app-${i}` },
            ports: [
              { name: 'http', port: 80, targetPort: 8080 + round },
              { name: 'metrics', port: 9090, targetPort: 9090 },
            ],
          },
        },
      };
    case 'Deployment':
      return {
        path: `/apis/apps/v1/namespaces/bench/deployments/${name}`,
        body: {
          apiVersion: 'apps/v1',
          kind,
          metadata,
          spec: {
            replicas: 1 + round,
            selector: { matchLabels: { app: `app-${i}` } },
            template: {
              metadata: { labels: { app: `app-${i}` } },
              spec: {
                containers: [
                  {
                    name: 'web',
                    image: `nginx:1.${25 + round}`,
                    ports: [{ containerPort: 8080, name: 'http' }],
                    env: [{ name: 'ROUND', value: String(round) }],
                    resources: { requests: { cpu: '50m', memory: '64Mi' } },
                  },
                ],
              },
            },
          },
        },
      };
    case 'ServiceAccount':
      return {
        path: `/api/v1/namespaces/bench/serviceaccounts/${name}`,
        body: { apiVersion: 'v1', kind, metadata },
      };
  }
}

function apply(s: ClientHttp2Session, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = s.request({
      ':method': 'PATCH',
      ':path': `${path}?fieldManager=bench&force=true`,
      'content-type': 'application/apply-patch+yaml',
      accept: 'application/json',
    });
    let status = 0;
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', () => undefined);
    req.on('end', () => resolve(status));
    req.on('error', reject);
    req.end(JSON.stringify(body)); // JSON is YAML
  });
}

async function round(s: ClientHttp2Session, n: number, label: string): Promise<void> {
  const lat: number[] = [];
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (next < total) {
        const { path, body } = manifest(next++, n);
        const a = performance.now();
        const status = await apply(s, path, body);
        if (status !== 200 && status !== 201) failed++;
        lat.push(performance.now() - a);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  console.log(
    `${label}: ${(total / secs).toFixed(0)} objects/s, p50 ${percentile(lat, 50).toFixed(1)} ms, p99 ${percentile(lat, 99).toFixed(1)} ms, failed ${failed}`,
  );
}

const server = await startServer([
  '--disable-controller-manager',
  '--disable-scheduler',
  '--log-level',
  'warn',
]);
try {
  await server.kubectl(['create', 'namespace', 'bench']);
  const s = session(credsFromKubeconfig(server.kubeconfig));
  console.log(`server-side apply of ${total} objects (${KINDS.join(', ')}), concurrency ${conc}:`);
  await round(s, 0, '  first apply (creates)');
  await round(s, 0, '  same apply again (no changes)');
  await round(s, 1, '  changed apply (updates)');
  s.close();
  const file = join(server.dataDir, 'set.yaml');
  writeFileSync(file, Array.from({ length: total }, (_, i) => stringify(manifest(i, 2).body)).join('---\n'));
  const t = performance.now();
  const r = await server.kubectl(['apply', '--server-side', '--force-conflicts', '-f', file]);
  const secs = (performance.now() - t) / 1000;
  console.log(
    `kubectl apply --server-side -f (${total} objects, one kubectl): ${secs.toFixed(2)} s, ${(total / secs).toFixed(0)} objects/s, exit ${r.code}`,
  );
} finally {
  await server.stop();
  cleanup(server);
}
