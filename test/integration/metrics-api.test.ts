// The Metrics API (`kubectl top`) against a stand-in kubelet: a Node whose kubelet endpoint is
// an HTTPS server here that answers /metrics/resource as a kubelet does. Two scrapes later
// (--metric-resolution 1s) kubectl top shows the CPU rate and the memory working set.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { renderResourceMetrics } from '../../src/kubelet/stats/resource-metrics.js';
import { cleanup, startServer, type TestServer } from './harness.js';
import { apiOk, eventually, kubectlOk } from './controllers-util.js';

const MiB = 1024 * 1024;

describe('metrics API', () => {
  let s: TestServer;
  let kubelet: Server;
  const started = Date.now();
  before(async () => {
    s = await startServer([
      '--disable-controller-manager',
      '--disable-scheduler',
      '--metric-resolution',
      '1s',
    ]);
    const tls = join(s.dataDir, 'server', 'tls');
    kubelet = createServer(
      {
        cert: readFileSync(join(tls, 'serving-kube-apiserver.crt')),
        key: readFileSync(join(tls, 'serving-kube-apiserver.key')),
      },
      (req, res) => {
        if (req.url !== '/metrics/resource') {
          res.writeHead(404).end();
          return;
        }
        // one core busy on the node, 0.25 core in the pod's container
        const secs = (Date.now() - started) / 1000;
        res.end(
          renderResourceMetrics({
            node: { cpuSeconds: 1000 + secs, memoryBytes: 2048 * MiB, timestampMs: Date.now() },
            containers: [
              {
                namespace: 'default',
                pod: 'web',
                container: 'nginx',
                cpuSeconds: secs / 4,
                memoryBytes: 150 * MiB,
                timestampMs: Date.now(),
              },
            ],
            scrapeError: false,
          }),
        );
      },
    );
    await new Promise<void>((r) => kubelet.listen(0, '127.0.0.1', r));
    const port = (kubelet.address() as AddressInfo).port;
    await apiOk(s, 'POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', labels: { zone: 'a' } },
      status: {
        capacity: { cpu: '4', memory: '8Gi', pods: '110' },
        allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
      },
    });
    const status = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      status: {
        capacity: { cpu: '4', memory: '8Gi', pods: '110' },
        allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
        addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
        daemonEndpoints: { kubeletEndpoint: { Port: port } },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ok' }],
      },
    };
    await apiOk(s, 'PATCH', '/api/v1/nodes/n1/status', status, 'application/merge-patch+json');
    await apiOk(s, 'POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: { nodeName: 'n1', containers: [{ name: 'nginx', image: 'nginx' }] },
    });
  });
  after(async () => {
    kubelet.close();
    await s.stop();
    cleanup(s);
  });

  it('kubectl top node and pod show the usage over the last window', async () => {
    const node = await eventually(s, ['top', 'node', 'n1', '--no-headers'], /^n1\s/, 30_000);
    // 1 core of 4, 2048Mi of 8Gi
    assert.match(node, /^n1\s+(99\dm|100\dm)\s+2\d%\s+2048Mi\s+25%\s*\n$/);
    const pod = await eventually(s, ['top', 'pod', 'web', '--no-headers'], /^web\s/, 30_000);
    assert.match(pod, /^web\s+2[45]\dm\s+150Mi\s*\n$/);
    assert.match(
      await kubectlOk(s, ['top', 'pod', '-l', 'app=web', '--containers', '--no-headers']),
      /^web\s+nginx\s+2[45]\dm\s+150Mi/,
    );
  });

  it('answers the raw API as metrics-server does', async () => {
    const nm = await apiOk<{
      kind: string;
      metadata: { name: string; labels: Record<string, string> };
      window: string;
      usage: Record<string, string>;
    }>(s, 'GET', '/apis/metrics.k8s.io/v1beta1/nodes/n1');
    assert.equal(nm.kind, 'NodeMetrics');
    assert.equal(nm.metadata.labels.zone, 'a');
    assert.match(nm.window, /^\d+(\.\d+)?m?s$/);
    assert.equal(nm.usage.memory, '2Gi');
    const missing = await s.api('GET', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope');
    assert.equal(missing.status, 404);
    assert.match(missing.body, /podmetrics.metrics.k8s.io \\"default\/nope\\" not found/);
    const list = await apiOk<{ kind: string; items: unknown[] }>(
      s,
      'GET',
      '/apis/metrics.k8s.io/v1beta1/pods',
    );
    assert.equal(list.kind, 'PodMetricsList');
    assert.equal(list.items.length, 1);
  });
});
