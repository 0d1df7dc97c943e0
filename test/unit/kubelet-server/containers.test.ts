// Which container logs and exec mean, with upstream kubelet's error texts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { logContainerID, runningContainerID } from '../../../src/kubelet/server/containers.js';
import type {
  ContainerState,
  RuntimeContainerStatus,
  RuntimePodStatus,
} from '../../../src/kubelet/runtime/types.js';
import { nodeAttributes, forbiddenMessage } from '../../../src/kubelet/server/auth.js';
import { streamOptions } from '../../../src/kubelet/server/exec.js';

const terminated = (id: string) => ({
  terminated: { exitCode: 1, reason: 'Error', startedAt: '', finishedAt: '', containerID: id },
});

function pod(state: ContainerState, lastState: ContainerState = {}, containerID = ''): RuntimePodStatus {
  const c: RuntimeContainerStatus = {
    name: 'web',
    image: 'nginx',
    imageID: '',
    containerID,
    state,
    lastState,
    restartCount: 0,
    started: false,
    ready: false,
  };
  return { sandboxReady: true, initContainers: [], containers: [c] };
}

describe('kubelet container lookup', () => {
  it('a running container logs its own id, --previous the last terminated one', () => {
    const st = pod({ running: { startedAt: '' } }, terminated('containerd://old'), 'containerd://new');
    assert.equal(logContainerID(st, 'p', 'web', false), 'containerd://new');
    assert.equal(logContainerID(st, 'p', 'web', true), 'containerd://old');
  });

  it('explains why there is no log, as upstream', () => {
    const msg = (st: RuntimePodStatus, previous = false) => {
      try {
        logContainerID(st, 'p', 'web', previous);
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    };
    assert.equal(
      msg(pod({ running: { startedAt: '' } }), true),
      'previous terminated container "web" in pod "p" not found',
    );
    assert.equal(
      msg(pod({ waiting: { reason: 'ContainerCreating' } })),
      'container "web" in pod "p" is waiting to start: ContainerCreating',
    );
    assert.equal(
      msg(pod({ waiting: { reason: 'ErrImagePull' } })),
      'container "web" in pod "p" is waiting to start: image can\'t be pulled',
    );
    assert.equal(
      msg(pod({ waiting: { reason: 'ImagePullBackOff' } })),
      'container "web" in pod "p" is waiting to start: trying and failing to pull image',
    );
    assert.equal(
      msg({ sandboxReady: true, initContainers: [], containers: [] }),
      'container "web" in pod "p" is not available',
    );
  });

  it('a crash-looping container logs its last run', () => {
    const st = pod({ waiting: { reason: 'CrashLoopBackOff' } }, terminated('containerd://last'));
    assert.equal(logContainerID(st, 'p', 'web', false), 'containerd://last');
  });

  it('exec wants a running container', () => {
    assert.throws(() => runningContainerID(pod({ waiting: { reason: 'CrashLoopBackOff' } }), 'web'), {
      message: 'container not found ("web")',
    });
    assert.equal(
      runningContainerID(pod({ running: { startedAt: '' } }, {}, 'containerd://x'), 'web'),
      'containerd://x',
    );
  });

  it('stream options need one stream; a TTY has no separate stderr', () => {
    assert.throws(() => streamOptions(new URLSearchParams('command=ls')), {
      message: 'you must specify at least 1 of stdin, stdout, stderr',
    });
    assert.deepEqual(streamOptions(new URLSearchParams('input=1&output=1&error=1&tty=1')), {
      stdin: true,
      stdout: true,
      stderr: false,
      tty: true,
    });
  });

  it('authorizes on the node object with upstream subresources', () => {
    assert.deepEqual(nodeAttributes('GET', '/containerLogs/ns/p/c', 'n1'), {
      verb: 'get',
      resource: 'nodes',
      subresource: 'proxy',
      name: 'n1',
    });
    assert.equal(nodeAttributes('POST', '/exec/ns/p/c', 'n1').verb, 'create');
    assert.equal(nodeAttributes('GET', '/stats/summary', 'n1').subresource, 'stats');
    assert.equal(nodeAttributes('GET', '/metrics/resource', 'n1').subresource, 'metrics');
    assert.equal(nodeAttributes('GET', '/logs/syslog', 'n1').subresource, 'log');
    assert.equal(
      forbiddenMessage({ name: 'bob', groups: [] }, nodeAttributes('GET', '/pods', 'n1')),
      'Forbidden (user=bob, verb=get, resource=nodes, subresource=proxy)',
    );
  });
});
