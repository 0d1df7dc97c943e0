// The real kubectl v1.31 port-forwarding through the kubelet's port-forward handler
// (src/kubelet/server/portforward.ts), with a real `k8ts server` answering everything else.
//
// What kubectl v1.31 sends (k8s.io/kubectl/pkg/cmd/portforward, client-go tools/portforward):
// - It resolves TYPE/NAME (pod, svc, deploy, ...) to one Running pod (a Service's port is
//   translated to the pod's targetPort by kubectl itself), then POSTs nothing itself: the URL
//   is /api/v1/namespaces/{ns}/pods/{pod}/portforward with no query; ports travel in stream
//   headers only.
// - PortForwardWebsockets is on by default in 1.31 (KUBECTL_PORT_FORWARD_WEBSOCKETS=false turns
//   it off): it first sends GET with `Upgrade: websocket` and Sec-WebSocket-Protocol
//   `SPDY/3.1+portforward.k8s.io`, then speaks SPDY/3.1 inside binary messages
//   (tunneling_dialer.go), pinging every 10 s. If that upgrade fails (IsUpgradeFailure or
//   IsHTTPSProxyError) it falls back to plain SPDY: POST with `Upgrade: SPDY/3.1`,
//   `X-Stream-Protocol-Version: portforward.k8s.io` (fallback_dialer.go).
// - Per local connection: requestID n (0, 1, ...); SYN_STREAM headers streamtype=error,
//   port=<remote>, requestid=n, which it half-closes at once; then the same with
//   streamtype=data. It waits for the error stream's EOF before closing the local
//   connection; a non-empty error text is logged as "an error occurred forwarding L -> R" and
//   kubectl closes the whole session ("lost connection to pod").
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { randomBytes, createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { handlePortForward } from '../../src/kubelet/server/portforward.js';
import type { PortForwardTarget } from '../../src/kubelet/runtime/types.js';
import type { SpdySession } from '../../src/util/spdy/session.js';
import { KUBECTL, cleanup, startServer, type TestServer } from './harness.js';
import { startFront, type Front } from './portforward-front.js';

const POD = `apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  nodeName: node-a
  containers:
  - name: web
    image: nginx
    ports: [{containerPort: 80, name: http}, {containerPort: 81, name: echo}]
`;
const SVC = `apiVersion: v1
kind: Service
metadata: {name: web-svc}
spec:
  selector: {app: web}
  ports: [{name: http, port: 8080, targetPort: http}]
`;
const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
`;

/** A running kubectl port-forward and the local ports it printed. */
interface Forward {
  proc: ChildProcess;
  ports: number[];
  stdout: () => string;
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
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ports = [...out.matchAll(/^Forwarding from 127\.0\.0\.1:(\d+) -> \d+$/gm)].map((m) => Number(m[1]));
    if (ports.length >= want) return { proc, ports, stdout: () => out, stderr: () => err, exited };
    if (proc.exitCode !== null || Date.now() > deadline)
      throw new Error(`kubectl port-forward: ${out}${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(f: Forward): Promise<void> {
  if (f.proc.exitCode === null) f.proc.kill('SIGINT');
  await f.exited;
}

/** Sends `payload`, half-closes, returns all that came back. */
function roundTrip(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const c = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    c.on('data', (d: Buffer) => got.push(d));
    c.on('end', () => resolve(Buffer.concat(got)));
    c.on('error', reject);
    c.end(payload);
  });
}

