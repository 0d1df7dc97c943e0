// The built-in ingress controller end to end: `k8ts server --runtime containerd` runs
// `k8ts ingress-controller` beside the agent, the IngressClass `k8ts` is the default, and
// real pods (k8ts.io/test, two Deployments) are reached through the node IP on port 80 by Host
// header, on 443 with the default certificate, with status.loadBalancer = the node's
// InternalIP. Prints: Ingress create → first 200 through the node IP.
// Needs root, containerd, runc and the CNI plugins: runs only with K8TS_E2E=1, inside a
// network namespace (/work/netns-run.sh NAME node --test ...), whose ports 80/443 it takes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { CriClient } from '../../src/cri/client.js';
import { containerdPaths } from '../../src/kubelet/containerd/config.js';
import { startServer, type TestServer } from '../integration/harness.js';
import { stopContainerdServer } from './containerd-server.js';
import { until } from './until.js';

const enabled = process.env.K8TS_E2E === '1';
const NS = 'ingress-e2e';

const app = (name: string, text: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 2
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: web
        image: k8ts.io/test:latest
        imagePullPolicy: IfNotPresent
        args: [k8ts-test, serve, --text, "${text}"]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  selector: {app: ${name}}
  ports: [{name: web, port: 80, targetPort: http}]
`;

const INGRESS = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: hello}
spec:
  rules:
  - host: v1.example.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: hello-v1, port: {number: 80}}}}
  - host: v2.example.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: hello-v2, port: {name: web}}}}
`;

function get(
  host: string,
  hostHeader: string,
  port = 80,
): Promise<{ status: number; body: string; cn?: string }> {
  return new Promise((resolve, reject) => {
    const tls = port === 443;
    const opts = {
      host,
      port,
      path: '/',
      headers: { host: hostHeader },
      agent: false as const,
      timeout: 5000,
    };
    const done = (res: import('node:http').IncomingMessage) => {
      const cn = tls ? String((res.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '') : undefined;
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cn }));
    };
    const req = tls
      ? httpsRequest({ ...opts, servername: hostHeader, rejectUnauthorized: false }, done)
      : request(opts, done);
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

describe(
  'ingress on containerd (k8ts server runs the controller)',
  { skip: !enabled && 'set K8TS_E2E=1' },
  () => {
    let s: TestServer;
    let cri: CriClient;
    let nodeIP = '';
    const figures: Record<string, string> = {};

    before(async () => {
      s = await startServer([
        '--enable-agent',
        '--runtime',
        'containerd',
        '--cluster-cidr',
        '10.246.0.0/16',
        '--bind-address',
        '0.0.0.0',
      ]);
      cri = new CriClient(containerdPaths(s.dataDir).socket);
      await until(
        'the IngressClass k8ts',
        async () => (await s.kubectl(['get', 'ingressclass', 'k8ts'])).code === 0,
      );
      nodeIP = await until('the node InternalIP', async () => {
        const r = await s.kubectl([
          'get',
          'nodes',
          '-o',
          'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}',
        ]);
        return r.stdout.trim() || undefined;
      });
      assert.equal((await s.kubectl(['create', 'namespace', NS])).code, 0);
      await until(
        'the default ServiceAccount',
        async () => (await s.kubectl(['get', 'serviceaccount', 'default', '-n', NS])).code === 0,
      );
      const apply = await s.kubectl(
        ['apply', '-n', NS, '-f', '-'],
        app('hello-v1', 'Hello World v1') + '---\n' + app('hello-v2', 'Hello World v2'),
      );
      assert.equal(apply.code, 0, apply.stderr);
      await until('4 pods Ready', async () => {
        const r = await s.kubectl(['get', 'pods', '-n', NS, '--no-headers']);
        return (r.stdout.match(/\s1\/1\s+Running\s/g) ?? []).length === 4;
      });
    });

    after(async () => {
      if (!s) return;
      try {
        await s.kubectl(['delete', 'namespace', NS, '--wait=false']);
        await s.kubectl([
          'delete',
          'pods',
          '--all',
          '-A',
          '--grace-period=1',
          '--wait=true',
          '--timeout=60s',
        ]);
        await until('every sandbox removed', async () => (await cri.listPodSandbox()).length === 0, 60_000);
        cri.close();
      } finally {
        console.log('figures', figures);
        await stopContainerdServer(s);
      }
    });

    it('routes by Host to the pods through the node IP on port 80, and on 443 with the default certificate', async () => {
      const t0 = Date.now();
      const r = await s.kubectl(['apply', '-n', NS, '-f', '-'], INGRESS);
      assert.equal(r.code, 0, r.stderr);
      const v1 = await until('v1 through the ingress', async () => {
        const a = await get(nodeIP, 'v1.example.test');
        return a.status === 200 && a;
      });
      figures['Ingress create → first 200 via node IP'] = `${Date.now() - t0} ms`;
      assert.equal(v1.body, 'Hello World v1\n');
      assert.equal((await get(nodeIP, 'v2.example.test')).body, 'Hello World v2\n');
      const none = await get(nodeIP, 'nobody.example.test');
      assert.equal(none.status, 404);
      const tls = await get(nodeIP, 'v2.example.test', 443);
      assert.equal(tls.body, 'Hello World v2\n');
      assert.equal(tls.cn, 'Kubernetes Ingress Controller Fake Certificate');
    });

    it('publishes the node InternalIP in status, shown by kubectl get ingress', async () => {
      const row = await until('ADDRESS', async () => {
        const r = await s.kubectl(['get', 'ingress', '-n', NS, 'hello', '--no-headers']);
        return r.stdout.includes(nodeIP) && r.stdout;
      });
      assert.deepEqual(row.trim().split(/\s+/).slice(0, 5), [
        'hello',
        'k8ts',
        'v1.example.test,v2.example.test',
        nodeIP,
        '80',
      ]);
    });

    it('follows the endpoints: scaled to zero → 503, scaled back → 200', async () => {
      await s.kubectl(['scale', 'deployment', '-n', NS, 'hello-v2', '--replicas=0']);
      const down = await until('503', async () => {
        const a = await get(nodeIP, 'v2.example.test');
        return a.status === 503 && a;
      });
      assert.match(down.body, /503 Service Temporarily Unavailable/);
      await s.kubectl(['scale', 'deployment', '-n', NS, 'hello-v2', '--replicas=1']);
      await until('200 again', async () => (await get(nodeIP, 'v2.example.test')).status === 200);
    });
  },
);
