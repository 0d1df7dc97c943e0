// Probe handlers and the probe worker's thresholds, without containers: the outputs are the
// texts upstream's kubelet puts into Unhealthy events.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as netServer, type AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import {
  decodeHealthStatus,
  encodeHealthRequest,
  execProbe,
  goCodeName,
  grpcProbe,
  httpProbe,
  probeURL,
  tcpProbe,
} from '../../../src/kubelet/prober/probes.js';
import { resolvePort } from '../../../src/kubelet/prober/manager.js';
import { ProbeWorker, type ContainerView } from '../../../src/kubelet/prober/worker.js';
import type { ProbeOutcome, ProbeType } from '../../../src/kubelet/prober/types.js';

function listen(s: Server): Promise<number> {
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = netServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('httpGet probe', () => {
  let server: Server;
  let other: Server;
  let port = 0;
  let otherPort = 0;
  const seen: Record<string, unknown>[] = [];
  before(async () => {
    other = createServer((_q, res) => res.end('elsewhere'));
    otherPort = await listen(other);
    server = createServer((req, res) => {
      seen.push({
        ua: req.headers['user-agent'],
        accept: req.headers.accept,
        x: req.headers['x-custom'],
        host: req.headers.host,
      });
      const routes: Record<string, () => void> = {
        '/ok': () => res.end('fine'),
        '/fail': () => {
          res.statusCode = 500;
          res.end('broken');
        },
        '/moved': () => {
          res.writeHead(302, { Location: '/ok' });
          res.end();
        },
        '/away': () => {
          res.writeHead(301, { Location: `http://localhost:${otherPort}/` });
          res.end('gone');
        },
        '/loop': () => {
          res.writeHead(302, { Location: '/loop' });
          res.end();
        },
        '/slow': () => setTimeout(() => res.end('late'), 3000).unref(),
      };
      (routes[(req.url ?? '').split('?')[0]] ?? routes['/fail'])();
    });
    port = await listen(server);
  });
  after(() => {
    server.closeAllConnections();
    server.close();
    other.close();
  });
  const probe = (path: string, headers: { name: string; value: string }[] = []) =>
    httpProbe({ url: probeURL('HTTP', '127.0.0.1', port, path), headers, timeoutSeconds: 1 });

  it('succeeds on 200 with the body as output, sending kube-probe/1.31 and Accept */*', async () => {
    assert.deepEqual(await probe('/ok'), { result: 'success', output: 'fine' });
    assert.deepEqual(seen.at(-1), {
      ua: 'kube-probe/1.31',
      accept: '*/*',
      x: undefined,
      host: `127.0.0.1:${port}`,
    });
  });
  it("fails on 500 with upstream's statuscode text", async () => {
    assert.deepEqual(await probe('/fail'), {
      result: 'failure',
      output: 'HTTP probe failed with statuscode: 500',
    });
  });
  it('sends httpHeaders, a Host header included', async () => {
    await probe('/ok', [
      { name: 'X-Custom', value: 'Awesome' },
      { name: 'Host', value: 'example.test' },
    ]);
    assert.deepEqual(seen.at(-1), {
      ua: 'kube-probe/1.31',
      accept: '*/*',
      x: 'Awesome',
      host: 'example.test',
    });
  });
  it('follows a redirect on the same host', async () => {
    assert.deepEqual(await probe('/moved'), { result: 'success', output: 'fine' });
  });
  it('does not follow a redirect to another host: a warning with the body', async () => {
    assert.deepEqual(await probe('/away'), {
      result: 'warning',
      output: 'Probe terminated redirects, Response body: gone',
    });
  });
  it('stops after 10 redirects', async () => {
    const r = await probe('/loop');
    assert.equal(r.result, 'failure');
    assert.equal(r.output, `Get "http://127.0.0.1:${port}/loop": stopped after 10 redirects`);
  });
  it("times out after timeoutSeconds with Go's client timeout text", async () => {
    const r = await probe('/slow?x=1');
    assert.deepEqual(r, {
      result: 'failure',
      output: `Get "http://127.0.0.1:${port}/slow?x=1": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    });
  });
  it("reports a refused connection as Go's dial error", async () => {
    const p = await closedPort();
    const r = await httpProbe({
      url: probeURL('HTTP', '127.0.0.1', p, '/healthz'),
      headers: [],
      timeoutSeconds: 1,
    });
    assert.deepEqual(r, {
      result: 'failure',
      output: `Get "http://127.0.0.1:${p}/healthz": dial tcp 127.0.0.1:${p}: connect: connection refused`,
    });
  });
});

describe('tcpSocket probe', () => {
  it('succeeds when the port accepts and fails with the dial error when refused', async () => {
    const s = netServer((c) => c.end());
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const open = (s.address() as AddressInfo).port;
    assert.equal((await tcpProbe('127.0.0.1', open, 1)).result, 'success');
    s.close();
    const p = await closedPort();
    assert.deepEqual(await tcpProbe('127.0.0.1', p, 1), {
      result: 'failure',
      output: `dial tcp 127.0.0.1:${p}: connect: connection refused`,
    });
  });
});

describe('exec probe', () => {
  it('passes on exit 0, fails with the output otherwise, and a timeout fails with its text', async () => {
    const ok = await execProbe(async () => ({ exitCode: 0, output: '' }), ['cat', '/tmp/healthy'], 1);
    assert.equal(ok.result, 'success');
    const bad = await execProbe(
      async () => ({ exitCode: 1, output: "cat: can't open '/tmp/healthy': No such file or directory\n" }),
      ['cat', '/tmp/healthy'],
      1,
    );
    assert.deepEqual(bad, {
      result: 'failure',
      output: "cat: can't open '/tmp/healthy': No such file or directory\n",
    });
    const slow = await execProbe(async () => 'timeout', ['sh', '-c', 'sleep 5'], 1);
    assert.deepEqual(slow, { result: 'failure', output: 'command "sh -c sleep 5" timed out' });
  });
});

describe('grpc probe', () => {
  let server: grpc.Server;
  let port = 0;
  let status = 1;
  before(async () => {
    server = new grpc.Server();
    server.register(
      '/grpc.health.v1.Health/Check',
      (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        assert.deepEqual(call.request, encodeHealthRequest('svc'));
        cb(null, Buffer.from([0x08, status]));
      },
      (x: Buffer) => x,
      (x: Buffer) => x,
      'unary',
    );
    port = await new Promise((r, j) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? j(e) : r(p))),
    );
  });
  after(() => server.forceShutdown());
  it('asks grpc.health.v1.Health/Check and wants SERVING', async () => {
    status = 1;
    assert.deepEqual(await grpcProbe('127.0.0.1', port, 'svc', 1), {
      result: 'success',
      output: 'service healthy',
    });
    status = 2;
    assert.deepEqual(await grpcProbe('127.0.0.1', port, 'svc', 1), {
      result: 'failure',
      output: 'service unhealthy (responded with "NOT_SERVING")',
    });
  });
  it('fails with the connect timeout text when nothing listens', async () => {
    const p = await closedPort();
    assert.deepEqual(await grpcProbe('127.0.0.1', p, '', 1), {
      result: 'failure',
      output: `timeout: failed to connect service "127.0.0.1:${p}" within 1s: context deadline exceeded`,
    });
  });
  it("names gRPC codes as Go's codes.Code.String()", () => {
    assert.equal(goCodeName(grpc.status.UNAVAILABLE), 'Unavailable');
    assert.equal(goCodeName(grpc.status.DEADLINE_EXCEEDED), 'DeadlineExceeded');
    assert.equal(goCodeName(grpc.status.OK), 'OK');
  });
  it('encodes the request and decodes the status as protobuf', () => {
    assert.deepEqual(encodeHealthRequest(''), Buffer.alloc(0));
    assert.deepEqual(encodeHealthRequest('ab'), Buffer.from([0x0a, 2, 0x61, 0x62]));
    assert.equal(decodeHealthStatus(Buffer.from([0x08, 3])), 3);
    assert.equal(decodeHealthStatus(Buffer.alloc(0)), 0);
  });
});

describe('probe ports', () => {
  const c = { name: 'c', ports: [{ name: 'http', containerPort: 8080 }] };
  it('takes numbers, container port names and numeric strings', () => {
    assert.equal(resolvePort(80, c), 80);
    assert.equal(resolvePort('http', c), 8080);
    assert.equal(resolvePort('81', c), 81);
  });
  it('rejects unknown names and out-of-range ports as upstream', () => {
    assert.throws(() => resolvePort('web', c), /^Error: strconv.Atoi: parsing "web": invalid syntax$/);
    assert.throws(() => resolvePort(70000, c), /^Error: invalid port number: 70000$/);
  });
});

describe('probe worker', () => {
  const running = (id: string, startedAt = 0, extra: Partial<ContainerView> = {}): ContainerView => ({
    id,
    running: true,
    startedAt,
    started: true,
    hasStartupProbe: false,
    ...extra,
  });
  function worker(type: ProbeType, answers: ProbeOutcome['result'][], spec = {}) {
    const events: string[] = [];
    const w = new ProbeWorker(
      type,
      spec,
      async () => ({ result: answers.shift() ?? 'success', output: 'out' }),
      {
        unhealthy: (t, o) => events.push(`unhealthy ${t} ${o.output}`),
        warning: (t) => events.push(`warning ${t}`),
      },
    );
    return { w, events };
  }

  it('readiness starts failed and passes after successThreshold runs', async () => {
    const { w } = worker('readiness', ['success', 'success'], { successThreshold: 2 });
    assert.equal(w.result, 'failure');
    await w.tick(running('a'), 1000);
    assert.equal(w.result, 'failure');
    assert.equal(await w.tick(running('a'), 2000), true);
    assert.equal(w.result, 'success');
  });

  it('liveness fails only after failureThreshold consecutive failures, one event per failed run', async () => {
    const { w, events } = worker('liveness', ['failure', 'success', 'failure', 'failure', 'failure']);
    for (let i = 0; i < 4; i++) await w.tick(running('a'), i);
    assert.equal(w.result, 'success');
    await w.tick(running('a'), 5);
    assert.equal(w.result, 'failure');
    assert.equal(events.length, 4);
    assert.equal(events[0], 'unhealthy liveness out');
  });

  it('holds a liveness failure until the container is replaced, then starts over', async () => {
    const { w } = worker('liveness', ['failure', 'failure'], { failureThreshold: 1 });
    await w.tick(running('a'), 0);
    assert.equal(w.result, 'failure');
    await w.tick(running('a'), 1);
    assert.equal(w.result, 'failure');
    await w.tick(running('b'), 2); // the queued 'failure' answer is for b: threshold 1
    assert.equal(w.containerID, 'b');
    assert.equal(w.result, 'failure');
    await w.tick(running('c'), 3);
    assert.equal(w.result, 'success');
  });

  it('waits initialDelaySeconds after the container started', async () => {
    let runs = 0;
    const w = new ProbeWorker(
      'readiness',
      { initialDelaySeconds: 5 },
      async () => {
        runs++;
        return { result: 'success', output: '' };
      },
      { unhealthy: () => undefined, warning: () => undefined },
    );
    await w.tick(running('a', 10_000), 14_000);
    assert.equal(runs, 0);
    await w.tick(running('a', 10_000), 15_000);
    assert.equal(runs, 1);
  });

  it('liveness waits for the startup probe; startup stops once started', async () => {
    const { w } = worker('liveness', ['failure'], { failureThreshold: 1 });
    await w.tick(running('a', 0, { hasStartupProbe: true, started: false }), 0);
    assert.equal(w.result, 'success');
    const s = worker('startup', ['failure', 'success']);
    assert.equal(s.w.result, 'unknown');
    await s.w.tick(running('a', 0, { started: false }), 0);
    await s.w.tick(running('a', 0, { started: false }), 1);
    assert.equal(s.w.result, 'success');
  });

  it('a warning counts as success and is reported', async () => {
    const { w, events } = worker('readiness', ['warning']);
    await w.tick(running('a'), 0);
    assert.equal(w.result, 'success');
    assert.deepEqual(events, ['warning readiness']);
  });

  it('a stopped container is not ready', async () => {
    const { w } = worker('readiness', ['success']);
    await w.tick(running('a'), 0);
    assert.equal(w.result, 'success');
    await w.tick({ ...running('a'), running: false }, 1);
    assert.equal(w.result, 'failure');
  });
});
