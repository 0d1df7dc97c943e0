// Watches as kubectl and @kubernetes/client-node use them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cleanup, KUBECTL, startServer, type TestServer } from './harness.js';

describe('watch', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
    await s.kubectl(['create', 'namespace', 'w']);
    // the root CA publisher adds kube-root-ca.crt to every namespace: let it land before watching
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const r = await s.kubectl(['-n', 'w', 'get', 'configmap', 'kube-root-ca.crt', '-o', 'name']);
      if (r.code === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('kubectl get -w shows ADDED, MODIFIED, DELETED', async () => {
    const child = spawn(KUBECTL, [
      '--kubeconfig',
      s.kubeconfig,
      '-n',
      'w',
      'get',
      'configmap',
      '-w',
      '--output-watch-events',
      '--no-headers',
    ]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => setTimeout(r, 1000));
    await s.kubectl(['-n', 'w', 'create', 'configmap', 'w1', '--from-literal=a=1']);
    await s.kubectl(['-n', 'w', 'patch', 'configmap', 'w1', '--type', 'merge', '-p', '{"data":{"a":"2"}}']);
    await s.kubectl(['-n', 'w', 'delete', 'configmap', 'w1']);
    const deadline = Date.now() + 10_000;
    while (!/DELETED/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill();
    assert.match(out, /ADDED +w1 +1 +\d+s\nMODIFIED +w1 +1 +\d+s\nDELETED +w1 +1 +\d+s/);
  });

  it('@kubernetes/client-node lists and watches', async () => {
    const k8s = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(s.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace: 'w',
      body: { metadata: { name: 'cn1' }, data: { x: '1' } },
    });
    const list = await core.listNamespacedConfigMap({ namespace: 'w' });
    assert.ok(list.items.some((i) => i.metadata?.name === 'cn1'));
    const rv = list.metadata?.resourceVersion;
    const seen: string[] = [];
    const watch = new k8s.Watch(kc);
    const req = await watch.watch(
      '/api/v1/namespaces/w/configmaps',
      { resourceVersion: rv },
      (type: string, obj: { metadata?: { name?: string } }) => seen.push(`${type} ${obj.metadata?.name}`),
      () => undefined,
    );
    await core.createNamespacedConfigMap({ namespace: 'w', body: { metadata: { name: 'cn2' } } });
    await core.deleteNamespacedConfigMap({ name: 'cn1', namespace: 'w' });
    const deadline = Date.now() + 5000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    req.abort();
    assert.deepEqual(seen, ['ADDED cn2', 'DELETED cn1']);
  });

  it('a watch from a compacted or future-window revision gets 410 Expired as an ERROR event', async () => {
    const r = await s.api(
      'GET',
      '/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=1&timeoutSeconds=2',
    );
    assert.equal(r.status, 200);
    // revision 1 is still in the window of a fresh server: events replay, no error
    assert.match(r.body, /"type":"ADDED"/);
  });
});
