// Static pods (seed POD-23) on the server's own agent with the sim runtime: a manifest in the
// kubelet's pod-manifest-path runs as `<name>-<node>` with a mirror pod in the API, a deleted
// mirror pod comes back, and removing the manifest removes the pod.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, startServer, type TestServer, eventuallyWithin } from './harness.js';

const eventually = eventuallyWithin(60_000);
const NODE = 'static-node';
const MANIFEST = `apiVersion: v1
kind: Pod
metadata:
  name: static-web
  labels:
    role: web
spec:
  containers:
  - name: web
    image: nginx
`;

describe('static pods (sim runtime)', () => {
  let s: TestServer;
  let manifests: string;
  before(async () => {
    manifests = join(process.env.TMPDIR ?? '/tmp', `k8ts-static-${process.pid}`);
    mkdirSync(manifests, { recursive: true });
    writeFileSync(join(manifests, 'web.yaml'), MANIFEST);
    writeFileSync(join(manifests, '.hidden.yaml'), 'not: a pod');
    s = await startServer([
      '--enable-agent',
      '--runtime',
      'sim',
      '--node-name',
      NODE,
      '--kubelet-port',
      '0',
      '--kubelet-arg',
      `pod-manifest-path=${manifests}`,
    ]);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
    rmSync(manifests, { recursive: true, force: true });
  });

  const row = async () => (await s.kubectl(['get', 'pod', `static-web-${NODE}`, '--no-headers'])).stdout;

  it('runs the manifest and mirrors it as <name>-<node>, owned by the Node', async () => {
    await eventually('mirror pod Running', async () =>
      /^static-web-static-node\s+1\/1\s+Running\s/.test(await row()),
    );
    const r = await s.kubectl(['get', 'pod', `static-web-${NODE}`, '-o', 'json']);
    const pod = JSON.parse(r.stdout) as {
      metadata: { annotations: Record<string, string>; ownerReferences: { kind: string; name: string }[] };
      spec: { nodeName: string };
    };
    const a = pod.metadata.annotations;
    assert.equal(a['kubernetes.io/config.source'], 'file');
    assert.equal(a['kubernetes.io/config.mirror'], a['kubernetes.io/config.hash']);
    assert.deepEqual(
      pod.metadata.ownerReferences.map((o) => `${o.kind}/${o.name}`),
      [`Node/${NODE}`],
    );
    assert.equal(pod.spec.nodeName, NODE);
    const all = await s.kubectl(['get', 'pods', '--no-headers']);
    assert.equal(all.stdout.trim().split('\n').length, 1, 'dotfiles are not manifests');
  });

  it('recreates a deleted mirror pod', async () => {
    const before = (await s.kubectl(['get', 'pod', `static-web-${NODE}`, '-o', 'jsonpath={.metadata.uid}']))
      .stdout;
    const d = await s.kubectl(['delete', 'pod', `static-web-${NODE}`, '--wait=false']);
    assert.equal(d.stdout, `pod "static-web-${NODE}" deleted\n`);
    await eventually('mirror pod back', async () => {
      const r = await s.kubectl(['get', 'pod', `static-web-${NODE}`, '-o', 'jsonpath={.metadata.uid}']);
      return r.code === 0 && r.stdout !== '' && r.stdout !== before;
    });
  });

  it('refuses to change the mirror annotation, and drain leaves the mirror pod alone (OPS-06)', async () => {
    const edit = await s.kubectl([
      'annotate',
      'pod',
      `static-web-${NODE}`,
      '--overwrite',
      'kubernetes.io/config.mirror=other',
    ]);
    assert.equal(edit.code, 1);
    assert.match(
      edit.stderr,
      /metadata\.annotations\[kubernetes\.io\/config\.mirror\]: Forbidden: may not remove or update mirror pod annotation/,
    );
    const drain = await s.kubectl(['drain', NODE, '--ignore-daemonsets', '--timeout=60s']);
    assert.equal(drain.code, 0, drain.stderr);
    assert.equal(drain.stdout, `node/${NODE} cordoned\nnode/${NODE} drained\n`);
    assert.match(await row(), /\sRunning\s/);
    const uncordon = await s.kubectl(['uncordon', NODE]);
    assert.equal(uncordon.stdout, `node/${NODE} uncordoned\n`);
  });

  it('stops the pod when its manifest is removed', async () => {
    rmSync(join(manifests, 'web.yaml'));
    await eventually('mirror pod gone', async () => {
      const r = await s.kubectl(['get', 'pod', `static-web-${NODE}`]);
      return r.code === 1 && /NotFound/.test(r.stderr);
    });
  });
});
