// `kubectl port-forward` into real pods on containerd: the real kubectl v1.31 → the kubelet's
// port-forward handler (through the test front that stands in for the API server's
// pods/portforward proxy, see test/integration/portforward-front.ts) → containerd's CRI
// streaming server (criPortForward) → localhost inside the pod's network namespace.
// Needs root, containerd, runc and the CNI plugins: runs only with K8TS_E2E=1, inside a
// private network namespace (/work/netns-run.sh portforward ...).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { CriClient } from '../../src/cri/client.js';
import { containerdPaths } from '../../src/kubelet/containerd/config.js';
import { criPortForward } from '../../src/kubelet/runtime/cri-portforward.js';
import { handlePortForward } from '../../src/kubelet/server/portforward.js';
import { KUBECTL, startServer, type TestServer } from '../integration/harness.js';
import { stopContainerdServer } from './containerd-server.js';
import { startFront, type Front } from '../integration/portforward-front.js';
import { until } from './until.js';

const enabled = process.env.K8TS_E2E === '1';

// 8080 on every address; 9090 on the pod's loopback only, which a dial to the pod IP from the
// host could not reach: port-forward must connect from inside the pod's network namespace.
const APP = `apiVersion: apps/v1
kind: Deployment
metadata: {name: simple-app-dep, labels: {app: simple-app}}
spec:
  replicas: 1
  selector: {matchLabels: {app: simple-app}}
  template:
    metadata: {labels: {app: simple-app}}
    spec:
      containers:
      - name: simple-app
        image: busybox
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "mkdir -p /www /lo && echo 'Hello World v1' > /www/index.html && dd if=/dev/zero of=/www/big bs=1048576 count=4 2>/dev/null && echo 'only on loopback' > /lo/index.html && httpd -p 127.0.0.1:9090 -h /lo && exec httpd -f -p 8080 -h /www"]
        ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: simple-app-svc}
spec:
  ports: [{port: 80, targetPort: 8080}]
  selector: {app: simple-app}
`;

interface Forward {
  proc: ChildProcess;
  ports: number[];
  stderr: () => string;
  exited: Promise<number | null>;
}

