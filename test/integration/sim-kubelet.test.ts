// Simulated nodes as kubectl shows them: registration, heartbeats, and pods through the
// kubelet's state machine, steered by sim.k8ts.io annotations. Pods name their node, so no
// scheduler is needed (it is off here).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer, eventually } from './harness.js';

const podYAML = (name: string, annotations: Record<string, string>, spec: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, annotations },
    spec: { nodeName: 'sim-node-0', containers: [{ name: 'c', image: 'busybox' }], ...spec },
  });

describe('sim kubelet', () => {
  let s: TestServer;
  const k = (...args: string[]) => s.kubectl(['-n', 'sim', ...args]);
  const apply = (doc: string) => s.kubectl(['-n', 'sim', 'apply', '-f', '-'], doc);
  const row = (name: string) => k('get', 'pod', name, '--no-headers').then((r) => r.stdout);
  before(async () => {
    s = await startServer([
      '--disable-scheduler',
      '--sim-nodes',
      '1',
      '--sim-node-taints',
      'sim=true:PreferNoSchedule',
    ]);
    assert.equal((await s.kubectl(['create', 'namespace', 'sim'])).code, 0);
    await eventually('node Ready', async () =>
      / Ready /.test((await s.kubectl(['get', 'node', 'sim-node-0', '--no-headers'])).stdout),
    );
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('registers a Node as a kubelet does, with a Lease in kube-node-lease', async () => {
    const r = await s.kubectl(['get', 'node', 'sim-node-0', '-o', 'json']);
    const n = JSON.parse(r.stdout);
    assert.equal(n.metadata.labels['kubernetes.io/hostname'], 'sim-node-0');
    assert.equal(n.metadata.labels['kubernetes.io/os'], 'linux');
    assert.equal(n.metadata.labels['kubernetes.io/arch'], 'amd64');
    // a new node starts with the not-ready taint (TaintNodesByCondition); the node lifecycle
    // controller lifts it once the node is Ready
    await eventually('not-ready taint lifted', async () =>
      /^\[\{"effect":"PreferNoSchedule","key":"sim","value":"true"\}\]$/.test(
        (await s.kubectl(['get', 'node', 'sim-node-0', '-o', 'jsonpath={.spec.taints}'])).stdout,
      ),
    );
    assert.deepEqual(n.status.capacity, {
      cpu: '8',
      'ephemeral-storage': '100Gi',
      memory: '32Gi',
      pods: '110',
    });
    const byType = Object.fromEntries(n.status.conditions.map((c: { type: string }) => [c.type, c]));
    assert.equal(byType.Ready.reason, 'KubeletReady');
    assert.equal(byType.Ready.message, 'kubelet is posting ready status');
    assert.equal(byType.MemoryPressure.reason, 'KubeletHasSufficientMemory');
    assert.equal(byType.DiskPressure.message, 'kubelet has no disk pressure');
    assert.equal(byType.PIDPressure.reason, 'KubeletHasSufficientPID');
    assert.deepEqual(
      n.status.addresses.map((a: { type: string }) => a.type),
      ['InternalIP', 'Hostname'],
    );
    assert.equal(n.status.nodeInfo.kubeletVersion, 'v1.31.0');
    assert.equal(n.status.nodeInfo.containerRuntimeVersion, 'sim://1.0');
    const lease = await s.kubectl(['-n', 'kube-node-lease', 'get', 'lease', 'sim-node-0', '-o', 'json']);
    const l = JSON.parse(lease.stdout);
    assert.equal(l.spec.holderIdentity, 'sim-node-0');
    assert.equal(l.spec.leaseDurationSeconds, 40);
    assert.match(l.spec.renewTime, /^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(l.metadata.ownerReferences[0].kind, 'Node');
    const wide = await s.kubectl(['get', 'node', 'sim-node-0', '-o', 'wide', '--no-headers']);
    assert.match(wide.stdout, /^sim-node-0\s+Ready\s+<none>\s+\S+\s+v1\.31\.0\s+100\.64\.0\.1\s/);
  });

  it('runs a pod: Running with a pod IP, conditions and container status as upstream', async () => {
    assert.equal((await apply(podYAML('run', {}))).code, 0);
    await eventually('Running', async () => /^run\s+1\/1\s+Running\s+0\s/.test(await row('run')));
    const p = JSON.parse((await k('get', 'pod', 'run', '-o', 'json')).stdout);
    assert.match(p.status.podIP, /^10\.42\.\d+\.\d+$/);
    assert.equal(p.status.hostIP, '100.64.0.1');
    assert.deepEqual(
      p.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`),
      [
        'PodReadyToStartContainers=True',
        'Initialized=True',
        'Ready=True',
        'ContainersReady=True',
        'PodScheduled=True',
      ],
    );
    const cs = p.status.containerStatuses[0];
    assert.equal(cs.image, 'docker.io/library/busybox:latest');
    assert.match(cs.imageID, /^docker\.io\/library\/busybox@sha256:[0-9a-f]{64}$/);
    assert.match(cs.containerID, /^sim:\/\/[0-9a-f]{64}$/);
    assert.equal(cs.started, true);
    assert.equal(cs.restartCount, 0);
    assert.match(cs.state.running.startedAt, /^20\d\d-/);
  });

  it('start-seconds: ContainerCreating (Pending) first, then Running', async () => {
    assert.equal((await apply(podYAML('slowstart', { 'sim.k8ts.io/start-seconds': '3' }))).code, 0);
    await eventually('ContainerCreating', async () =>
      /^slowstart\s+0\/1\s+ContainerCreating\s+0\s/.test(await row('slowstart')),
    );
    const phase = await k('get', 'pod', 'slowstart', '-o', 'jsonpath={.status.phase}');
    assert.equal(phase.stdout, 'Pending');
    await eventually('Running', async () => /^slowstart\s+1\/1\s+Running\s/.test(await row('slowstart')));
  });

  it('init containers run first (Init:0/1), then the containers', async () => {
    const doc = podYAML(
      'init',
      { 'sim.k8ts.io/init-seconds': '2' },
      { initContainers: [{ name: 'setup', image: 'busybox' }] },
    );
    assert.equal((await apply(doc)).code, 0);
    await eventually('Init:0/1', async () => /^init\s+0\/1\s+Init:0\/1\s/.test(await row('init')));
    await eventually('Running', async () => /^init\s+1\/1\s+Running\s/.test(await row('init')));
  });

  it('steering: Completed, Error, OOMKilled, CrashLoopBackOff, never ready, image pull errors', async () => {
    await apply(podYAML('done', { 'sim.k8ts.io/run-seconds': '1' }, { restartPolicy: 'Never' }));
    await apply(podYAML('err', { 'sim.k8ts.io/fail': 'true' }, { restartPolicy: 'Never' }));
    await apply(podYAML('oom', { 'sim.k8ts.io/oom-killed': 'c' }, { restartPolicy: 'Never' }));
    await apply(podYAML('crash', { 'sim.k8ts.io/crash-loop': 'true', 'sim.k8ts.io/run-seconds': '0' }));
    await apply(podYAML('unready', { 'sim.k8ts.io/never-ready': 'true' }));
    await apply(podYAML('pull', { 'sim.k8ts.io/image-pull-error': 'true' }));
    await eventually('Completed', async () => /^done\s+0\/1\s+Completed\s+0\s/.test(await row('done')));
    await eventually('Error', async () => /^err\s+0\/1\s+Error\s+0\s/.test(await row('err')));
    await eventually('OOMKilled', async () => /^oom\s+0\/1\s+OOMKilled\s+0\s/.test(await row('oom')));
    await eventually('CrashLoopBackOff', async () =>
      /^crash\s+0\/1\s+CrashLoopBackOff\s+1 \(\S+ ago\)\s/.test(await row('crash')),
    );
    await eventually('never ready', async () => /^unready\s+0\/1\s+Running\s+0\s/.test(await row('unready')));
    await eventually('ImagePullBackOff', async () =>
      /^pull\s+0\/1\s+ImagePullBackOff\s+0\s/.test(await row('pull')),
    );
    const phases = await k('get', 'pods', 'done', 'err', '-o', 'jsonpath={.items[*].status.phase}');
    assert.equal(phases.stdout, 'Succeeded Failed');
    const crash = JSON.parse((await k('get', 'pod', 'crash', '-o', 'json')).stdout).status
      .containerStatuses[0];
    assert.match(crash.state.waiting.message, /^back-off 10s restarting failed container=c pod=crash_sim\(/);
    assert.equal(crash.lastState.terminated.reason, 'Error');
    assert.equal(crash.lastState.terminated.exitCode, 1);
  });

  it("a Job's pod completes by itself", async () => {
    // a real Job: the garbage collector removes pods whose owner does not exist
    const doc = JSON.stringify({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j' },
      spec: {
        template: {
          spec: {
            nodeName: 'sim-node-0',
            restartPolicy: 'Never',
            containers: [{ name: 'c', image: 'perl' }],
          },
        },
      },
    });
    assert.equal((await apply(doc)).code, 0);
    await eventually('Completed', async () =>
      /^j-\S+\s+0\/1\s+Completed\s/m.test(
        (await k('get', 'pods', '-l', 'job-name=j', '--no-headers')).stdout,
      ),
    );
    await eventually('job Complete', async () =>
      /Complete/.test((await k('get', 'job', 'j', '-o', 'jsonpath={.status.conditions[*].type}')).stdout),
    );
  });

  it('graceful deletion: Terminating while containers stop, then the kubelet removes the pod', async () => {
    await apply(podYAML('slow', { 'sim.k8ts.io/termination-seconds': '2' }));
    await eventually('Running', async () => /Running/.test(await row('slow')));
    assert.equal((await k('delete', 'pod', 'slow', '--wait=false')).code, 0);
    assert.match(await row('slow'), /^slow\s+1\/1\s+Terminating\s/);
    await eventually('gone', async () =>
      (await k('get', 'pod', 'slow')).stderr.includes('pods "slow" not found'),
    );
  });
});
