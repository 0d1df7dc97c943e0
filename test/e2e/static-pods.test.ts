// Static pods (seed POD-23) on containerd: a manifest in the kubelet's pod-manifest-path runs a
// real container whose mirror pod `<name>-<node>` serves kubectl logs and exec; deleting the
// mirror pod leaves the container running (the kubelet only makes a new mirror); editing the
// manifest restarts the pod with the new spec; removing it stops the container.
// Needs root, containerd, runc and the CNI plugins: runs only with K8TS_E2E=1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type TestServer } from '../integration/harness.js';
import { stopContainerdServer } from './containerd-server.js';
import { until } from './until.js';

const enabled = process.env.K8TS_E2E === '1';
const NODE = 'static-e2e';
const POD = `static-talker-${NODE}`;
const manifest = (word: string) => `apiVersion: v1
kind: Pod
metadata: {name: static-talker, namespace: default}
spec:
  containers:
  - name: talker
    image: busybox
    command: [sh, -c, 'echo ${word}; exec sleep 3600']
`;

describe('static pods on containerd', { skip: !enabled && 'set K8TS_E2E=1' }, () => {
  let s: TestServer;
  let dir = '';
  const k = (args: string[]) => s.kubectl(args);
  const uid = async () => (await k(['get', 'pod', POD, '-o', 'jsonpath={.metadata.uid}'])).stdout;
  const started = async () =>
    (await k(['get', 'pod', POD, '-o', 'jsonpath={.status.containerStatuses[0].state.running.startedAt}']))
      .stdout;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-static-e2e-'));
    writeFileSync(join(dir, 'talker.yaml'), manifest('hello-from-static'));
    s = await startServer([
      '--enable-agent',
      '--runtime',
      'containerd',
      '--node-name',
      NODE,
      '--kubelet-port',
      '0',
      '--kubelet-arg',
      'node-ip=127.0.0.1',
      '--kubelet-arg',
      `pod-manifest-path=${dir}`,
    ]);
  });
  after(async () => {
    if (s) await stopContainerdServer(s);
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the container; kubectl logs and exec reach it through the mirror pod', async () => {
    await until(`${POD} Running`, async () =>
      /\s1\/1\s+Running\s/.test((await k(['get', 'pod', POD, '--no-headers'])).stdout),
    );
    await until('its log', async () => (await k(['logs', POD])).stdout === 'hello-from-static\n');
    const exec = await k(['exec', POD, '--', 'cat', '/proc/1/cmdline']);
    assert.equal(exec.code, 0, exec.stderr);
    assert.equal(exec.stdout, 'sleep\x003600\x00');
  });

  it('a deleted mirror pod comes back without restarting the container', async () => {
    const [before, at] = [await uid(), await started()];
    assert.equal((await k(['delete', 'pod', POD, '--wait=false'])).code, 0);
    await until('a new mirror pod', async () => {
      const now = await uid();
      return now !== '' && now !== before;
    });
    await until('its status', async () => (await started()) !== '');
    assert.equal(await started(), at);
  });

  it('an edited manifest runs the new spec; a removed one stops the pod', async () => {
    writeFileSync(join(dir, 'talker.yaml'), manifest('second-version'));
    await until(
      'the new spec logging',
      async () => (await k(['logs', POD])).stdout === 'second-version\n',
      120_000,
    );
    rmSync(join(dir, 'talker.yaml'));
    await until('mirror pod gone', async () => (await k(['get', 'pod', POD])).code === 1);
  });
});
