// HPA controller benchmark (prints figures, asserts nothing): N Deployments of one sim pod each
// (4 simulated nodes serving their kubelet API, Metrics API at 1 s), N HPAs on them, and the
// controller run in this process so that its passes can be timed: the first pass (status and
// conditions written), and a steady pass (metrics read, nothing to write).
// Usage: npm run build && node dist/bench/podautoscaler/reconcile.js [--hpas 100]
import { parseArgs } from 'node:util';
import { EventRecorder } from '../../src/client/events.js';
import { loadKubeconfig, RestClient } from '../../src/client/rest.js';
import { SharedInformers } from '../../src/client/shared-informers.js';
import {
  HorizontalPodAutoscalerController,
  hpaOptions,
} from '../../src/controllers/podautoscaler/controller.js';
import { cleanup, startServer } from '../../test/integration/harness.js';

const { values } = parseArgs({ options: { hpas: { type: 'string', default: '100' } } });
const N = Number(values.hpas);
const NS = 'hpa-bench';

async function inBatches(n: number, size: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i += size)
    await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, j) => fn(i + j)));
}

async function main(): Promise<void> {
  const s = await startServer([
    '--sim-nodes',
    '4',
    '--sim-node-capacity',
    'cpu=64,memory=256Gi,pods=250',
    '--sim-node-kubelet-address',
    '127.0.0.1',
    '--metric-resolution',
    '1s',
    '--kube-controller-manager-arg',
    'controllers=*,-horizontalpodautoscaling',
  ]);
  const client = new RestClient(loadKubeconfig(s.kubeconfig));
  try {
    await client.request('POST', '/api/v1/namespaces', { metadata: { name: NS } });
    await inBatches(N, 20, (i) =>
      client.request('POST', `/apis/apps/v1/namespaces/${NS}/deployments`, {
        metadata: { name: `d${i}` },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: `d${i}` } },
          template: {
            metadata: { labels: { app: `d${i}` }, annotations: { 'sim.k8ts.io/cpu-usage': '30m' } },
            spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m' } } }] },
          },
        },
      }),
    );
    for (;;) {
      const m = await client.request<{ items: unknown[] }>(
        'GET',
        `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods`,
      );
      if (m.items.length >= N) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await inBatches(N, 20, (i) =>
      client.request('POST', `/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers`, {
        metadata: { name: `h${i}` },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `d${i}` },
          minReplicas: 1,
          maxReplicas: 5,
          metrics: [
            {
              type: 'Resource',
              resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
            },
          ],
        },
      }),
    );
    const informers = new SharedInformers(client);
    const ctrl = new HorizontalPodAutoscalerController({
      client,
      informers,
      recorder: (c) => new EventRecorder(client, c),
      clusterCIDR: '10.42.0.0/16',
      serviceCIDR: '10.43.0.0/16',
      flags: {},
    });
    informers.start();
    await informers.waitForSync();
    const keys = Array.from({ length: N }, (_, i) => `${NS}/h${i}`);
    const pass = async (what: string, workers: number) => {
      const t0 = performance.now();
      const queue = [...keys];
      await Promise.all(
        Array.from({ length: workers }, async () => {
          for (let k = queue.pop(); k; k = queue.pop()) await ctrl.reconcile(k);
        }),
      );
      const ms = performance.now() - t0;
      console.log(`${what.padEnd(52)} ${ms.toFixed(0)} ms (${(ms / N).toFixed(1)} ms per HPA)`);
    };
    await pass(`first pass over ${N} HPAs, 5 workers (status writes)`, hpaOptions({}).workers);
    await new Promise((r) => setTimeout(r, 1500)); // the informer sees the written statuses
    await pass(`steady pass over ${N} HPAs, 5 workers (no writes)`, 5);
    await pass(`steady pass over ${N} HPAs, 1 worker`, 1);
    ctrl.stop();
    informers.dispose();
  } finally {
    client.close();
    await s.stop();
    cleanup(s);
  }
}

await main();
