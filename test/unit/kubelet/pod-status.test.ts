// The API status a kubelet derives from its runtime: upstream's phase rules and conditions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { apiPodStatus, podPhase } from '../../../src/kubelet/pod-status.js';
import type { Pod, RuntimeContainerStatus, RuntimePodStatus } from '../../../src/kubelet/runtime/types.js';
import { PodIPs } from '../../../src/kubelet/runtime/pod-ips.js';
import { normalizeImage } from '../../../src/kubelet/runtime/sim-steering.js';

const pod = (restartPolicy: 'Always' | 'OnFailure' | 'Never' = 'Always', init = 0): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
  spec: {
    restartPolicy,
    initContainers: Array.from({ length: init }, (_, i) => ({ name: `i${i}`, image: 'busybox' })),
    containers: [
      { name: 'b', image: 'nginx' },
      { name: 'a', image: 'nginx' },
    ],
  },
  status: {
    phase: 'Pending',
    qosClass: 'BestEffort',
    conditions: [
      {
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: '2024-01-01T00:00:00Z',
      },
    ],
  },
});

const c = (
  name: string,
  state: RuntimeContainerStatus['state'],
  extra: Partial<RuntimeContainerStatus> = {},
): RuntimeContainerStatus => ({
  name,
  image: 'docker.io/library/nginx:latest',
  imageID: '',
  containerID: '',
  state,
  lastState: {},
  restartCount: 0,
  started: !!state.running,
  ready: !!state.running,
  ...extra,
});
const running = { running: { startedAt: '2024-01-01T00:00:01Z' } };
const exited = (exitCode: number) => ({
  terminated: { exitCode, reason: exitCode ? 'Error' : 'Completed', startedAt: 'x', finishedAt: 'y' },
});
const rt = (
  containers: RuntimeContainerStatus[],
  initContainers: RuntimeContainerStatus[] = [],
): RuntimePodStatus => ({
  sandboxReady: true,
  podIP: '10.42.0.7',
  initContainers,
  containers,
});

describe('kubelet pod status', () => {
  it('phase follows getPhase: waiting → Pending, running → Running, all done → by restartPolicy', () => {
    const creating = { waiting: { reason: 'ContainerCreating' } };
    assert.equal(podPhase(pod(), rt([c('a', creating), c('b', running)])), 'Pending');
    assert.equal(podPhase(pod(), rt([c('a', running), c('b', running)])), 'Running');
    assert.equal(podPhase(pod('Always'), rt([c('a', exited(0)), c('b', exited(0))])), 'Running');
    assert.equal(podPhase(pod('Never'), rt([c('a', exited(0)), c('b', exited(0))])), 'Succeeded');
    assert.equal(podPhase(pod('Never'), rt([c('a', exited(1)), c('b', exited(0))])), 'Failed');
    assert.equal(podPhase(pod('OnFailure'), rt([c('a', exited(1)), c('b', exited(0))])), 'Running');
    // a failed init container under Never fails the pod
    assert.equal(
      podPhase(pod('Never', 1), rt([c('a', creating), c('b', creating)], [c('i0', exited(1))])),
      'Failed',
    );
    assert.equal(
      podPhase(pod('Always', 1), rt([c('a', creating), c('b', creating)], [c('i0', running)])),
      'Pending',
    );
  });

  it('conditions in upstream order with reasons and messages; statuses sorted by name', () => {
    const s = apiPodStatus(
      pod(),
      rt([c('b', running), c('a', running, { ready: false })]),
      '192.168.0.2',
      'T0',
    );
    const conds = s.conditions as { type: string; status: string; reason?: string; message?: string }[];
    assert.deepEqual(
      conds.map((x) => x.type),
      ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'],
    );
    const ready = conds.find((x) => x.type === 'Ready')!;
    assert.equal(ready.status, 'False');
    assert.equal(ready.reason, 'ContainersNotReady');
    assert.equal(ready.message, 'containers with unready status: [a]');
    assert.equal(s.podIP, '10.42.0.7');
    assert.deepEqual(s.hostIPs, [{ ip: '192.168.0.2' }]);
    assert.equal(s.qosClass, 'BestEffort');
    assert.deepEqual(
      (s.containerStatuses as { name: string }[]).map((x) => x.name),
      ['a', 'b'],
    );
    // PodScheduled keeps the binding's transition time
    assert.equal((conds[4] as { lastTransitionTime?: string }).lastTransitionTime, '2024-01-01T00:00:00Z');
  });

  it('init containers not done: Initialized False with the incomplete ones', () => {
    const s = apiPodStatus(
      pod('Always', 2),
      rt(
        [
          c('a', { waiting: { reason: 'PodInitializing' } }),
          c('b', { waiting: { reason: 'PodInitializing' } }),
        ],
        [c('i0', exited(0)), c('i1', running)],
      ),
      'h',
      'T0',
    );
    const init = (s.conditions as { type: string; status: string; message?: string }[]).find(
      (x) => x.type === 'Initialized',
    )!;
    assert.equal(init.status, 'False');
    assert.equal(init.message, 'containers with incomplete status: [i1]');
  });

  it('a completed pod: Ready False with reason PodCompleted', () => {
    const s = apiPodStatus(pod('Never'), rt([c('a', exited(0)), c('b', exited(0))]), 'h', 'T0');
    assert.equal(s.phase, 'Succeeded');
    const ready = (s.conditions as { type: string; reason?: string }[]).find((x) => x.type === 'Ready')!;
    assert.equal(ready.reason, 'PodCompleted');
  });
});