describe('kubectl port-forward (v1.31) through the kubelet port-forward handler', () => {
  let s: TestServer;
  let front: Front;
  let web: Server;
  let echo: NetServer;
  let uid = '';
  const dialed: number[] = [];
  const sessions: SpdySession[] = [];
  const podPorts = new Map<number, number>();

  before(async () => {
    s = await startServer(['--disable-controller-manager']);
    web = createHttpServer((_req, res) => res.end('Hello through port-forward\n'));
    echo = createServer((c) => c.pipe(c));
    await Promise.all([web, echo].map((srv) => new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))));
    podPorts.set(80, (web.address() as AddressInfo).port);
    podPorts.set(81, (echo.address() as AddressInfo).port);
    for (const y of [POD, SVC, DEPLOY]) assert.equal((await s.kubectl(['apply', '-f', '-'], y)).code, 0);
    const patch = await s.api(
      'PATCH',
      '/api/v1/namespaces/default/pods/web/status',
      JSON.stringify({ status: { phase: 'Running', podIP: '10.42.0.5' } }),
      { 'Content-Type': 'application/merge-patch+json' },
    );
    assert.equal(patch.status, 200, patch.body);
    uid = JSON.parse(patch.body).metadata.uid;
    front = await startFront(s, (req, socket, head, _ns, pod) => {
      const target: PortForwardTarget = {
        dial: (port) =>
          new Promise<Duplex>((resolve, reject) => {
            dialed.push(port);
            // a port nobody listens on gets a real ECONNREFUSED from a closed loopback port
            const c = connect(podPorts.get(port) ?? 1, '127.0.0.1');
            c.once('connect', () => resolve(c));
            c.once('error', reject);
          }),
        close: () => undefined,
      };
      const session = handlePortForward(req, socket, head, target, { podName: pod, uid });
      if (session) sessions.push(session);
    });
  });

  after(async () => {
    for (const x of sessions) x.close();
    await front?.close();
    web?.close();
    echo?.close();
    if (s) {
      await s.stop();
      cleanup(s);
    }
  });

  it('pod/web: kubectl tunnels SPDY through a WebSocket by default and the page comes back', async () => {
    const before = front.upgrades.length;
    const f = await portForward(front.kubeconfig, ['pod/web', ':80']);
    try {
      assert.match(f.stdout(), /^Forwarding from 127\.0\.0\.1:\d+ -> 80$/m);
      const res = await fetch(`http://127.0.0.1:${f.ports[0]}/`);
      assert.equal(await res.text(), 'Hello through port-forward\n');
      assert.match(f.stdout(), /^Handling connection for \d+$/m);
      const up = front.upgrades[before];
      assert.equal(up.method, 'GET');
      assert.equal(up.url, '/api/v1/namespaces/default/pods/web/portforward');
      assert.equal(up.headers.upgrade, 'websocket');
      assert.equal(up.headers['sec-websocket-protocol'], 'SPDY/3.1+portforward.k8s.io');
    } finally {
      await stop(f);
    }
  });

  it('KUBECTL_PORT_FORWARD_WEBSOCKETS=false: plain SPDY/3.1 upgrade, same result', async () => {
    const before = front.upgrades.length;
    const f = await portForward(front.kubeconfig, ['pod/web', ':80'], {
      KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false',
    });
    try {
      const res = await fetch(`http://127.0.0.1:${f.ports[0]}/`);
      assert.equal(await res.text(), 'Hello through port-forward\n');
      const up = front.upgrades[before];
      assert.equal(up.method, 'POST');
      assert.equal(up.headers.upgrade, 'SPDY/3.1');
      assert.equal(up.headers['x-stream-protocol-version'], 'portforward.k8s.io');
    } finally {
      await stop(f);
    }
  });

  it("svc/web-svc 8080: kubectl maps the Service port to the pod's targetPort (80)", async () => {
    dialed.length = 0;
    const f = await portForward(front.kubeconfig, ['svc/web-svc', ':8080']);
    try {
      assert.match(f.stdout(), /^Forwarding from 127\.0\.0\.1:\d+ -> 80$/m);
      const res = await fetch(`http://127.0.0.1:${f.ports[0]}/`);
      assert.equal(await res.text(), 'Hello through port-forward\n');
      assert.deepEqual(dialed, [80]);
    } finally {
      await stop(f);
    }
  });

  it('deploy/web with two ports (one by name) forwards both over one session', async () => {
    const f = await portForward(front.kubeconfig, ['deploy/web', ':80', ':81']);
    try {
      const page = await fetch(`http://127.0.0.1:${f.ports[0]}/`);
      assert.equal(await page.text(), 'Hello through port-forward\n');
      const back = await roundTrip(f.ports[1], Buffer.from('ping\n'));
      assert.equal(back.toString(), 'ping\n');
    } finally {
      await stop(f);
    }
  });

  it('50 concurrent connections each echo 1 MiB intact (beyond any 64 KiB window)', async () => {
    const f = await portForward(front.kubeconfig, ['pod/web', ':81']);
    try {
      const t = performance.now();
      const payloads = Array.from({ length: 50 }, () => randomBytes(1024 * 1024));
      const results = await Promise.all(payloads.map((p) => roundTrip(f.ports[0], p)));
      const ms = performance.now() - t;
      for (let i = 0; i < payloads.length; i++) {
        const want = createHash('sha256').update(payloads[i]).digest('hex');
        assert.equal(results[i].length, payloads[i].length, `connection ${i}`);
        assert.equal(createHash('sha256').update(results[i]).digest('hex'), want, `connection ${i}`);
      }
      // every connection's two streams are released while the session lives on
      const session = sessions.at(-1)!;
      const deadline = Date.now() + 10_000;
      while (session.streamCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(session.streamCount, 0);
      assert.equal(session.closed, false);
      console.log(
        `port-forward: 50 × 1 MiB echoed in ${ms.toFixed(0)} ms (${((100 / ms) * 1000).toFixed(1)} MiB/s both ways)`,
      );
    } finally {
      await stop(f);
    }
  });

  it('a refused port: kubectl prints the upstream error text and ends the session', async () => {
    const f = await portForward(front.kubeconfig, ['pod/web', ':82']);
    try {
      // the local connection is accepted, then closed once the error stream ends
      await roundTrip(f.ports[0], Buffer.from('x')).catch(() => Buffer.alloc(0));
      const code = await f.exited;
      assert.notEqual(code, 0);
      assert.match(
        f.stderr(),
        new RegExp(
          `an error occurred forwarding \\d+ -> 82: error forwarding port 82 to pod web, uid ${uid}: connect ECONNREFUSED 127\\.0\\.0\\.1:1`,
        ),
      );
      assert.match(f.stderr(), /lost connection to pod/);
    } finally {
      await stop(f);
    }
  });
});
