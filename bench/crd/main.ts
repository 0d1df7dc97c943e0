// CRD benchmark (prints figures, asserts nothing): creating custom resources under a
// structural schema (validation, defaulting, pruning on every write), objects/s and latency,
// next to ConfigMap creates on the same server. Usage:
// npm run build && node dist/bench/crd/main.js [--objects 1000] [--concurrency 20]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYAML } from 'yaml';
import { call, credsFromKubeconfig, percentile, session } from '../api/client.js';
import { cleanup, ROOT, startServer } from '../../test/integration/harness.js';

const { values } = parseArgs({
  options: { objects: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '20' } },
});
const total = Number(values.objects);
const conc = Number(values.concurrency);

async function run(one: (i: number) => Promise<{ status: number }>) {
  const lat: number[] = [];
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (next < total) {
        const i = next++;
        const a = performance.now();
        const r = await one(i);
        if (r.status !== 201) failed++;
        lat.push(performance.now() - a);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return { rate: total / secs, p50: percentile(lat, 50), p99: percentile(lat, 99), failed };
}

const server = await startServer([
  '--disable-controller-manager',
  '--disable-scheduler',
  '--log-level',
  'warn',
]);
try {
  const s = session(credsFromKubeconfig(server.kubeconfig));
  const crd = parseYAML(
    readFileSync(join(ROOT, 'test', 'fixtures', 'crds', 'certificate-crd.yaml'), 'utf8'),
  ) as object;
  await call(s, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  for (let i = 0; ; i++) {
    const r = await call(s, 'GET', '/apis/cert-manager.io/v1/certificates');
    if (r.status === 200) break;
    if (i > 100) throw new Error('CRD not served');
    await new Promise((res) => setTimeout(res, 100));
  }
  const cert = (i: number) => ({
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: `cert-${i}`, labels: { bench: 'crd' } },
    spec: {
      secretName: `cert-${i}-tls`,
      commonName: `svc-${i}.example.com`,
      dnsNames: [`svc-${i}.example.com`, `www.svc-${i}.example.com`],
      issuerRef: { name: 'ca', kind: 'ClusterIssuer' },
      privateKey: { algorithm: 'ECDSA', size: 256 },
    },
  });
  const crs = await run((i) =>
    call(s, 'POST', '/apis/cert-manager.io/v1/namespaces/default/certificates', cert(i)),
  );
  const cms = await run((i) =>
    call(s, 'POST', '/api/v1/namespaces/default/configmaps', {
      metadata: { name: `cm-${i}` },
      data: { a: String(i), b: 'x'.repeat(64) },
    }),
  );
  const fmt = (n: number) => n.toFixed(1);
  console.log(`custom resources (Certificate, ${total} objects, concurrency ${conc}):`);
  console.log(
    `  ${fmt(crs.rate)} objects/s  p50 ${fmt(crs.p50)} ms  p99 ${fmt(crs.p99)} ms  failed ${crs.failed}`,
  );
  console.log(`ConfigMaps for comparison (same server):`);
  console.log(
    `  ${fmt(cms.rate)} objects/s  p50 ${fmt(cms.p50)} ms  p99 ${fmt(cms.p99)} ms  failed ${cms.failed}`,
  );
  s.close();
} finally {
  await server.stop();
  cleanup(server);
}
