// @kubernetes/client-node informers against k8ts: the initial list, watch events, the relist
// that reconciles the cache when an informer restarts (objects deleted meanwhile are reported
// deleted), and reconnecting after `k8ts server` restarts on the same data dir.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { cleanup, startServer, type TestServer } from './harness.js';

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('@kubernetes/client-node informers', () => {
  let s: TestServer;
  const events: string[] = [];
  const errors: unknown[] = [];
  let connects = 0;
  let done = false;
  let informer: Awaited<ReturnType<typeof makeInformer>>;

  async function makeInformer() {
    const k8s = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(s.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const inf = k8s.makeInformer<V1ConfigMap>(
      kc,
      '/api/v1/namespaces/inf/configmaps',
      () => core.listNamespacedConfigMap({ namespace: 'inf', labelSelector: 'app=inf' }),
      'app=inf',
    );
    const name = (o: V1ConfigMap) => `${o.metadata?.name}=${o.data?.v ?? ''}`;
    inf.on('add', (o) => events.push(`add ${name(o)}`));
    inf.on('update', (o) => events.push(`update ${name(o)}`));
    inf.on('delete', (o) => events.push(`delete ${name(o)}`));
    inf.on('connect', () => connects++);
    // the informer stops on an error (a dropped connection): restart it, as controllers do
    inf.on('error', (err) => {
      errors.push(err);
      if (!done) setTimeout(() => void inf.start().catch(() => {}), 200);
    });
    return inf;
  }

  const cm = (name: string, v: string) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'inf', labels: { app: 'inf' } },
      data: { v },
    });
  const cached = () =>
    informer
      .list('inf')
      .map((o) => `${o.metadata?.name}=${o.data?.v}`)
      .sort();

  before(async () => {
    s = await startServer(['--disable-controller-manager']);
    await s.kubectl(['create', 'namespace', 'inf']);
    await s.kubectl(['apply', '-f', '-'], cm('first', '1'));
    await s.kubectl(['-n', 'inf', 'create', 'configmap', 'unlabelled']);
    informer = await makeInformer();
  });
  after(async () => {
    done = true;
    await informer.stop();
    await s.stop();
    cleanup(s);
  });

  it('lists, then watches adds, updates and deletes', async () => {
    await informer.start();
    await until('initial list', () => events.includes('add first=1'));
    assert.deepEqual(cached(), ['first=1'], 'the label selector leaves the unlabelled ConfigMap out');
    await s.kubectl(['apply', '-f', '-'], cm('second', '1'));
    await s.kubectl([
      '-n',
      'inf',
      'patch',
      'configmap',
      'second',
      '--type=merge',
      '-p',
      '{"data":{"v":"2"}}',
    ]);
    await s.kubectl(['-n', 'inf', 'delete', 'configmap', 'first']);
    await until('delete first', () => events.includes('delete first=1'));
    assert.deepEqual(events, ['add first=1', 'add second=1', 'update second=2', 'delete first=1']);
    assert.deepEqual(cached(), ['second=2']);
  });

  it('relists on restart and reports what changed while it was stopped', async () => {
    await informer.stop();
    events.length = 0;
    await s.kubectl(['-n', 'inf', 'delete', 'configmap', 'second']);
    await s.kubectl(['apply', '-f', '-'], cm('third', '1'));
    await informer.start();
    await until('relist', () => events.includes('delete second=2') && events.includes('add third=1'));
    assert.deepEqual(cached(), ['third=1']);
  });

  it('reconnects after the server restarts on the same data dir', async () => {
    events.length = 0;
    const before = connects;
    const { dir, port } = s;
    await s.stop();
    s = await startServer(['--disable-controller-manager'], { dir, port });
    await until('reconnect', () => connects > before);
    await s.kubectl(['apply', '-f', '-'], cm('fourth', '1'));
    await s.kubectl(['-n', 'inf', 'patch', 'configmap', 'third', '--type=merge', '-p', '{"data":{"v":"2"}}']);
    await until(
      'events after restart',
      () => events.includes('add fourth=1') && events.includes('update third=2'),
    );
    assert.deepEqual(cached(), ['fourth=1', 'third=2']);
    assert.ok(!events.some((e) => e.startsWith('delete')), events.join(','));
  });
});
