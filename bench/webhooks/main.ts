// Admission webhook benchmark (prints figures, asserts nothing): ConfigMap creates with no
// webhook, with one validating webhook and with one mutating (JSONPatch) plus one validating
// webhook, all served by an in-process HTTPS server over loopback. Usage: npm run build &&
// node dist/bench/webhooks/main.js [--requests 2000] [--concurrency 20]
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import type { ClientHttp2Session } from 'node:http2';
import { call, credsFromKubeconfig, percentile, session } from '../api/client.js';
import { cleanup, startServer } from '../../test/integration/harness.js';
import { createCA, issue } from '../../src/pki/certs.js';

const { values } = parseArgs({
  options: { requests: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '20' } },
});

async function webhookServer(): Promise<{ port: number; caBundle: string; close: () => void }> {
  const ca = await createCA('bench-ca');
  const cert = await issue(ca, {
    commonName: 'hook',
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
    validDays: 1,
  });
  const patch = Buffer.from(JSON.stringify([{ op: 'add', path: '/data/mutated', value: 'yes' }])).toString(
    'base64',
  );
  const srv = createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const uid = (JSON.parse(body) as { request: { uid: string } }).request.uid;
      const response: Record<string, unknown> = { uid, allowed: true };
      if (req.url?.startsWith('/mutate')) Object.assign(response, { patchType: 'JSONPatch', patch });
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as AddressInfo).port,
    caBundle: Buffer.from(ca.pem.certPem).toString('base64'),
    close: () => {
      srv.closeAllConnections();
      srv.close();
    },
  };
}

function configuration(kind: string, url: string, caBundle: string): object {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: `${kind}WebhookConfiguration`,
    metadata: { name: kind.toLowerCase() },
    webhooks: [
      {
        name: `${kind.toLowerCase()}.bench.example.com`,
        clientConfig: { url, caBundle },
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
      },
    ],
  };
}

async function creates(s: ClientHttp2Session, prefix: string) {
  const total = Number(values.requests);
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Number(values.concurrency) }, async () => {
      while (next < total) {
        const i = next++;
        const a = performance.now();
        await call(s, 'POST', '/api/v1/namespaces/default/configmaps', {
          metadata: { name: `${prefix}-${i}` },
          data: {},
        });
        lat.push(performance.now() - a);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return `${(total / secs).toFixed(0)} creates/s (p50 ${percentile(lat, 50).toFixed(1)} ms, p99 ${percentile(lat, 99).toFixed(1)} ms)`;
}

async function main(): Promise<void> {
  const hook = await webhookServer();
  const server = await startServer([
    '--disable-controller-manager',
    '--disable-scheduler',
    '--log-level',
    'warn',
  ]);
  const s = session(credsFromKubeconfig(server.kubeconfig));
  const base = `https://127.0.0.1:${hook.port}`;
  try {
    console.log(`${values.requests} ConfigMap creates at concurrency ${values.concurrency}`);
    await creates(s, 'warm');
    console.log(`no webhook:              ${await creates(s, 'none')}`);
    await call(
      s,
      'POST',
      '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
      configuration('Validating', `${base}/validate`, hook.caBundle),
    );
    console.log(`validating:              ${await creates(s, 'val')}`);
    await call(
      s,
      'POST',
      '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
      configuration('Mutating', `${base}/mutate`, hook.caBundle),
    );
    console.log(`mutating + validating:   ${await creates(s, 'both')}`);
  } finally {
    s.close();
    hook.close();
    await server.stop();
    cleanup(server);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
