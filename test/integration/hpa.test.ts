// The horizontal pod autoscaler end to end on the sim runtime: the local agent's kubelet serves
// /metrics/resource from the pods' sim.k8ts.io/cpu-usage annotations, the Metrics API scrapes it
// every second, and the HPA controller (sync period 1 s, downscale stabilization 3 s) scales a
// Deployment up and down. Upstream's texts (events, conditions, the TARGETS column) are asserted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';
import { eventually, kubectlOk } from './controllers-util.js';

const deployment = (name: string, cpuUsage: string, requests: string) => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
      annotations: {sim.k8ts.io/cpu-usage: "${cpuUsage}"}
    spec:
      containers:
      - name: nginx
        image: nginx
${requests ? `        resources: {requests: {cpu: ${requests}}}` : ''}
`;

describe('horizontal pod autoscaler (sim runtime)', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer([
      '--enable-agent',
      '--runtime',
      'sim',
      '--kubelet-port',
      '0',
      '--metric-resolution',
      '1s',
      '--kube-controller-manager-arg',
      'horizontal-pod-autoscaler-sync-period=1s',
      '--kube-controller-manager-arg',
      'horizontal-pod-autoscaler-downscale-stabilization=3s',
    ]);
    await eventually(s, ['get', 'nodes', '--no-headers'], /\sReady\s/, 60_000);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('scales up on load, reports it, and scales down after the stabilization window', async () => {
    await kubectlOk(s, ['apply', '-f', '-'], deployment('web', '200m', '100m'));
    await eventually(s, ['get', 'deployment', 'web', '--no-headers'], /^web\s+1\/1\s/, 60_000);
    assert.equal(
      await kubectlOk(s, ['autoscale', 'deployment', 'web', '--cpu-percent=50', '--min=1', '--max=3']),
      'horizontalpodautoscaler.autoscaling/web autoscaled\n',
    );
    // 200m of a 100m request is 200 % of a 50 % target: 4 replicas wanted, capped at max 3
    const hpa = await eventually(
      s,
      ['get', 'hpa', 'web', '--no-headers'],
      /^web\s+Deployment\/web\s+cpu: 200%\/50%\s+1\s+3\s+3\s/,
      90_000,
    );
    assert.match(hpa, /^web\s+Deployment\/web\s+cpu: 200%\/50%\s+1\s+3\s+3\s+\d+s\s*$/);
    await eventually(s, ['get', 'deployment', 'web', '--no-headers'], /^web\s+3\/3\s/, 60_000);
    const events = await kubectlOk(s, [
      'get',
      'events',
      '--field-selector',
      'involvedObject.kind=HorizontalPodAutoscaler',
      '-o',
      'custom-columns=TYPE:.type,REASON:.reason,MESSAGE:.message',
      '--no-headers',
    ]);
    assert.match(
      events,
      /Normal\s+SuccessfulRescale\s+New size: 3; reason: cpu resource utilization \(percentage of request\) above target/,
    );
    const describe = await kubectlOk(s, ['describe', 'hpa', 'web']);
    assert.match(describe, /Reference:\s+Deployment\/web/);
    assert.match(describe, /resource cpu on pods\s+\(as a percentage of request\):\s+200% \(200m\) \/ 50%/);
    assert.match(describe, /Min replicas:\s+1/);
    assert.match(describe, /Deployment pods:\s+3 current \/ 3 desired/);
    assert.match(describe, /AbleToScale\s+True\s+ReadyForNewScale\s+recommended size matches current size/);
    assert.match(
      describe,
      /ScalingActive\s+True\s+ValidMetricFound\s+the HPA was able to successfully calculate a replica count from cpu resource utilization \(percentage of request\)/,
    );
    assert.match(
      describe,
      /ScalingLimited\s+True\s+TooManyReplicas\s+the desired replica count is more than the maximum replica count/,
    );

    // the load goes away: 10m of 100m is 10 %, one replica is enough once 3 s of higher
    // recommendations have passed
    await kubectlOk(s, ['annotate', 'pods', '-l', 'app=web', 'sim.k8ts.io/cpu-usage=10m', '--overwrite']);
    await eventually(s, ['get', 'hpa', 'web', '--no-headers'], /cpu: 10%\/50%\s+1\s+3\s+1\s/, 90_000);
    const down = await kubectlOk(s, [
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=web,reason=SuccessfulRescale',
      '-o',
      'custom-columns=MESSAGE:.message',
      '--no-headers',
    ]);
    assert.match(down, /New size: 1; reason: All metrics below target/);
  });

  it('reports a pod without a cpu request as upstream does, with an <unknown> target', async () => {
    await kubectlOk(s, ['apply', '-f', '-'], deployment('norequest', '50m', ''));
    await eventually(s, ['get', 'deployment', 'norequest', '--no-headers'], /^norequest\s+1\/1\s/, 60_000);
    await kubectlOk(s, ['autoscale', 'deployment', 'norequest', '--cpu-percent=50', '--max=2']);
    const out = await eventually(
      s,
      ['describe', 'hpa', 'norequest'],
      /ScalingActive\s+False\s+FailedGetResourceMetric\s+.*missing request/,
      60_000,
    );
    assert.match(
      out,
      /the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container nginx of Pod norequest-/,
    );
    assert.match(
      out,
      /Warning\s+FailedGetResourceMetric\s+.*failed to get cpu utilization: missing request for cpu/,
    );
    assert.match(
      out,
      /Warning\s+FailedComputeMetricsReplicas\s+.*invalid metrics \(1 invalid out of 1\), first error is: failed to get cpu resource metric value: failed to get cpu utilization: missing request for cpu/,
    );
    assert.match(
      await kubectlOk(s, ['get', 'hpa', 'norequest', '--no-headers']),
      /^norequest\s+Deployment\/norequest\s+cpu: <unknown>\/50%\s+1\s+2\s+1\s/,
    );
  });

  it('names a missing target as upstream does', async () => {
    await kubectlOk(s, ['autoscale', 'deployment', 'nope', '--cpu-percent=50', '--max=2']).catch(() => '');
    await kubectlOk(
      s,
      ['apply', '-f', '-'],
      `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ghost}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ghost}
  maxReplicas: 2
