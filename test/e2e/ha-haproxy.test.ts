// Seeds 000/002's topology through scripts/ha-haproxy.sh: three servers (managed etcd, each in
// its own network namespace on a bridge) behind HAProxy on :6443 with /readyz health checks.
// kubectl through the load balancer answers while one API server is killed (kill -9), a write
// made meanwhile is kept, and the killed server rejoins (ready, listed in the `kubernetes`
// Endpoints, serving that write). An agent in its own namespace joins through the load balancer
// (`k8ts agent --server https://LB:6443 --token T`, sim runtime): a pod is scheduled on it,
// `kubectl logs` reaches its kubelet out of the box, and its node stays Ready (heartbeats go on)
// while a server is down. Needs root, iproute2 and haproxy: runs only with K8TS_E2E=1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../integration/harness.js';
import { until } from './until.js';

const enabled =
  process.env.K8TS_E2E === '1' && (existsSync('/usr/sbin/haproxy') || existsSync('/usr/bin/haproxy'));
const SCRIPT = join(ROOT, 'scripts', 'ha-haproxy.sh');
// HA_NS/HA_DIR may be set so that two checkouts on one machine do not share namespaces
const env = {
  ...process.env,
  HA_DIR: process.env.HA_DIR ?? '/tmp/ha-lb-e2e',
  HA_NS: process.env.HA_NS ?? 'ha-lb',
  HA_AGENTS: '1',
};

function ha(args: string[], timeout = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', [SCRIPT, ...args], { env, timeout }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
const kubectl = (args: string[]) => ha(['kubectl', '--request-timeout=5s', ...args], 30_000);
const nodeReady = async () =>
  (
    await kubectl([
      'get',
      'node',
      'ha-agent-1',
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
    ])
  ).stdout;
const leaseRenewed = async () =>
  (await kubectl(['get', 'lease', '-n', 'kube-node-lease', 'ha-agent-1', '-o', 'jsonpath={.spec.renewTime}']))
    .stdout;

describe(
  'three servers behind HAProxy',
  { skip: !enabled && 'set K8TS_E2E=1 (needs root and haproxy)' },
  () => {
    before(async () => {
      await ha(['down']);
      const up = await ha(['up'], 260_000);
      assert.equal(up.code, 0, up.stdout + up.stderr);
    });
    after(async () => {
      await ha(['down']);
    });

    it('answers through the load balancer', async () => {
      const r = await kubectl(['get', 'pod']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, 'No resources found in default namespace.\n');
      const ep = await kubectl([
        'get',
        'endpoints',
        'kubernetes',
        '-o',
        'jsonpath={.subsets[*].addresses[*].ip}',
      ]);
      assert.deepEqual(ep.stdout.split(' ').sort(), ['10.77.0.11', '10.77.0.12', '10.77.0.13']);
    });

    it('runs a pod on the agent that joined through the load balancer', async () => {
      const nodes = await kubectl(['get', 'nodes', '-o', 'jsonpath={.items[*].metadata.name}']);
      assert.equal(nodes.stdout, 'ha-agent-1', nodes.stderr);
      assert.equal(await nodeReady(), 'True');
      // its own namespace: the other tests expect the default one empty
      assert.equal((await kubectl(['create', 'namespace', 'apps'])).code, 0);
      const run = await kubectl(['run', '-n', 'apps', 'web', '--image=busybox', '--restart=Never']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, 'pod/web created\n');
      await until('pod web Running', async () => {
        const r = await kubectl([
          'get',
          'pod',
          '-n',
          'apps',
          'web',
          '-o',
          'jsonpath={.status.phase} {.spec.nodeName}',
        ]);
        return r.stdout === 'Running ha-agent-1';
      });
      // the API servers reach the agent's kubelet (self-signed serving certificate, not verified:
      // upstream's default without --kubelet-certificate-authority)
      const logs = await kubectl(['logs', '-n', 'apps', 'web']);
      assert.equal(logs.code, 0, logs.stderr);
    });

    it('keeps answering after kill -9 of one API server, and the killed one rejoins', async () => {
      const renewedBefore = await leaseRenewed();
      assert.notEqual(renewedBefore, '');
      assert.equal((await ha(['kill', '1'])).code, 0);
      // haproxy marks it down after 2 failed checks; until then a request may be redispatched
      await until('an answer through the LB', async () => (await kubectl(['get', 'pod'])).code === 0);
      for (let i = 0; i < 6; i++) {
        const r = await kubectl(['get', 'pod']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, 'No resources found in default namespace.\n');
      }
      // the agent's heartbeats go on through the other servers, and its node stays Ready
      await until('a node lease renewal while server 1 is down', async () => {
        const now = await leaseRenewed();
        return now !== '' && now !== renewedBefore;
      });
      assert.equal(await nodeReady(), 'True');
      const logs = await kubectl(['logs', '-n', 'apps', 'web']);
      assert.equal(logs.code, 0, logs.stderr);
      const made = await kubectl(['create', 'configmap', 'while-one-down', '--from-literal=k=v']);
      assert.equal(made.code, 0, made.stderr);
      assert.equal(made.stdout, 'configmap/while-one-down created\n');
      const started = await ha(['start', '1'], 120_000);
      assert.equal(started.code, 0, started.stdout + started.stderr);
      await until('the rejoined server in the kubernetes Endpoints', async () => {
        const ep = await kubectl([
          'get',
          'endpoints',
          'kubernetes',
          '-o',
          'jsonpath={.subsets[*].addresses[*].ip}',
        ]);
        return ep.stdout.split(' ').includes('10.77.0.11');
      });
      // the rejoined server itself serves what was written while it was down
      const direct = await ha(
        [
          'kubectl',
          '--server',
          'https://10.77.0.11:6443',
          'get',
          'configmap',
          'while-one-down',
          '-o',
          'jsonpath={.data.k}',
        ],
        30_000,
      );
      assert.equal(direct.stdout, 'v', direct.stderr);
    });
  },
);
