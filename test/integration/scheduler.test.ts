// The scheduler on simulated nodes, as a kubectl user sees it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer, eventually } from './harness.js';

describe('scheduler on simulated nodes', () => {
  let s: TestServer;
  const k = (...args: string[]) => s.kubectl(['-n', 'sched', ...args]);
  before(async () => {
    s = await startServer(['--sim-nodes', '2', '--sim-node-capacity', 'cpu=8,memory=32Gi,pods=110']);
    assert.equal((await s.kubectl(['create', 'namespace', 'sched'])).code, 0);
    await eventually('two Ready nodes', async () => {
      const r = await s.kubectl(['get', 'nodes', '--no-headers']);
      return (r.stdout.match(/ Ready /g) ?? []).length === 2;
    });
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('kubectl run: the pod is scheduled, Running on a sim node, with the Scheduled event', async () => {
    assert.equal((await k('run', 'web', '--image=nginx')).code, 0);
    const line = await eventually('web Running', async () => {
      const r = await k('get', 'pod', 'web', '-o', 'wide', '--no-headers');
      return /^web\s+1\/1\s+Running\s+0\s/.test(r.stdout) && r.stdout;
    });
    assert.match(line, /\s10\.42\.\d+\.\d+\s+sim-node-[01]\s/);
    const node = /sim-node-[01]/.exec(line)![0];
    const d = await eventually('Scheduled event', async () => {
      const r = await k('describe', 'pod', 'web');
      return /Scheduled/.test(r.stdout) && r.stdout;
    });
    assert.match(
      d,
      new RegExp(
        `Normal\\s+Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned sched/web to ${node}`,
      ),
    );
    assert.match(d, /Node:\s+sim-node-[01]\/100\.64\.0\.[12]/);
  });

  it("a pod asking 100 cpus stays Pending with upstream's FailedScheduling text and condition", async () => {
    const pod = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'cpu-demo-2' },
      spec: {
        containers: [
          {
            name: 'c',
            image: 'vish/stress',
            resources: { requests: { cpu: '100' }, limits: { cpu: '100' } },
          },
        ],
      },
    });
    assert.equal((await s.kubectl(['-n', 'sched', 'apply', '-f', '-'], pod)).code, 0);
    const text =
      '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.';
    const d = await eventually('FailedScheduling', async () => {
      const r = await k('describe', 'pod', 'cpu-demo-2');
      return /FailedScheduling/.test(r.stdout) && r.stdout;
    });
    assert.match(
      d,
      /Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/2 nodes are available: 2 Insufficient cpu\. preemption:/,
    );
    assert.ok(d.includes(text), d);
    const r = await k('get', 'pod', 'cpu-demo-2', '--no-headers');
    assert.match(r.stdout, /^cpu-demo-2\s+0\/1\s+Pending\s+0\s/);
    const cond = await k(
      'get',
      'pod',
      'cpu-demo-2',
      '-o',
      'jsonpath={.status.conditions[?(@.type=="PodScheduled")]}',
    );
    const c = JSON.parse(cond.stdout);
    assert.equal(c.status, 'False');
    assert.equal(c.reason, 'Unschedulable');
    assert.equal(c.message, text);
    const ev = await k('get', 'events', '--field-selector', 'reason=FailedScheduling', '--no-headers');
    assert.match(ev.stdout, /Warning\s+FailedScheduling\s+pod\/cpu-demo-2/);
  });

  it("kubectl describe node shows Allocatable and the pods' Allocated resources", async () => {
    const pod = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sized' },
      spec: {
        nodeSelector: { 'kubernetes.io/hostname': 'sim-node-1' },
        containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '2', memory: '1Gi' } } }],
      },
    });
    assert.equal((await s.kubectl(['-n', 'sched', 'apply', '-f', '-'], pod)).code, 0);
    const d = await eventually('sized on sim-node-1', async () => {
      const r = await s.kubectl(['describe', 'node', 'sim-node-1']);
      return /sched\s+sized\s+2 \(25%\)/.test(r.stdout) && r.stdout;
    });
    assert.match(
      d,
      /Allocatable:\n\s+cpu:\s+8\n\s+ephemeral-storage:\s+100Gi\n\s+memory:\s+32Gi\n\s+pods:\s+110/,
    );
    assert.match(d, /Allocated resources:[\s\S]*cpu\s+2 \(25%\)\s+0 \(0%\)/);
    assert.match(d, /memory\s+1Gi \(3%\)\s+0 \(0%\)/);
  });

  it('nodeSelector matching no node: Pending; labelling a node lets it in', async () => {
    const pod = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'picky' },
      spec: { nodeSelector: { disktype: 'ssd' }, containers: [{ name: 'c', image: 'nginx' }] },
    });
    assert.equal((await s.kubectl(['-n', 'sched', 'apply', '-f', '-'], pod)).code, 0);
    await eventually('picky FailedScheduling', async () => {
      const r = await k('describe', 'pod', 'picky');
      return r.stdout.includes(
        "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
      );
    });
    assert.equal((await s.kubectl(['label', 'node', 'sim-node-0', 'disktype=ssd'])).code, 0);
    await eventually('picky Running on sim-node-0', async () => {
      const r = await k('get', 'pod', 'picky', '-o', 'wide', '--no-headers');
      return /Running.*sim-node-0/.test(r.stdout);
    });
  });

  it('a cordoned node gets no new pods', async () => {
    assert.match((await s.kubectl(['cordon', 'sim-node-1'])).stdout, /node\/sim-node-1 cordoned/);
    const r = await s.kubectl(['get', 'node', 'sim-node-1', '--no-headers']);
    assert.match(r.stdout, /Ready,SchedulingDisabled/);
    for (const n of ['c1', 'c2', 'c3']) assert.equal((await k('run', n, '--image=nginx')).code, 0);
    for (const n of ['c1', 'c2', 'c3'])
      await eventually(`${n} on sim-node-0`, async () => {
        const out = await k('get', 'pod', n, '-o', 'wide', '--no-headers');
        return /Running.*sim-node-0/.test(out.stdout);
      });
    assert.match((await s.kubectl(['uncordon', 'sim-node-1'])).stdout, /node\/sim-node-1 uncordoned/);
  });

  it('hostPort: one pod per node, the third stays Pending', async () => {
    const pod = (name: string) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, hostPort: 8080 }] }] },
      });
    for (const n of ['hp1', 'hp2', 'hp3'])
      assert.equal((await s.kubectl(['-n', 'sched', 'apply', '-f', '-'], pod(n))).code, 0);
    await eventually('two running, one pending with the ports reason', async () => {
      const r = await k('get', 'pods', 'hp1', 'hp2', 'hp3', '--no-headers');
      const running = (r.stdout.match(/Running/g) ?? []).length;
      const d = await k('describe', 'pods', 'hp1', 'hp2', 'hp3');
      return (
        running === 2 && d.stdout.includes("2 node(s) didn't have free ports for the requested pod ports.")
      );
    });
  });
});
