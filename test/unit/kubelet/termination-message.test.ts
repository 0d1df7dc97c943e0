// What `kubectl get pod -o yaml` shows of exited containers (seed 004 §2.1.4, §2.1.5):
// terminated.message from the terminationMessagePath file or, with FallbackToLogsOnError, the
// log's tail; and completed init containers reported ready, as upstream's kubelet does.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerStatus } from '../../../src/cri/types.js';
import {
  MAX_LOG_BYTES,
  MAX_MESSAGE_BYTES,
  logTail,
  terminationMessage,
  terminationMessageMount,
} from '../../../src/kubelet/runtime/termination-message.js';
import { apiPodStatus } from '../../../src/kubelet/pod-status.js';
import type { Pod, RuntimeContainerStatus } from '../../../src/kubelet/runtime/types.js';

function exited(
  exitCode: number,
  termination: ReturnType<typeof terminationMessageMount>,
  logPath = '',
): ContainerStatus {
  // only the fields terminationMessage reads; the rest of a CRI status does not matter here
  return {
    state: 'CONTAINER_EXITED',
    exit_code: exitCode,
    reason: exitCode ? 'Error' : 'Completed',
    message: '',
    annotations: termination.annotations,
    mounts: termination.mounts,
    log_path: logPath,
  } as unknown as ContainerStatus;
}

describe('termination messages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-termmsg-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

  it('mounts a fresh writable file at /dev/termination-log by default, policy File', () => {
    const t = terminationMessageMount(dir, { name: 'main' }, 0);
    assert.equal(t.mounts.length, 1);
    assert.equal(t.mounts[0]!.container_path, '/dev/termination-log');
    assert.equal(t.mounts[0]!.readonly, false);
    assert.equal(readFileSync(t.mounts[0]!.host_path!, 'utf8'), '');
    assert.equal(statSync(t.mounts[0]!.host_path!).mode & 0o777, 0o666);
    assert.deepEqual(t.annotations, {
      'io.kubernetes.container.terminationMessagePath': '/dev/termination-log',
      'io.kubernetes.container.terminationMessagePolicy': 'File',
    });
  });

  it('reads what the container wrote, at a custom path too (msg-path-demo)', () => {
    const t = terminationMessageMount(dir, { name: 'msg', terminationMessagePath: '/tmp/my-log' }, 1);
    assert.equal(t.mounts[0]!.container_path, '/tmp/my-log');
    writeFileSync(t.mounts[0]!.host_path!, 'Sleep expired\n');
    assert.equal(terminationMessage(exited(0, t)), 'Sleep expired\n');
  });

  it('keeps the last 4096 bytes of a longer message', () => {
    const t = terminationMessageMount(dir, { name: 'long' }, 0);
    writeFileSync(t.mounts[0]!.host_path!, 'a'.repeat(5000) + 'END');
    const msg = terminationMessage(exited(1, t));
    assert.equal(msg.length, MAX_MESSAGE_BYTES);
    assert.ok(msg.endsWith('END'));
  });

  it('FallbackToLogsOnError: an empty file and a failure give the log tail, success gives nothing', () => {
    const spec = { name: 'fb', terminationMessagePolicy: 'FallbackToLogsOnError' };
    const t = terminationMessageMount(dir, spec, 0);
    const log = join(dir, 'fb.log');
    const lines = Array.from({ length: 100 }, (_, i) => `2024-01-01T00:00:00.000000000Z stdout F line ${i}`);
    writeFileSync(
      log,
      [...lines, '2024-01-01T00:00:00Z stderr P part-', '2024-01-01T00:00:00Z stderr F two', ''].join('\n'),
    );
    const msg = terminationMessage(exited(2, t, log));
    assert.ok(msg.startsWith('line 21\n'), msg.slice(0, 20)); // the last 80 lines: 21..99 and the joined one
    assert.ok(msg.endsWith('line 99\npart-two\n'));
    assert.equal(terminationMessage(exited(0, t, log)), '');
    // a message in the file wins over the logs
    writeFileSync(t.mounts[0]!.host_path!, 'from file');
    assert.equal(terminationMessage(exited(2, t, log)), 'from file');
  });

  it('the log tail is capped at 2048 bytes', () => {
    const log = join(dir, 'big.log');
    const lines = Array.from({ length: 80 }, () => `2024-01-01T00:00:00Z stdout F ${'x'.repeat(99)}`);
    writeFileSync(log, lines.join('\n') + '\n');
    assert.equal(logTail(log).length, MAX_LOG_BYTES);
  });

  it('File policy with an empty file: no message', () => {
    const t = terminationMessageMount(dir, { name: 'empty' }, 0);
    assert.equal(terminationMessage(exited(1, t, join(dir, 'fb.log'))), '');
  });
});

describe('init container readiness', () => {
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'init-demo', namespace: 'default', uid: 'u' },
    spec: {
      initContainers: [
        { name: 'ok', image: 'busybox' },
        { name: 'fail', image: 'busybox' },
      ],
      containers: [{ name: 'main', image: 'busybox' }],
    },
  };
  const st = (name: string, state: RuntimeContainerStatus['state']): RuntimeContainerStatus => ({
    name,
    image: 'docker.io/library/busybox:latest',
    imageID: '',
    containerID: '',
    state,
    lastState: {},
    restartCount: 0,
    started: false,
    ready: false,
  });

  it('an init container that exited 0 is ready, a failed one is not (describe: Ready True / False)', () => {
    const s = apiPodStatus(
      pod,
      {
        sandboxReady: true,
        podIP: '10.42.0.9',
        initContainers: [
          st('ok', { terminated: { exitCode: 0, reason: 'Completed', startedAt: 'a', finishedAt: 'b' } }),
          st('fail', { waiting: { reason: 'CrashLoopBackOff' } }),
        ],
        containers: [st('main', { waiting: { reason: 'PodInitializing' } })],
      },
      '127.0.0.1',
      'T0',
    );
    const init = s.initContainerStatuses as { name: string; ready: boolean }[];
    assert.deepEqual(
      init.map((c) => [c.name, c.ready]),
      [
        ['ok', true],
        ['fail', false],
      ],
    );
  });
});