describe('ephemeral container statuses', () => {
  it('are reported sorted by name, without started, and leave phase and readiness alone', () => {
    const status = rt([c('a', running), c('b', running)]);
    status.ephemeralContainers = [
      c('debugger-zz', exited(0), { ready: false, containerID: 'containerd://2' }),
      c('debugger-aa', running, { ready: false, containerID: 'containerd://1', imageID: 'sha256:x' }),
    ];
    const st = apiPodStatus(pod(), status, '10.0.0.1', '2024-01-01T00:00:00Z');
    assert.equal(st.phase, 'Running');
    const ready = (st.conditions as { type: string; status: string }[]).find((x) => x.type === 'Ready');
    assert.equal(ready?.status, 'True');
    assert.deepEqual(st.ephemeralContainerStatuses, [
      {
        name: 'debugger-aa',
        state: running,
        lastState: {},
        ready: false,
        restartCount: 0,
        image: 'docker.io/library/nginx:latest',
        imageID: 'sha256:x',
        containerID: 'containerd://1',
      },
      {
        name: 'debugger-zz',
        state: exited(0),
        lastState: {},
        ready: false,
        restartCount: 0,
        image: 'docker.io/library/nginx:latest',
        imageID: '',
        containerID: 'containerd://2',
      },
    ]);
    assert.equal(
      apiPodStatus(pod(), rt([c('a', running)]), '10.0.0.1', 'x').ephemeralContainerStatuses,
      undefined,
    );
  });
});

describe('sim runtime helpers', () => {
  it('hands out pod IPs past the gateway, the same one per pod, reusing released ones', () => {
    const ips = new PodIPs('10.42.3.0/24');
    assert.equal(ips.allocate('a'), '10.42.3.2');
    assert.equal(ips.allocate('a'), '10.42.3.2');
    assert.equal(ips.allocate('b'), '10.42.3.3');
    const small = new PodIPs('10.42.1.64/30');
    assert.equal(small.allocate('x'), '10.42.1.66');
    assert.throws(() => small.allocate('y'), /no free IP in pod CIDR 10\.42\.1\.64\/30/);
    small.release('x');
    assert.equal(small.allocate('y'), '10.42.1.66');
    assert.throws(() => new PodIPs('nonsense'), /not an IPv4 CIDR/);
  });

  it('normalizes image names as containerd reports them', () => {
    assert.equal(normalizeImage('nginx'), 'docker.io/library/nginx:latest');
    assert.equal(normalizeImage('vish/stress'), 'docker.io/vish/stress:latest');
    assert.equal(normalizeImage('registry.k8s.io/pause:3.9'), 'registry.k8s.io/pause:3.9');
    assert.equal(normalizeImage('localhost:5000/app'), 'localhost:5000/app:latest');
  });
});
