// pods/log, exec, attach and port-forward through the API server and the local agent's kubelet
// API (sim runtime: no containers, so these are the API-side checks and errors, and the
// kubelet server's authentication and authorization). Real containers: test/e2e/streaming.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { cleanup, startServer, type TestServer, eventuallyWithin } from './harness.js';

const eventually = eventuallyWithin(30_000);

const NODE = 'streams-node';

describe('pod streams through the API server', () => {
  let s: TestServer;
  let kubeletPort = 0;
  const k = (...args: string[]) => s.kubectl(['-n', 'streams', ...args]);
  const pod = (name: string, spec: Record<string, unknown>) =>
    s.kubectl(
      ['-n', 'streams', 'apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec }),
    );
  /** A request to the kubelet API with the admin certificate, a bearer token, or nothing. */
  const kubelet = (path: string, auth: 'cert' | 'none' | { token: string }) => {
    const cfg = readFileSync(s.kubeconfig, 'utf8');
    const field = (name: string) =>
      Buffer.from(new RegExp(`${name}: (\\S+)`).exec(cfg)![1], 'base64').toString();
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: kubeletPort,
          path,
          rejectUnauthorized: false,
          ...(auth === 'cert'
            ? { cert: field('client-certificate-data'), key: field('client-key-data') }
            : {}),
          headers: typeof auth === 'object' ? { Authorization: `Bearer ${auth.token}` } : {},
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  };

  before(async () => {
    s = await startServer([
      '--enable-agent',
      '--runtime',
      'sim',
      '--node-name',
      NODE,
      '--kubelet-port',
      '0',
      '--disable-scheduler',
    ]);
    assert.equal((await s.kubectl(['create', 'namespace', 'streams'])).code, 0);
    kubeletPort = await eventually('node advertises its kubelet port', async () => {
      const r = await s.kubectl([
        'get',
        'node',
        NODE,
        '-o',
        'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}',
      ]);
      return Number(r.stdout) > 0 ? Number(r.stdout) : undefined;
    });
    await eventually('default service account', async () => (await k('get', 'sa', 'default')).code === 0);
    await pod('one', { nodeName: NODE, containers: [{ name: 'c', image: 'busybox' }] });
    await pod('two', {
      nodeName: NODE,
      initContainers: [{ name: 'init', image: 'busybox' }],
      containers: [
        { name: 'a', image: 'busybox' },
        { name: 'b', image: 'busybox' },
      ],
    });
    await pod('unscheduled', { containers: [{ name: 'c', image: 'busybox' }] });
    await eventually('pod one Running', async () =>
      / Running /.test((await k('get', 'pod', 'one', '--no-headers')).stdout),
    );
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('kubectl logs of a simulated container is empty and succeeds', async () => {
    const r = await k('logs', 'one');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
  });

  it('an unknown container is upstream BadRequest', async () => {
    const r = await s.api('GET', '/api/v1/namespaces/streams/pods/one/log?container=nope');
    assert.equal(r.status, 400);
    assert.equal(JSON.parse(r.body).message, 'container nope is not valid for pod one');
    // kubectl checks the name itself first, with the same words
    const c = await k('logs', 'one', '-c', 'nope');
    assert.equal(c.code, 1);
    assert.equal(c.stderr, 'error: container nope is not valid for pod one\n');
  });

  it('without a container name a multi-container pod lists its containers', async () => {
    const r = await s.api('GET', '/api/v1/namespaces/streams/pods/two/log');
    assert.equal(r.status, 400);
    assert.equal(
      JSON.parse(r.body).message,
      'a container name must be specified for pod two, choose one of: [init a b]',
    );
    const e = await s.api('GET', '/api/v1/namespaces/streams/pods/two/exec?command=true&stdout=true');
    assert.equal(e.status, 400);
    assert.equal(
      JSON.parse(e.body).message,
      'a container name must be specified for pod two, choose one of: [a b] or one of the init containers: [init]',
    );
  });

  it('PodLogOptions are validated as upstream', async () => {
    const get = async (q: string) => {
      const r = await s.api('GET', `/api/v1/namespaces/streams/pods/one/log?${q}`);
      return { status: r.status, message: (JSON.parse(r.body) as { message: string }).message };
    };
    assert.deepEqual(await get('tailLines=-1'), {
      status: 422,
      message:
        'PodLogOptions "one" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0',
    });
    assert.deepEqual(await get('limitBytes=0'), {
      status: 422,
      message: 'PodLogOptions "one" is invalid: limitBytes: Invalid value: 0: must be greater than 0',
    });
    assert.deepEqual(await get('sinceSeconds=0'), {
      status: 422,
      message: 'PodLogOptions "one" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0',
    });
    assert.equal((await get('sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z')).status, 422);
    assert.deepEqual(await get('tailLines=abc'), {
      status: 400,
      message: 'strconv.ParseInt: parsing "abc": invalid syntax',
    });
    assert.equal((await get('follow=maybe')).status, 400);
  });

  it('a pod that is not there is NotFound', async () => {
    const r = await k('logs', 'ghost');
    assert.equal(
      r.stderr,
      'error: error from server (NotFound): pods "ghost" not found in namespace "streams"\n',
    );
    const a = await s.api('GET', '/api/v1/namespaces/streams/pods/ghost/log');
    assert.equal(a.status, 404);
  });

  it('a pod without a node has an empty log, and no exec', async () => {
    const r = await k('logs', 'unscheduled');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const e = await k('exec', 'unscheduled', '--', 'true');
    assert.equal(e.code, 1);
    assert.match(e.stderr, /pod unscheduled does not have a host assigned/);
  });

  it('exec on a simulated pod reaches the kubelet, which says it runs no processes', async () => {
    const r = await k('exec', 'one', '--', 'true');
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /container runtime "sim" runs no processes, so exec is not available for its pods/,
    );
  });

  it('the kubelet API authenticates and authorizes through the API server', async () => {
    const anon = await kubelet('/healthz', 'none');
    assert.equal(anon.status, 403);
    assert.equal(anon.body, 'Forbidden (user=system:anonymous, verb=get, resource=nodes, subresource=proxy)');
    const bad = await kubelet('/pods', { token: 'not-a-token' });
    assert.deepEqual(bad, { status: 401, body: 'Unauthorized' });
    assert.deepEqual(await kubelet('/healthz', 'cert'), { status: 200, body: 'ok' });
    const pods = JSON.parse((await kubelet('/pods', 'cert')).body) as {
      kind: string;
      items: { metadata: { name: string } }[];
    };
    assert.equal(pods.kind, 'PodList');
    assert.deepEqual(pods.items.map((p) => p.metadata.name).sort(), ['one', 'two']);
    const logs = await kubelet('/containerLogs/streams/one/nope', 'cert');
    assert.deepEqual(logs, { status: 404, body: 'container "nope" not found in pod "one"' });
  });

  it('a service account token without RBAC is forbidden by the kubelet', async () => {
    await k('create', 'serviceaccount', 'nobody');
    const token = (await k('create', 'token', 'nobody')).stdout.trim();
    const r = await kubelet('/pods', { token });
    assert.deepEqual(r, {
      status: 403,
      body: 'Forbidden (user=system:serviceaccount:streams:nobody, verb=get, resource=nodes, subresource=proxy)',
    });
  });

  it('a WebSocket exec (GET) also needs create on pods/exec, as upstream v1.31', async () => {
    await k('create', 'serviceaccount', 'viewer');
    await k('create', 'role', 'exec-get', '--verb=get', '--resource=pods,pods/exec');
    await k('create', 'rolebinding', 'viewer-exec-get', '--role=exec-get', '--serviceaccount=streams:viewer');
    const token = (await k('create', 'token', 'viewer')).stdout.trim();
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: s.port,
          path: '/api/v1/namespaces/streams/pods/one/exec?command=true&stdout=true',
          rejectUnauthorized: false,
          headers: {
            Authorization: `Bearer ${token}`,
            Connection: 'Upgrade',
            Upgrade: 'websocket',
            'Sec-WebSocket-Version': '13',
            'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
            'Sec-WebSocket-Protocol': 'v5.channel.k8s.io',
          },
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('upgrade', () => reject(new Error('upgraded without create permission')));
      req.on('error', reject);
      req.end();
    });
    assert.equal(r.status, 403);
    assert.equal(
      (JSON.parse(r.body) as { message: string }).message,
      'pods "one" is forbidden: User "system:serviceaccount:streams:viewer" cannot create resource "pods/exec" in API group "" in the namespace "streams"',
    );
  });
});