async function portForward(
  kubeconfig: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<Forward> {
  const proc = spawn(KUBECTL, ['--kubeconfig', kubeconfig, 'port-forward', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const want = args.filter((a) => /^\d*:?\d+$/.test(a)).length;
  return until('kubectl to listen', async () => {
    const ports = [...out.matchAll(/^Forwarding from 127\.0\.0\.1:(\d+) -> \d+$/gm)].map((m) => Number(m[1]));
    if (proc.exitCode !== null) throw new Error(`kubectl port-forward exited: ${out}${err}`);
    return ports.length >= want ? { proc, ports, stderr: () => err, exited } : undefined;
  });
}

async function stop(f: Forward): Promise<void> {
  if (f.proc.exitCode === null) f.proc.kill('SIGINT');
  await f.exited;
}

describe('kubectl port-forward into pods on containerd', { skip: !enabled && 'set K8TS_E2E=1' }, () => {
  let s: TestServer;
  let front: Front;
  let cri: CriClient;
  const sandboxes: string[] = [];
  const figures: Record<string, string> = {};

  before(async () => {
    s = await startServer(['--enable-agent', '--runtime', 'containerd', '--cluster-cidr', '10.247.0.0/16']);
    cri = new CriClient(containerdPaths(s.dataDir).socket);
    await until('the node to be Ready', async () => {
      const r = await s.kubectl(['get', 'nodes', '--no-headers']);
      return / Ready /.test(r.stdout) ? r.stdout : undefined;
    });
    assert.equal((await s.kubectl(['apply', '-f', '-'], APP)).code, 0);
    await until('the pod to be Running', async () => {
      const r = await s.kubectl(['get', 'pods', '-l', 'app=simple-app', '--no-headers']);
      return /1\/1\s+Running/.test(r.stdout) ? r.stdout : undefined;
    });
    // what the kubelet's route does: the pod's uid → its sandbox → a CRI port-forward session
    front = await startFront(s, async (req, socket, head, ns, pod) => {
      const got = await s.api('GET', `/api/v1/namespaces/${ns}/pods/${pod}`);
      const uid = JSON.parse(got.body).metadata.uid as string;
      const [sandbox] = await cri.listPodSandbox({ label_selector: { 'io.kubernetes.pod.uid': uid } });
      sandboxes.push(sandbox.id);
      const target = await criPortForward(cri, sandbox.id);
      handlePortForward(req, socket, head, target, { podName: sandbox.id });
    });
  });

  after(async () => {
    if (!s) return;
    try {
      await s.kubectl(['delete', 'deployment', 'simple-app-dep', '--wait=true', '--timeout=60s']);
      await s.kubectl(['delete', 'pod', '--all', '--grace-period=1', '--wait=true', '--timeout=60s']);
    } finally {
      cri?.close();
      await front?.close();
      console.log('figures', figures);
      await stopContainerdServer(s);
    }
  });

  it('svc/simple-app-svc 18089:80 serves the page (the acceptance scenario check)', async () => {
    const f = await portForward(front.kubeconfig, ['svc/simple-app-svc', ':80']);
    try {
      const t = performance.now();
      const res = await fetch(`http://127.0.0.1:${f.ports[0]}/`);
      assert.equal(await res.text(), 'Hello World v1\n');
      figures['first request through port-forward'] = `${(performance.now() - t).toFixed(0)} ms`;
    } finally {
      await stop(f);
    }
  });

  it('deploy/x over plain SPDY too, and a loopback-only port in the pod is reachable', async () => {
    const f = await portForward(front.kubeconfig, ['deploy/simple-app-dep', ':8080', ':9090'], {
      KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false',
    });
    try {
      assert.equal(await (await fetch(`http://127.0.0.1:${f.ports[0]}/`)).text(), 'Hello World v1\n');
      assert.equal(await (await fetch(`http://127.0.0.1:${f.ports[1]}/`)).text(), 'only on loopback\n');
    } finally {
      await stop(f);
    }
  });

  it('20 concurrent 4 MiB downloads arrive whole', async () => {
    const f = await portForward(front.kubeconfig, ['deploy/simple-app-dep', ':8080']);
    try {
      const t = performance.now();
      const bodies = await Promise.all(
        Array.from({ length: 20 }, async () =>
          Buffer.from(await (await fetch(`http://127.0.0.1:${f.ports[0]}/big`)).arrayBuffer()),
        ),
      );
      const ms = performance.now() - t;
      for (const b of bodies) {
        assert.equal(b.length, 4 * 1024 * 1024);
        assert.ok(b.every((x) => x === 0));
      }
      figures['20 × 4 MiB through port-forward'] =
        `${ms.toFixed(0)} ms (${((80 / ms) * 1000).toFixed(1)} MiB/s)`;
    } finally {
      await stop(f);
    }
  });

  it("a closed port: kubectl shows containerd's error text and loses the connection", async () => {
    const f = await portForward(front.kubeconfig, ['deploy/simple-app-dep', ':81']);
    try {
      await fetch(`http://127.0.0.1:${f.ports[0]}/`).catch(() => undefined);
      assert.notEqual(await f.exited, 0);
      const id = sandboxes.at(-1)!;
      // klog quotes the text as a structured value: its quotes come out as \"
      const text = f.stderr().replaceAll('\\"', '"');
      assert.ok(
        text.includes(
          `an error occurred forwarding ${f.ports[0]} -> 81: error forwarding port 81 to pod ${id}, uid : ` +
            'failed to execute portforward in network namespace "',
        ),
        text,
      );
      assert.ok(
        text.includes(
          `": failed to connect to localhost:81 inside namespace "${id}", ` +
            'IPv4: dial tcp4 127.0.0.1:81: connect: connection refused IPv6 dial tcp6: address localhost: ' +
            'no suitable address found',
        ),
        text,
      );
      assert.match(f.stderr(), /lost connection to pod/);
    } finally {
      await stop(f);
    }
  });
});
