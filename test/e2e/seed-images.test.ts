// The seed documents' images, run unchanged by name on `k8ts server --runtime containerd` and
// seen through kubectl: serve_hostname answers its pod's name, simple-app says Hello World v1,
// httpd serves what gurumee92/count writes into a shared emptyDir (seed 003), debian has bash,
// and the pause image has no shell (seed 004 §2.1.6).
// Needs root, containerd, runc and the CNI plugins: runs only with K8TS_E2E=1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../integration/harness.js';
import { stopContainerdServer } from './containerd-server.js';
import { until } from './until.js';

const enabled = process.env.K8TS_E2E === '1';

const PODS = `apiVersion: v1
kind: Pod
metadata: {name: hostnames-abc12}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: hostnames, image: registry.k8s.io/serve_hostname, imagePullPolicy: IfNotPresent}]
---
apiVersion: v1
kind: Pod
metadata: {name: simple-app}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: app, image: "gurumee92/simple-app:v1", imagePullPolicy: IfNotPresent}]
---
apiVersion: v1
kind: Pod
metadata: {name: counter-web}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: html, emptyDir: {}}]
  containers:
  - name: count
    image: gurumee92/count
    imagePullPolicy: IfNotPresent
    volumeMounts: [{name: html, mountPath: /var/htdocs}]
  - name: web
    image: httpd
    imagePullPolicy: IfNotPresent
    volumeMounts: [{name: html, mountPath: /usr/local/apache2/htdocs, readOnly: true}]
---
apiVersion: v1
kind: Pod
metadata: {name: deb}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: deb, image: debian, imagePullPolicy: IfNotPresent, command: [sleep, "3600"]}]
---
apiVersion: v1
kind: Pod
metadata: {name: paused}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: pause, image: "registry.k8s.io/pause:3.1", imagePullPolicy: IfNotPresent}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: "busybox:1.28", imagePullPolicy: IfNotPresent, command: [sleep, "3600"]}]
`;

// 004 §4.1 memory-request-limit.yaml: stress allocates 150M between its 100Mi request and 200Mi limit
const MEMORY_DEMO = `apiVersion: v1
kind: Pod
metadata: {name: memory-demo}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: memory-demo-ctr
    image: polinux/stress
    resources: {requests: {memory: 100Mi}, limits: {memory: 200Mi}}
    command: [stress]
    args: [--vm, "1", --vm-bytes, 150M, --vm-hang, "1"]
`;

describe('the seed documents’ images on containerd', { skip: !enabled && 'set K8TS_E2E=1' }, () => {
  let s: TestServer;
  const k = (args: string[], input?: string) => s.kubectl(args, input);
  const podIP = async (name: string) =>
    until(`${name} to have an IP and run`, async () => {
      const r = await k(['get', 'pod', name, '-o', 'jsonpath={.status.phase} {.status.podIP}']);
      const [phase, ip] = r.stdout.split(' ');
      return phase === 'Running' && ip ? ip : undefined;
    });
  const fetch = (url: string) =>
    k(['exec', 'client', '--', 'wget', '-T', '5', '-qO-', url]).then((r) =>
      r.code === 0 ? r.stdout : undefined,
    );

  before(async () => {
    s = await startServer(['--enable-agent', '--runtime', 'containerd', '--cluster-cidr', '10.246.0.0/16']);
    await until('the node to be Ready', async () =>
      / Ready /.test((await k(['get', 'nodes', '--no-headers'])).stdout),
    );
    assert.equal((await k(['apply', '-f', '-'], PODS)).code, 0);
    await podIP('client');
  });

  after(async () => {
    if (!s) return;
    try {
      await k(['delete', 'pod', '--all', '--grace-period=1', '--wait=true', '--timeout=60s']);
    } finally {
      await stopContainerdServer(s);
    }
  });

  it('serve_hostname answers with its pod name on 9376', async () => {
    const ip = await podIP('hostnames-abc12');
    assert.equal(
      await until('serve_hostname to answer', () => fetch(`http://${ip}:9376/`)),
      'hostnames-abc12',
    );
  });

  it('gurumee92/simple-app:v1 says Hello World v1 on 8080', async () => {
    const ip = await podIP('simple-app');
    assert.equal(await until('simple-app to answer', () => fetch(`http://${ip}:8080/`)), 'Hello World v1\n');
  });

  it('httpd serves what gurumee92/count writes into the shared volume', async () => {
    const ip = await podIP('counter-web');
    assert.match(await until('httpd to answer', () => fetch(`http://${ip}/`)), /^RUNNING loop seq \d+\n$/);
  });

  it('nginx has curl (seed 003: kubectl exec -it nginx -- curl <svc>.<ns>:8080); polinux/stress holds 150M under 200Mi', async () => {
    const ip = await podIP('simple-app');
    await until('simple-app to answer', () => fetch(`http://${ip}:8080/`));
    const web = await k(['run', 'web', '--image=nginx']);
    assert.equal(web.stdout, 'pod/web created\n', web.stderr);
    await podIP('web');
    const r = await k(['exec', 'web', '--', 'curl', '-s', `http://${ip}:8080/`]);
    assert.equal(r.stdout, 'Hello World v1\n', r.stderr);
    const mem = await k(['apply', '-f', '-'], MEMORY_DEMO);
    assert.equal(mem.stdout, 'pod/memory-demo created\n', mem.stderr);
    await until('stress to say it holds the memory', async () =>
      /allocated 157286400 bytes/.test((await k(['logs', 'memory-demo'])).stdout) ? true : undefined,
    );
    assert.equal(
      (await k(['get', 'pod', 'memory-demo', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}']))
        .stdout,
      '0',
    );
  });

  it('debian runs bash; the pause image has no shell', async () => {
    assert.equal((await k(['exec', 'deb', '--', 'bash', '-c', 'echo hello'])).stdout, 'hello\n');
    await podIP('paused');
    const r = await k(['exec', 'paused', '--', 'sh']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /executable file not found in \$PATH/);
  });
});
