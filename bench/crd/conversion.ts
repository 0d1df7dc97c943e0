// Webhook conversion benchmark (prints figures, asserts nothing): a CRD with v1 (storage) and
// v2 converted by an in-process TLS webhook; creates through v1 and v2, single reads and
// lists in both versions, and how many ConversionReviews the server sent for them. Usage:
// npm run build && node dist/bench/crd/conversion.js [--objects 300]
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { call, credsFromKubeconfig, percentile, session } from '../api/client.js';
import { createCA, issue } from '../../src/pki/certs.js';
import { cleanup, startServer } from '../../test/integration/harness.js';

const { values } = parseArgs({ options: { objects: { type: 'string', default: '300' } } });
const total = Number(values.objects);

interface Obj {
  apiVersion: string;
  spec: { host: string; port?: number };
}
const convert = (o: Obj, to: string): Obj => {
  if (o.apiVersion === to) return o;
  if (to.endsWith('/v2')) {
    const [host, port] = o.spec.host.split(':');
    return { ...o, apiVersion: to, spec: { host: host!, port: Number(port) } };
  }
  return { ...o, apiVersion: to, spec: { host: `${o.spec.host}:${o.spec.port}` } };
};

const ca = await createCA('bench-ca');
const serving = await issue(ca, {
  commonName: 'c',
  ipAddresses: ['127.0.0.1'],
  usage: 'server',
  validDays: 1,
});
let reviews = 0;
let reviewedObjects = 0;
const hook = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
  let body = '';
  req.on('data', (d: Buffer) => (body += d.toString()));
  req.on('end', () => {
    const { request } = JSON.parse(body) as {
      request: { uid: string; desiredAPIVersion: string; objects: Obj[] };
    };
    reviews++;
    reviewedObjects += request.objects.length;
    res.setHeader('Content-Type', 'application/json');
    res.end(
      JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'ConversionReview',
        response: {
          uid: request.uid,
          result: { status: 'Success' },
          convertedObjects: request.objects.map((o) => convert(o, request.desiredAPIVersion)),
        },
      }),
    );
  });
});
await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
const url = `https://127.0.0.1:${(hook.address() as AddressInfo).port}/convert`;

const server = await startServer([
  '--disable-controller-manager',
  '--disable-scheduler',
  '--log-level',
  'warn',
]);
const schema = (v2: boolean) => ({
  openAPIV3Schema: {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: v2
          ? { host: { type: 'string' }, port: { type: 'integer' } }
          : { host: { type: 'string' } },
      },
    },
  },
});
try {
  const s = session(credsFromKubeconfig(server.kubeconfig));
  await call(s, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.bench.example.com' },
    spec: {
      group: 'bench.example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', kind: 'Widget' },
      versions: [
        { name: 'v1', served: true, storage: true, schema: schema(false) },
        { name: 'v2', served: true, storage: false, schema: schema(true) },
      ],
      conversion: {
        strategy: 'Webhook',
        webhook: {
          clientConfig: { url, caBundle: Buffer.from(ca.pem.certPem).toString('base64') },
          conversionReviewVersions: ['v1'],
        },
      },
    },
  });
  const base = (v: string) => `/apis/bench.example.com/${v}/namespaces/default/widgets`;
  for (let i = 0; (await call(s, 'GET', base('v2'))).status !== 200; i++) {
    if (i > 100) throw new Error('CRD not served');
    await new Promise((r) => setTimeout(r, 100));
  }
  const timed = async (n: number, one: (i: number) => Promise<unknown>) => {
    const lat: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const a = performance.now();
      await one(i);
      lat.push(performance.now() - a);
    }
    lat.sort((a, b) => a - b);
    return { secs: (performance.now() - t0) / 1000, p50: percentile(lat, 50), p99: percentile(lat, 99) };
  };
  const fmt = (n: number) => n.toFixed(2);
  const counted = async (label: string, n: number, one: (i: number) => Promise<unknown>) => {
    const [r0, o0] = [reviews, reviewedObjects];
    const r = await timed(n, one);
    console.log(
      `${label}: ${(n / r.secs).toFixed(0)}/s  p50 ${fmt(r.p50)} ms  p99 ${fmt(r.p99)} ms  reviews ${reviews - r0} (${reviewedObjects - o0} objects)`,
    );
  };
  const half = Math.floor(total / 2);
  await counted(`create v1 (storage version) x${half}`, half, (i) =>
    call(s, 'POST', base('v1'), {
      apiVersion: 'bench.example.com/v1',
      kind: 'Widget',
      metadata: { name: `a${i}` },
      spec: { host: `a${i}:80` },
    }),
  );
  await counted(`create v2 (converted to v1) x${total - half}`, total - half, (i) =>
    call(s, 'POST', base('v2'), {
      apiVersion: 'bench.example.com/v2',
      kind: 'Widget',
      metadata: { name: `b${i}` },
      spec: { host: `b${i}`, port: 443 },
    }),
  );
  await counted('get v1 (no conversion) x200', 200, (i) => call(s, 'GET', `${base('v1')}/a${i % half}`));
  await counted('get v2 (one review each) x200', 200, (i) => call(s, 'GET', `${base('v2')}/a${i % half}`));
  await counted(`list v1 of ${total} x20`, 20, () => call(s, 'GET', base('v1')));
  await counted(`list v2 of ${total} x20 (from the converted cache)`, 20, () => call(s, 'GET', base('v2')));
  s.close();
} finally {
  await server.stop();
  cleanup(server);
  hook.closeAllConnections();
  hook.close();
}
