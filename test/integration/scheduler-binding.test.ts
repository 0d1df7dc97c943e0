// pods/binding and pods/status as the scheduler and a kubelet use them, answered as upstream
// answers (no scheduler or agent runs here: the test plays both).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';

const podPath = (name: string) => `/api/v1/namespaces/bind/pods/${name}`;
const binding = (name: string, node: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name, ...extra },
    target: { apiVersion: 'v1', kind: 'Node', name: node },
  });

describe('pods/binding and pods/status', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(['--disable-scheduler']);
    assert.equal((await s.kubectl(['create', 'namespace', 'bind'])).code, 0);
    for (const n of ['p1', 'p2', 'p3'])
      assert.equal((await s.kubectl(['-n', 'bind', 'run', n, '--image=nginx'])).code, 0);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('binds once: nodeName, annotations, PodScheduled=True, then 409 as upstream', async () => {
    let r = await s.api(
      'POST',
      `${podPath('p1')}/binding`,
      binding('p1', 'node-a', { annotations: { 'example.com/why': 'test' } }),
    );
    assert.equal(r.status, 201, r.body);
    assert.deepEqual(JSON.parse(r.body), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      code: 201,
    });
    const pod = JSON.parse((await s.api('GET', podPath('p1'))).body);
    assert.equal(pod.spec.nodeName, 'node-a');
    assert.equal(pod.metadata.annotations['example.com/why'], 'test');
    const cond = pod.status.conditions.find((c: { type: string }) => c.type === 'PodScheduled');
    assert.equal(cond.status, 'True');
    assert.match(cond.lastTransitionTime, /^20\d\d-/);

    r = await s.api('POST', `${podPath('p1')}/binding`, binding('p1', 'node-b'));
    assert.equal(r.status, 409);
    const st = JSON.parse(r.body);
    assert.equal(st.reason, 'Conflict');
    assert.equal(
      st.message,
      'Operation cannot be fulfilled on pods/binding "p1": pod p1 is already assigned to node "node-a"',
    );
    assert.equal(JSON.parse((await s.api('GET', podPath('p1'))).body).spec.nodeName, 'node-a');
  });

  it('refuses bad bindings and changes nothing', async () => {
    let r = await s.api('POST', `${podPath('p2')}/binding`, binding('other', 'node-a'));
    assert.equal(r.status, 400);
    assert.equal(JSON.parse(r.body).message, 'name in URL does not match name in Binding object');
    r = await s.api('POST', `${podPath('p2')}/binding`, binding('p2', ''));
    assert.equal(r.status, 500);
    assert.equal(JSON.parse(r.body).message, 'target.name: Required value');
    r = await s.api('POST', `${podPath('p2')}/binding`, binding('p2', 'node-a', { uid: 'not-the-uid' }));
    assert.equal(r.status, 409);
    assert.match(JSON.parse(r.body).message, /Precondition failed: UID in precondition: not-the-uid/);
    r = await s.api('POST', `${podPath('nope')}/binding`, binding('nope', 'node-a'));
    assert.equal(r.status, 404);
    assert.equal(JSON.parse(r.body).message, 'pods "nope" not found');
    const pod = JSON.parse((await s.api('GET', podPath('p2'))).body);
    assert.equal(pod.spec.nodeName, undefined);
  });

  it('a pod being deleted cannot be bound', async () => {
    const pod = JSON.parse((await s.api('GET', podPath('p3'))).body);
    // a finalizer keeps it around with deletionTimestamp set
    pod.metadata.finalizers = ['example.com/hold'];
    assert.equal((await s.api('PUT', podPath('p3'), JSON.stringify(pod))).status, 200);
    assert.equal((await s.api('DELETE', podPath('p3'))).status, 200);
    const r = await s.api('POST', `${podPath('p3')}/binding`, binding('p3', 'node-a'));
    assert.equal(r.status, 409);
    assert.equal(
      JSON.parse(r.body).message,
      'Operation cannot be fulfilled on pods/binding "p3": pod p3 is being deleted, cannot be assigned to a host',
    );
    await s.api('PATCH', podPath('p3'), JSON.stringify({ metadata: { finalizers: null } }), {
      'Content-Type': 'application/merge-patch+json',
    });
  });

  it('a kubelet writes status through pods/status (PUT and merge patch); kubectl shows it', async () => {
    const pod = JSON.parse((await s.api('GET', podPath('p1'))).body);
    pod.status.phase = 'Running';
    pod.status.podIP = '10.42.0.5';
    pod.status.podIPs = [{ ip: '10.42.0.5' }];
    pod.status.containerStatuses = [
      {
        name: 'p1',
        image: 'docker.io/library/nginx:latest',
        imageID: 'docker.io/library/nginx@sha256:' + '0'.repeat(64),
        containerID: 'sim://' + '1'.repeat(64),
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } },
        lastState: {},
      },
    ];
    let r = await s.api('PUT', `${podPath('p1')}/status`, JSON.stringify(pod));
    assert.equal(r.status, 200, r.body);
    r = await s.api(
      'PATCH',
      `${podPath('p1')}/status`,
      JSON.stringify({ status: { hostIP: '192.168.1.10', hostIPs: [{ ip: '192.168.1.10' }] } }),
      { 'Content-Type': 'application/merge-patch+json' },
    );
    assert.equal(r.status, 200, r.body);
    const k = await s.kubectl(['-n', 'bind', 'get', 'pod', 'p1', '-o', 'wide', '--no-headers']);
    assert.match(k.stdout, /^p1\s+1\/1\s+Running\s+0\s+\S+\s+10\.42\.0\.5\s+node-a\s/);
  });
});
