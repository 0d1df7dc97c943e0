// `k8ts cluster-proportional-autoscaler` (the kube-dns-autoscaler of seed 004 §3.20) run
// standalone against a server with 3 simulated nodes: it creates its ConfigMap from
// --default-params, scales the target by the linear formula, and follows ConfigMap edits and
// cordoned nodes without a restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { cleanup, ROOT, startServer, type TestServer } from './harness.js';
import { eventually, kubectlOk } from './controllers-util.js';

describe('cluster-proportional-autoscaler', () => {
  let s: TestServer;
  let cpa: ChildProcess;
  let log = '';
  before(async () => {
    s = await startServer(['--sim-nodes', '3', '--sim-node-capacity', 'cpu=8,memory=32Gi,pods=110']);
    await eventually(
      s,
      ['get', 'nodes', '--no-headers'],
      (o) => (o.match(/\sReady\s/g) ?? []).length === 3,
      60_000,
    );
    await kubectlOk(s, ['create', 'deployment', 'dns', '--image=nginx']);
    cpa = spawn(
      join(ROOT, 'bin', 'k8ts'),
      [
        'cluster-proportional-autoscaler',
        '--namespace=default',
        '--configmap=dns-autoscaler',
        '--target=Deployment/dns',
        '--default-params={"linear":{"coresPerReplica":256,"nodesPerReplica":1,"min":1,"preventSinglePointFailure":true}}',
        '--logtostderr=true',
        '--v=2',
        '--poll-period-seconds=1',
        `--kubeconfig=${s.kubeconfig}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    cpa.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  });
  after(async () => {
    cpa.kill('SIGTERM');
    await s.stop();
    cleanup(s);
  });

  it('creates its ConfigMap with the default params and scales to one replica per node', async () => {
    await eventually(
      s,
      ['get', 'configmap', 'dns-autoscaler', '--no-headers'],
      /^dns-autoscaler\s+1\s/,
      30_000,
    );
    assert.equal(
      await kubectlOk(s, ['get', 'configmap', 'dns-autoscaler', '-o', 'jsonpath={.data.linear}']),
      '{"coresPerReplica":256,"min":1,"nodesPerReplica":1,"preventSinglePointFailure":true}',
    );
    await eventually(s, ['get', 'deployment', 'dns', '--no-headers'], /^dns\s+3\/3\s/, 60_000);
    assert.match(
      log,
      /ConfigMap not found: configmaps "dns-autoscaler" not found, will create one with default params/,
    );
    assert.match(log, /Created ConfigMap dns-autoscaler in namespace default/);
    assert.match(log, /Replicas are not as expected : updating replicas from 1 to 3/);
  });

  it('applies an edited ConfigMap without a restart', async () => {
    await kubectlOk(s, [
      'patch',
      'configmap',
      'dns-autoscaler',
      '-p',
      '{"data":{"linear":"{\\"nodesPerReplica\\":16,\\"min\\":1,\\"preventSinglePointFailure\\":true}"}}',
    ]);
    // ceil(3/16) = 1, but more than one node: 2
    await eventually(s, ['get', 'deployment', 'dns', '-o', 'jsonpath={.spec.replicas}'], /^2$/, 30_000);
    assert.match(log, /ConfigMap version change \(old: \d+ new: \d+\) - rebuilding params/);
  });

  it('counts only schedulable nodes (a cordoned node drops out)', async () => {
    await kubectlOk(s, [
      'patch',
      'configmap',
      'dns-autoscaler',
      '-p',
      '{"data":{"linear":"{\\"nodesPerReplica\\":1}"}}',
    ]);
    await eventually(s, ['get', 'deployment', 'dns', '-o', 'jsonpath={.spec.replicas}'], /^3$/, 30_000);
    await kubectlOk(s, ['cordon', 'sim-node-0']);
    await eventually(s, ['get', 'deployment', 'dns', '-o', 'jsonpath={.spec.replicas}'], /^2$/, 30_000);
  });

  it('logs a bad ConfigMap as upstream and keeps the replicas', async () => {
    await kubectlOk(s, ['patch', 'configmap', 'dns-autoscaler', '-p', '{"data":{"linear":"{\\"min\\":1}"}}']);
    const deadline = Date.now() + 30_000;
    while (!/Error ensuring controller: error parsing linear params/.test(log) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    assert.match(
      log,
      /E\d{4} [\d:.]+\s+\d+ autoscaler_server.go\] Error ensuring controller: error parsing linear params: should at least provide either CoresPerReplica or NodesPerReplica \(Greater than 0\)/,
    );
    assert.equal(await kubectlOk(s, ['get', 'deployment', 'dns', '-o', 'jsonpath={.spec.replicas}']), '2');
  });
});
