// The sim runtime's resource usage (what its /metrics/resource renders) follows the pod's
// sim.k8ts.io/cpu-usage and memory-usage annotations.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PodUsage, usageRatesOf } from '../../../src/kubelet/runtime/sim-usage.js';
import { SimRuntime } from '../../../src/kubelet/runtime/sim.js';
import { renderResourceMetrics } from '../../../src/kubelet/stats/resource-metrics.js';
import type { Pod } from '../../../src/kubelet/runtime/types.js';

const pod = (annotations: Record<string, string>): Pod =>
  ({
    metadata: { name: 'web', namespace: 'default', uid: 'u1', annotations },
    spec: {
      containers: [
        { name: 'a', image: 'nginx' },
        { name: 'b', image: 'nginx' },
      ],
    },
  }) as unknown as Pod;

describe('sim usage', () => {
  it('reads the annotations, with 1m and 4Mi as defaults', () => {
    assert.deepEqual(usageRatesOf(pod({})), { cpu: 0.001, memory: 4 * 1024 * 1024 });
    assert.deepEqual(
      usageRatesOf(pod({ 'sim.k8ts.io/cpu-usage': '250m', 'sim.k8ts.io/memory-usage': '64Mi' })),
      {
        cpu: 0.25,
        memory: 64 * 1024 * 1024,
      },
    );
    // a value that is no quantity falls back to the default
    assert.equal(usageRatesOf(pod({ 'sim.k8ts.io/cpu-usage': 'lots' })).cpu, 0.001);
  });

  it('accumulates CPU time at the rate in force', () => {
    const u = new PodUsage({ cpu: 0.5, memory: 1 }, 0);
    assert.equal(u.read(10_000).cpuSeconds, 5);
    u.setRates({ cpu: 2, memory: 1 }, 10_000);
    assert.equal(u.read(12_000).cpuSeconds, 9);
  });

  it('the runtime splits a pod between its running containers and sees annotation changes', async () => {
    const rt = new SimRuntime();
    rt.syncPod(
      pod({ 'sim.k8ts.io/cpu-usage': '1', 'sim.k8ts.io/memory-usage': '64Mi' }),
      '10.42.0.0/24',
      () => {},
    );
    const first = await rt.resourceUsage();
    assert.deepEqual(
      first.containers.map((c) => [c.container, c.memoryBytes]),
      [
        ['a', 32 * 1024 * 1024],
        ['b', 32 * 1024 * 1024],
      ],
    );
    rt.syncPod(pod({ 'sim.k8ts.io/memory-usage': '128Mi' }), '10.42.0.0/24', () => {});
    const text = renderResourceMetrics(await rt.resourceUsage());
    assert.match(text, /^pod_memory_working_set_bytes\{namespace="default",pod="web"\} 134217728 \d+$/m);
    rt.dispose();
  });
});