`,
    );
    const out = await eventually(s, ['describe', 'hpa', 'ghost'], /AbleToScale\s+False/, 60_000);
    assert.match(
      out,
      /AbleToScale\s+False\s+FailedGetScale\s+the HPA controller was unable to get the target's current scale: deployments.apps "ghost" not found/,
    );
    assert.match(out, /Warning\s+FailedGetScale\s+.*deployments.apps "ghost" not found/);
  });
});

describe('horizontal pod autoscaler (simulated nodes serving their kubelet API)', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer([
      '--sim-nodes',
      '2',
      '--sim-node-kubelet-address',
      '127.0.0.1',
      '--metric-resolution',
      '1s',
      '--kube-controller-manager-arg',
      'horizontal-pod-autoscaler-sync-period=1s',
    ]);
    await eventually(
      s,
      ['get', 'nodes', '--no-headers'],
      (o) => (o.match(/\sReady\s/g) ?? []).length === 2,
      60_000,
    );
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('kubectl top sees sim pods and an AverageValue memory target scales them', async () => {
    await kubectlOk(
      s,
      ['apply', '-f', '-'],
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: mem}
spec:
  replicas: 1
  selector: {matchLabels: {app: mem}}
  template:
    metadata:
      labels: {app: mem}
      annotations: {sim.k8ts.io/memory-usage: 64Mi, sim.k8ts.io/cpu-usage: 30m}
    spec:
      containers: [{name: c, image: nginx}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: mem}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: mem}
  maxReplicas: 4
  metrics:
  - type: Resource
    resource: {name: memory, target: {type: AverageValue, averageValue: 32Mi}}
`,
    );
    const top = await eventually(
      s,
      ['top', 'pods', '-l', 'app=mem', '--no-headers'],
      /^mem-\S+\s+\d+m\s+64Mi/,
      60_000,
    );
    assert.match(top, /^mem-\S+\s+(29|30|31)m\s+64Mi\s*$/m);
    // every pod uses 64Mi against 32Mi: 2 replicas, then 4 (the max, and 2 × 2)
    await eventually(
      s,
      ['get', 'hpa', 'mem', '--no-headers'],
      /^mem\s+Deployment\/mem\s+memory: 67108864\/32Mi\s+1\s+4\s+4\s/,
      90_000,
    );
    const events = await kubectlOk(s, [
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=mem,reason=SuccessfulRescale',
      '-o',
      'custom-columns=MESSAGE:.message',
      '--no-headers',
    ]);
    assert.match(events, /New size: \d; reason: memory resource above target/);
  });
});
