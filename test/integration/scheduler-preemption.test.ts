// Preemption by priority on one small simulated node, and the standalone scheduler command's
// refusal of a malformed --config.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, ROOT, startServer, type TestServer, eventuallyWithin } from './harness.js';

const eventually = eventuallyWithin(30_000);

const pod = (name: string, priority: number, cpu: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    // a priority comes from a PriorityClass: Priority admission refuses a bare spec.priority
    spec: {
      ...(priority ? { priorityClassName: `prio-${priority}` } : {}),
      containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu } } }],
    },
  });

describe('preemption and scheduler flags', () => {
  let s: TestServer;
  const k = (...args: string[]) => s.kubectl(['-n', 'pre', ...args]);
  before(async () => {
    s = await startServer(['--sim-nodes', '1', '--sim-node-capacity', 'cpu=2,memory=4Gi,pods=10']);
    assert.equal((await s.kubectl(['create', 'namespace', 'pre'])).code, 0);
    assert.equal((await s.kubectl(['create', 'priorityclass', 'prio-1000', '--value=1000'])).code, 0);
    await eventually('node Ready', async () =>
      / Ready /.test((await s.kubectl(['get', 'nodes', '--no-headers'])).stdout),
    );
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('a higher-priority pod evicts a lower-priority one and takes its place', async () => {
    for (const n of ['low-1', 'low-2']) {
      assert.equal((await s.kubectl(['-n', 'pre', 'apply', '-f', '-'], pod(n, 0, '1'))).code, 0);
      await eventually(`${n} Running`, async () =>
        /Running/.test((await k('get', 'pod', n, '--no-headers')).stdout),
      );
    }
    assert.equal((await s.kubectl(['-n', 'pre', 'apply', '-f', '-'], pod('high', 1000, '1'))).code, 0);
    await eventually('high Running on sim-node-0', async () =>
      /^high\s+1\/1\s+Running.*sim-node-0/.test(
        (await k('get', 'pod', 'high', '-o', 'wide', '--no-headers')).stdout,
      ),
    );
    const pods = (await k('get', 'pods', '--no-headers')).stdout;
    assert.equal((pods.match(/^low-/gm) ?? []).length, 1, pods);
    const ev = await eventually('Preempted event', async () => {
      const r = await k(
        'get',
        'events',
        '--field-selector',
        'reason=Preempted',
        '-o',
        'jsonpath={.items[*].message}',
      );
      return r.stdout || undefined;
    });
    assert.match(ev, /^Preempted by pod [0-9a-f-]{36} on node sim-node-0$/);
    const high = JSON.parse((await k('get', 'pod', 'high', '-o', 'json')).stdout);
    assert.equal(high.status.nominatedNodeName, 'sim-node-0');
  });

  it('k8ts scheduler refuses a malformed --config with the field named', async () => {
    const cfg = join(s.dir, 'bad.yaml');
    writeFileSync(
      cfg,
      'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles: []\n',
    );
    const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        join(ROOT, 'bin', 'k8ts'),
        ['scheduler', '--kubeconfig', s.kubeconfig, '--config', cfg],
        (err, _o, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
      ),
    );
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), `k8ts: ${cfg}: profiles: must be a non-empty list`);
  });
});
