// ReplicaSets and ReplicationControllers against a real server: pods made from the template with
// controller references, status as kubectl shows it, scale-down victims, adoption and release.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';
import { eventually, livePods, markPodsReady, writePodStatus } from './pod-status-writer.js';

const rs = (name: string, replicas: number, extra = '') => `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: c, image: nginx}]
${extra}`;

describe('replicaset controller', () => {
  let s: TestServer;
  const ns = 'rs';
  before(async () => {
    s = await startServer();
    assert.equal((await s.kubectl(['create', 'namespace', ns])).code, 0);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  const count = (sel: string, n: number) =>
    eventually(`${n} pods for ${sel}`, async () => {
      const pods = await livePods(s, ns, sel);
      return pods.length === n ? pods : undefined;
    });

  it('creates the pods with a controller reference, generateName and events', async () => {
    const r = await s.kubectl(['-n', ns, 'apply', '-f', '-'], rs('web', 3));
    assert.equal(r.stdout.trim(), 'replicaset.apps/web created');
    const pods = await count('app=web', 3);
    const uid = JSON.parse((await s.api('GET', `/apis/apps/v1/namespaces/${ns}/replicasets/web`)).body)
      .metadata.uid;
    for (const p of pods) {
      assert.match(p.metadata.name, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.equal(p.metadata.generateName, 'web-');
      assert.deepEqual(p.metadata.ownerReferences, [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web',
          uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
    await eventually('status replicas 3', async () => {
      const g = await s.kubectl(['-n', ns, 'get', 'rs', 'web', '--no-headers']);
      return /^web\s+3\s+3\s+0\s+/.test(g.stdout) ? true : undefined;
    });
    const ev = await eventually('SuccessfulCreate events', async () => {
      const e = await s.kubectl([
        '-n',
        ns,
        'get',
        'events',
        '--field-selector',
        'reason=SuccessfulCreate',
        '-o',
        'jsonpath={range .items[*]}{.message}{"\\n"}{end}',
      ]);
      return e.stdout.trim().split('\n').length === 3 ? e.stdout : undefined;
    });
    for (const p of pods) assert.match(ev, new RegExp(`^Created pod: ${p.metadata.name}$`, 'm'));
  });

  it('reports ready and available replicas once the pods are ready', async () => {
    await markPodsReady(s, ns, 'app=web');
    await eventually('ready 3', async () => {
      const g = await s.kubectl(['-n', ns, 'get', 'rs', 'web', '-o', 'jsonpath={.status}']);
      const st = JSON.parse(g.stdout || '{}');
      return st.readyReplicas === 3 &&
        st.availableReplicas === 3 &&
        st.fullyLabeledReplicas === 3 &&
        st.observedGeneration === 1
        ? st
        : undefined;
    });
  });

  it('deletes a not-ready pod first when scaling down, and says so in an event', async () => {
    const pods = await livePods(s, ns, 'app=web');
    const victim = pods[1].metadata.name;
    await writePodStatus(s, ns, victim, { ready: false });
    await eventually('controller sees the pod not ready', async () => {
      const st = JSON.parse(
        (await s.kubectl(['-n', ns, 'get', 'rs', 'web', '-o', 'jsonpath={.status}'])).stdout,
      );
      return st.readyReplicas === 2 ? true : undefined;
    });
    const r = await s.kubectl(['-n', ns, 'scale', 'rs', 'web', '--replicas=2']);
    assert.equal(r.stdout.trim(), 'replicaset.apps/web scaled');
    const left = await count('app=web', 2);
    assert.ok(!left.some((p) => p.metadata.name === victim), `${victim} should have been deleted first`);
    await eventually('SuccessfulDelete event', async () => {
      const e = await s.kubectl([
        '-n',
        ns,
        'get',
        'events',
        '--field-selector',
        'reason=SuccessfulDelete',
        '-o',
        'jsonpath={.items[*].message}',
      ]);
      return e.stdout.includes(`Deleted pod: ${victim}`) ? true : undefined;
    });
  });

  it('adopts a matching orphan instead of creating a pod', async () => {
    const orphan =
      '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"stray","labels":{"app":"adopt"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}';
    assert.equal((await s.kubectl(['-n', ns, 'apply', '-f', '-'], orphan)).code, 0);
    await s.kubectl(['-n', ns, 'apply', '-f', '-'], rs('adopt', 2));
    const pods = await count('app=adopt', 2);
    const stray = pods.find((p) => p.metadata.name === 'stray');
    assert.ok(stray, 'the orphan is kept');
    await eventually('stray adopted', async () => {
      const p = await livePods(s, ns, 'app=adopt');
      const refs = p.find((x) => x.metadata.name === 'stray')?.metadata.ownerReferences ?? [];
      return refs.some((o) => o.kind === 'ReplicaSet' && o.name === 'adopt' && o.controller)
        ? true
        : undefined;
    });
  });

  it('releases a pod whose labels stop matching and replaces it', async () => {
    const pods = await count('app=adopt', 2);
    const name = pods.find((p) => p.metadata.name !== 'stray')!.metadata.name;
    assert.equal((await s.kubectl(['-n', ns, 'label', 'pod', name, 'app=gone', '--overwrite'])).code, 0);
    await eventually('released', async () => {
      const p = await livePods(s, ns, 'app=gone');
      return p.length === 1 && !(p[0].metadata.ownerReferences ?? []).length ? true : undefined;
    });
    await count('app=adopt', 2);
  });

  it('runs ReplicationControllers with the same code', async () => {
    const rc = `apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec:
  replicas: 2
  selector: {app: legacy}
  template:
    metadata: {labels: {app: legacy}}
    spec: {containers: [{name: c, image: nginx}]}
`;
    assert.equal(
      (await s.kubectl(['-n', ns, 'apply', '-f', '-'], rc)).stdout.trim(),
      'replicationcontroller/legacy created',
    );
    const pods = await count('app=legacy', 2);
    assert.equal(pods[0].metadata.ownerReferences?.[0].kind, 'ReplicationController');
    await eventually('rc status', async () => {
      const g = await s.kubectl(['-n', ns, 'get', 'rc', 'legacy', '--no-headers']);
      return /^legacy\s+2\s+2\s+0\s+/.test(g.stdout) ? true : undefined;
    });
  });
});
