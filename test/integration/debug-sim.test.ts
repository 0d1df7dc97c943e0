// kubectl debug on a simulated node, non-interactive: the pods/ephemeralcontainers subresource
// as kubectl 1.31 uses it (GET, strategic merge PATCH), its errors, the kubelet's
// ephemeralContainerStatuses and `kubectl describe`, plus node debug pods and pod copies.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer, eventually } from './harness.js';

const POD = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'ephemeral-demo', namespace: 'default' },
  spec: { nodeName: 'sim-node-0', containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.1' }] },
});
const EC = '/api/v1/namespaces/default/pods/ephemeral-demo/ephemeralcontainers';

describe('kubectl debug (sim runtime)', () => {
  let s: TestServer;
  const k = (...args: string[]) => s.kubectl(args);
  const status = async (pod: string, path: string) =>
    (await k('get', 'pod', pod, '-o', `jsonpath=${path}`)).stdout;

  before(async () => {
    s = await startServer(['--disable-scheduler', '--sim-nodes', '1']);
    await eventually('node Ready', async () => / Ready /.test((await k('get', 'node', 'sim-node-0')).stdout));
    assert.equal((await s.kubectl(['apply', '-f', '-'], POD)).code, 0);
    await eventually('pod Running', async () =>
      / Running /.test((await k('get', 'pod', 'ephemeral-demo')).stdout),
    );
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('discovery lists pods/ephemeralcontainers with get, patch and update', async () => {
    const list = JSON.parse((await s.api('GET', '/api/v1')).body) as {
      resources: { name: string; kind: string; verbs: string[] }[];
    };
    const r = list.resources.find((x) => x.name === 'pods/ephemeralcontainers');
    assert.deepEqual(r && { kind: r.kind, verbs: r.verbs }, {
      kind: 'Pod',
      verbs: ['get', 'patch', 'update'],
    });
    // and OpenAPI v2 has its operations, as upstream names them
    const spec = JSON.parse((await s.api('GET', '/openapi/v2')).body) as {
      paths: Record<string, Record<string, { operationId?: string; description?: string }>>;
    };
    const ops = spec.paths['/api/v1/namespaces/{namespace}/pods/{name}/ephemeralcontainers'];
    assert.deepEqual(
      ['get', 'put', 'patch'].map((m) => ops?.[m]?.operationId),
      [
        'readCoreV1NamespacedPodEphemeralcontainers',
        'replaceCoreV1NamespacedPodEphemeralcontainers',
        'patchCoreV1NamespacedPodEphemeralcontainers',
      ],
    );
    assert.equal(ops.get.description, 'read ephemeralcontainers of the specified Pod');
  });

  it('adds a debug container with --target; the kubelet runs it (Running, not ready, no restarts)', async () => {
    const r = await k('debug', 'ephemeral-demo', '--image=busybox', '--target=c', '--', 'sleep', '1d');
    assert.equal(r.code, 0, r.stderr);
    const name = /Defaulting debug container name to (debugger-[a-z0-9]{5})\./.exec(r.stdout)?.[1];
    assert.ok(name, r.stdout);
    assert.match(r.stdout, /Targeting container "c"\. If you don't see processes from this container/);
    const spec = JSON.parse(await status('ephemeral-demo', '{.spec.ephemeralContainers[0]}'));
    assert.deepEqual(spec, {
      command: ['sleep', '1d'],
      image: 'busybox',
      imagePullPolicy: 'Always',
      name,
      resources: {},
      targetContainerName: 'c',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    });
    const st = await eventually('ephemeral status Running', async () => {
      const raw = await status('ephemeral-demo', '{.status.ephemeralContainerStatuses[0]}');
      const v = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
      return v && isRunning(v) && v;
    });
    assert.equal(st.name, name);
    assert.equal(st.ready, false);
    assert.equal(st.restartCount, 0);
    assert.equal(st.image, 'docker.io/library/busybox:latest');
    assert.match(String(st.containerID), /^sim:\/\//);
    assert.equal('started' in st, false);
    // the pod itself is as it was
    assert.equal(await status('ephemeral-demo', '{.status.phase}'), 'Running');
    const d = (await k('describe', 'pod', 'ephemeral-demo')).stdout;
    const section = d.slice(d.indexOf('Ephemeral Containers:'), d.indexOf('Conditions:'));
    assert.match(section, new RegExp(`^  ${name}:$`, 'm'));
    assert.match(section, /^ {4}Image:\s+busybox$/m);
    assert.match(section, /^ {4}State:\s+Running$/m);
    assert.match(section, /^ {4}Ready:\s+False$/m);
    assert.match(section, /^ {4}Restart Count:\s+0$/m);
  });

  it('answers bad writes with 422 and upstream texts, writing nothing', async () => {
    const before = await status('ephemeral-demo', '{.metadata.resourceVersion}');
    const patch = (body: unknown, type = 'application/strategic-merge-patch+json') =>
      s.api('PATCH', EC, JSON.stringify(body), { 'Content-Type': type });
    const bad = await patch({
      spec: {
        ephemeralContainers: [
          { name: 'x', image: 'busybox', ports: [{ containerPort: 80 }], targetContainerName: 'nope' },
        ],
      },
    });
    assert.equal(bad.status, 422);
    const st = JSON.parse(bad.body) as {
      reason: string;
      message: string;
      details: { causes: { field: string }[] };
    };
    assert.equal(st.reason, 'Invalid');
    // (where a strategic merge patch without $setElementOrder puts the new entry is the patch's business)
    assert.match(
      st.message,
      /^Pod "ephemeral-demo" is invalid: \[spec\.ephemeralContainers\[(\d)\]\.targetContainerName: Not found: "nope", spec\.ephemeralContainers\[\1\]\.ports: Forbidden: cannot be set for an Ephemeral Container\]$/,
    );
    assert.deepEqual(
      st.details.causes.map((c) => c.field.replace(/\[\d\]/, '[i]')),
      ['spec.ephemeralContainers[i].targetContainerName', 'spec.ephemeralContainers[i].ports'],
    );
    const removed = await patch(
      [{ op: 'remove', path: '/spec/ephemeralContainers/0' }],
      'application/json-patch+json',
    );
    assert.equal(removed.status, 422);
    assert.match(
      JSON.parse(removed.body).message,
      /existing ephemeral containers "debugger-[a-z0-9]{5}" may not be removed/,
    );
    assert.equal(await status('ephemeral-demo', '{.metadata.resourceVersion}'), before);
  });

  it('changes nothing but spec.ephemeralContainers (GET and PUT on the subresource)', async () => {
    const got = await s.api('GET', EC);
    assert.equal(got.status, 200);
    const pod = JSON.parse(got.body) as {
      kind: string;
      metadata: Record<string, unknown>;
      spec: Record<string, unknown>;
    };
    assert.equal(pod.kind, 'Pod');
    pod.metadata.labels = { changed: 'yes' };
    pod.spec.activeDeadlineSeconds = 5;
    (pod.spec.ephemeralContainers as unknown[]).push({
      name: 'second',
      image: 'busybox',
      command: ['sleep', '1d'],
    });
    const put = await s.api('PUT', EC, JSON.stringify(pod));
    assert.equal(put.status, 200, put.body);
    const after = JSON.parse(put.body) as typeof pod;
    assert.equal(after.metadata.labels, undefined);
    assert.equal(after.spec.activeDeadlineSeconds, undefined);
    assert.deepEqual((after.spec.ephemeralContainers as { name: string }[]).map((c) => c.name).slice(1), [
      'second',
    ]);
    await eventually('second one Running', async () =>
      (await status('ephemeral-demo', '{.status.ephemeralContainerStatuses[*].name}')).includes('second'),
    );
    const del = await s.api('DELETE', EC);
    assert.equal(del.status, 405);
  });

  it('a normal pod update cannot remove them', async () => {
    const r = await k(
      'patch',
      'pod',
      'ephemeral-demo',
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/spec/ephemeralContainers"}]',
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /spec: Forbidden: pod updates may not change fields other than/);
  });

  it('edit does not grant it (upstream: pods/ephemeralcontainers is in no bootstrap role but cluster-admin)', async () => {
    const bind = await k('create', 'rolebinding', 'bob-edit', '--clusterrole=edit', '--user=bob');
    assert.equal(bind.code, 0, bind.stderr);
    assert.equal(
      (
        await k('auth', 'can-i', 'patch', 'pods', '--subresource=ephemeralcontainers', '--as=bob')
      ).stdout.trim(),
      'no',
    );
    assert.equal(
      (await k('auth', 'can-i', 'create', 'pods', '--subresource=attach', '--as=bob')).stdout.trim(),
      'yes',
    );
    const r = await k('debug', 'ephemeral-demo', '--image=busybox', '--as=bob');
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^Error from server \(Forbidden\): pods "ephemeral-demo" is forbidden: User "bob" cannot patch resource "pods\/ephemeralcontainers" in API group "" in the namespace "default"/,
    );
  });

  it('node debug: a pod pinned to the node in its namespaces with / at /host', async () => {
    const r = await k('debug', 'node/sim-node-0', '--image=busybox');
    assert.equal(r.code, 0, r.stderr);
    const name =
      /Creating debugging pod (node-debugger-sim-node-0-[a-z0-9]{5}) with container debugger on node sim-node-0\./.exec(
        r.stdout,
      )?.[1];
    assert.ok(name, r.stdout);
    const spec = JSON.parse(await status(name, '{.spec}')) as Record<string, unknown> & {
      volumes: unknown[];
      containers: { volumeMounts: unknown[] }[];
    };
    assert.equal(spec.nodeName, 'sim-node-0');
    assert.equal(spec.hostPID, true);
    assert.equal(spec.hostIPC, true);
    assert.equal(spec.hostNetwork, true);
    assert.deepEqual(spec.volumes[0], { name: 'host-root', hostPath: { path: '/', type: '' } });
    assert.deepEqual(spec.containers[0].volumeMounts[0], { mountPath: '/host', name: 'host-root' });
    await eventually('node debugger Running', async () =>
      / Running /.test((await k('get', 'pod', name)).stdout),
    );
  });

  it('copies: --share-processes, --set-image', async () => {
    const r = await k(
      'debug',
      'ephemeral-demo',
      '--image=busybox',
      '--share-processes',
      '--copy-to=demo-copy',
      '--same-node',
      '--',
      'sleep',
      '1d',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await status('demo-copy', '{.spec.shareProcessNamespace}'), 'true');
    assert.equal(
      await status('demo-copy', '{.spec.containers[*].image}'),
      'registry.k8s.io/pause:3.1 busybox',
    );
    // the copy has no ephemeral containers (upstream's copy drops them)
    assert.equal(await status('demo-copy', '{.spec.ephemeralContainers}'), '');
    const img = await k(
      'debug',
      'ephemeral-demo',
      '--copy-to=demo-img',
      '--same-node',
      '--set-image=*=ubuntu',
    );
    assert.equal(img.code, 0, img.stderr);
    assert.equal(await status('demo-img', '{.spec.containers[*].image}'), 'ubuntu');
    await eventually('copies Running', async () => {
      const out = (await k('get', 'pod', 'demo-copy', 'demo-img', '--no-headers')).stdout;
      return (out.match(/ Running /g) ?? []).length === 2;
    });
  });
});

function isRunning(v: Record<string, unknown>): boolean {
  const state = v.state as { running?: unknown } | undefined;
  return !!state?.running;
}
