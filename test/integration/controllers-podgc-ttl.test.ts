// Pod GC over the terminated-pod threshold and TTL-after-finished for Jobs, with the controller
// manager run on its own (`--terminated-pod-gc-threshold 1`) against a real server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { cleanup, ROOT, startServer, type TestServer } from './harness.js';
import { apiOk, eventually, kubectlOk } from './controllers-util.js';

const NS = 'gcpods';
const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

describe('pod GC and TTL after finished', () => {
  let s: TestServer;
  let cm: ChildProcess;

  before(async () => {
    s = await startServer(['--disable-controller-manager']);
    await kubectlOk(s, ['create', 'namespace', NS]);
    await apiOk(s, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
    for (const name of ['done-1', 'done-2', 'done-3']) {
      await apiOk(s, 'POST', `/api/v1/namespaces/${NS}/pods`, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: { nodeName: 'n1', restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] },
      });
      await apiOk(
        s,
        'PATCH',
        `/api/v1/namespaces/${NS}/pods/${name}/status`,
        { status: { phase: 'Succeeded' } },
        'application/merge-patch+json',
      );
      // creation timestamps have second precision: keep the pods apart in age
      await new Promise((r) => setTimeout(r, 1100));
    }
    await apiOk(s, 'POST', `/apis/batch/v1/namespaces/${NS}/jobs`, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'short-lived' },
      spec: {
        ttlSecondsAfterFinished: 1,
        template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
      },
    });
    await apiOk(
      s,
      'PATCH',
      `/apis/batch/v1/namespaces/${NS}/jobs/short-lived/status`,
      {
        status: {
          startTime: stamp(),
          completionTime: stamp(),
          succeeded: 1,
          conditions: [
            {
              type: 'SuccessCriteriaMet',
              status: 'True',
              lastTransitionTime: stamp(),
              lastProbeTime: stamp(),
            },
            { type: 'Complete', status: 'True', lastTransitionTime: stamp(), lastProbeTime: stamp() },
          ],
        },
      },
      'application/merge-patch+json',
    );
    cm = spawn(
      join(ROOT, 'bin', 'k8ts'),
      [
        'controller-manager',
        '--kubeconfig',
        s.kubeconfig,
        '--controllers',
        'podgc,ttl-after-finished,garbagecollector',
        '--terminated-pod-gc-threshold',
        '1',
      ],
      { stdio: 'ignore' },
    );
  });
  after(async () => {
    cm.kill();
    await s.stop();
    cleanup(s);
  });

  it('deletes the oldest terminated pods beyond the threshold', async () => {
    const out = await eventually(s, ['-n', NS, 'get', 'pods', '-o', 'name'], /^pod\/done-3\n$/);
    assert.equal(out, 'pod/done-3\n');
  });

  it('deletes a finished Job once its ttlSecondsAfterFinished has passed', async () => {
    await eventually(s, ['-n', NS, 'get', 'jobs', '-o', 'name'], /^$/);
  });
});
