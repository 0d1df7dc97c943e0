// The kubelet's /metrics/resource text, read back by the Metrics API's store: CPU as the rate
// between two scrapes, memory as the latest working set, figures formatted as metrics-server's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderResourceMetrics } from '../../../src/kubelet/stats/resource-metrics.js';
import { nodeCpuSeconds, nodeMemoryWorkingSet } from '../../../src/kubelet/stats/collect.js';
import { parsePrometheusText } from '../../../src/apiserver/metrics-api/prometheus.js';
import { MetricsStore } from '../../../src/apiserver/metrics-api/store.js';
import { goDuration } from '../../../src/apiserver/metrics-api/handlers.js';
import { canonicalForm } from '../../../src/api/quantity.js';

const MiB = 1024 * 1024;

function scrape(t: number, nodeCpu: number, podCpu: number, podMem: number): string {
  return renderResourceMetrics({
    node: { cpuSeconds: nodeCpu, memoryBytes: 1024 * MiB, timestampMs: t },
    containers: [
      {
        namespace: 'default',
        pod: 'web',
        container: 'nginx',
        cpuSeconds: podCpu,
        memoryBytes: podMem,
        timestampMs: t,
      },
      {
        namespace: 'default',
        pod: 'web',
        container: 'side',
        cpuSeconds: 0.5,
        memoryBytes: MiB,
        timestampMs: t,
      },
    ],
    scrapeError: false,
  });
}

describe('resource metrics', () => {
  it('renders the kubelet metric names with help, labels and timestamps', () => {
    const text = scrape(1000, 100, 1, 10 * MiB);
    assert.match(
      text,
      /^# HELP container_cpu_usage_seconds_total \[STABLE\] Cumulative cpu time consumed by the container in core-seconds\n# TYPE container_cpu_usage_seconds_total counter\n/,
    );
    assert.match(
      text,
      /\ncontainer_memory_working_set_bytes\{container="nginx",namespace="default",pod="web"\} 10485760 1000\n/,
    );
    assert.match(text, /\npod_memory_working_set_bytes\{namespace="default",pod="web"\} 11534336 1000\n/);
    assert.match(text, /\nnode_cpu_usage_seconds_total 100 1000\n/);
    assert.match(text, /\nresource_scrape_error 0\n$/);
    const samples = parsePrometheusText(text);
    assert.deepEqual(
      samples.find((s) => s.name === 'container_cpu_usage_seconds_total'),
      {
        name: 'container_cpu_usage_seconds_total',
        labels: { container: 'nginx', namespace: 'default', pod: 'web' },
        value: 1,
        timestampMs: 1000,
      },
    );
  });

  it('reads the node from /proc', () => {
    assert.equal(nodeCpuSeconds('cpu  1000 50 450 90000 300 20 30 0 0 0\ncpu0 1 2 3\n'), 15.5);
    assert.equal(
      nodeMemoryWorkingSet('MemTotal:       2048 kB\nMemFree:  100 kB\nMemAvailable:   1024 kB\n'),
      1024 * 1024,
    );
  });

  it('needs two scrapes; CPU is the rate between them, memory the latest', () => {
    const store = new MetricsStore();
    store.record('n1', scrape(1000, 100, 1, 10 * MiB));
    assert.equal(store.nodeUsage('n1'), undefined);
    assert.equal(store.podUsages().size, 0);
    store.record('n1', scrape(16_000, 115, 1.15, 20 * MiB));
    const node = store.nodeUsage('n1')!;
    assert.equal(node.cpu, 1_000_000_000n);
    assert.equal(node.windowMs, 15_000);
    const web = store.podUsages().get('default/web')!;
    assert.equal(canonicalForm({ nanos: web.get('nginx')!.cpu, format: 'DecimalSI' }), '10m');
    assert.equal(web.get('nginx')!.memory, BigInt(20 * MiB));
    assert.equal(web.get('side')!.cpu, 0n);
  });

  it('drops a container whose counter went down (restarted) until the next pair', () => {
    const store = new MetricsStore();
    store.record('n1', scrape(1000, 100, 5, MiB));
    store.record('n1', scrape(16_000, 115, 1, MiB));
    assert.equal(store.podUsages().size, 0);
  });

  it('formats windows as Go durations', () => {
    assert.equal(goDuration(15_000), '15s');
    assert.equal(goDuration(15_012), '15.012s');
    assert.equal(goDuration(60_500), '1m0.5s');
    assert.equal(goDuration(500), '500ms');
  });
});
