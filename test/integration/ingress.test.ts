// The built-in ingress controller against a real server: `k8ts ingress-controller` as a child
// process on free high ports, backends = HTTP servers on 127.0.0.1 behind selector-less
// Services with hand-made EndpointSlices. What a curl user sees: status codes, bodies, Host and
// path routing, TLS with SNI, the HTTP→HTTPS redirect, keep-alive across a reload, WebSocket
// pass-through, status.loadBalancer and `kubectl get ingress`, and the events.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request, type Server } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { connect as h2connect } from 'node:http2';
import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { cleanup, freePort, ROOT, startServer, type TestServer } from './harness.js';
import { createCA, issue } from '../../src/pki/certs.js';

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out: ${what} ${last ? String(last) : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** A backend that answers with what it received, and echoes bytes after an Upgrade. */
async function backend(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    let size = 0;
    req.on('data', (d: Buffer) => (size += d.length));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          name,
          url: req.url,
          host: req.headers.host,
          xff: req.headers['x-forwarded-for'],
          xfh: req.headers['x-forwarded-host'],
          xfp: req.headers['x-forwarded-proto'],
          prefix: req.headers['x-forwarded-prefix'],
          authorization: req.headers.authorization,
          user: req.headers['x-user'],
          size,
        }),
      );
    });
  });
  server.on('upgrade', (req, sock) => {
    sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    sock.pipe(sock);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  return { server, port: typeof a === 'object' && a ? a.port : 0 };
}

interface Answer {
  status: number;
  message?: string;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  reused?: boolean;
}

function get(
  port: number,
  host: string,
  path: string,
  o: { agent?: Agent; method?: string; body?: Buffer; headers?: Record<string, string> } = {},
) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: o.method ?? 'GET',
        headers: { host, ...o.headers },
        agent: o.agent,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            message: res.statusMessage,
            body,
            headers: res.headers,
            reused: req.reusedSocket,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

function getTls(port: number, servername: string, path: string) {
  return new Promise<Answer & { cn: string; san: string }>((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        servername,
        headers: { host: servername },
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        const cert = (res.socket as TLSSocket).getPeerCertificate();
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body,
            headers: res.headers,
            cn: String(cert.subject?.CN ?? ''),
            san: cert.subjectaltname ?? '',
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('ingress controller', () => {
  let s: TestServer;
  let ctl: ChildProcess;
  let ctlLog = '';
  let httpPort = 0;
  let httpsPort = 0;
  const backends: { server: Server; port: number }[] = [];
  const apply = async (obj: unknown) => {
    const r = await s.kubectl(['apply', '-f', '-'], JSON.stringify(obj));
    assert.equal(r.code, 0, r.stderr);
  };
  /** An Ingress for host `<name>.test` → service echo:80, with ingress-nginx annotations. */
  const annotatedIngress = (name: string, annotations: Record<string, string>) =>
    apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name,
        namespace: 'web',
        annotations: Object.fromEntries(
          Object.entries(annotations).map(([k, v]) => [`nginx.ingress.kubernetes.io/${k}`, v]),
        ),
      },
      spec: {
        rules: [
          {
            host: `${name}.test`,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'echo', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    });

  before(async () => {
    s = await startServer(['--disable-controller-manager', '--disable-scheduler']);
    for (const n of ['a', 'b', 'c']) backends.push(await backend(n));
    // the node the controller runs on, with the InternalIP its status publishes
    await apply({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'edge-1' } });
    const patched = await s.api(
      'PATCH',
      '/api/v1/nodes/edge-1/status',
      JSON.stringify({
        status: {
          addresses: [
            { type: 'InternalIP', address: '127.0.0.1' },
            { type: 'Hostname', address: 'edge-1' },
          ],
        },
      }),
      { 'Content-Type': 'application/merge-patch+json' },
    );
    assert.equal(patched.status, 200, patched.body);
    await s.kubectl(['create', 'namespace', 'web']);
    const service = (name: string) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: 'web' },
      spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    });
    const slice = (name: string, service: string, port: number) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name, namespace: 'web', labels: { 'kubernetes.io/service-name': service } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port, protocol: 'TCP' }],
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    });
    await apply(service('echo'));
    await apply(service('other'));
    await apply(slice('echo-a', 'echo', backends[0].port));
    await apply(slice('echo-b', 'echo', backends[1].port));
    await apply(slice('other-c', 'other', backends[2].port));
    // a kubernetes.io/tls Secret for secure.test, from a CA of the test's own
    const ca = await createCA('test-ca');
    const pair = await issue(ca, {
      commonName: 'secure.test',
      dnsNames: ['secure.test'],
      usage: 'server',
      validDays: 1,
    });
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-ingress-'));
    writeFileSync(join(dir, 'tls.crt'), pair.certPem);
    writeFileSync(join(dir, 'tls.key'), pair.keyPem);
    const secret = await s.kubectl([
      '-n',
      'web',
      'create',
      'secret',
      'tls',
      'secure-tls',
      '--cert',
      join(dir, 'tls.crt'),
      '--key',
      join(dir, 'tls.key'),
    ]);
    assert.equal(secret.code, 0, secret.stderr);
    await until(
      'the packaged IngressClass',
      async () => (await s.kubectl(['get', 'ingressclass', 'k8ts'])).code === 0,
    );

    httpPort = await freePort();
    httpsPort = await freePort();
    ctl = spawn(
      join(ROOT, 'bin', 'k8ts'),
      [
        'ingress-controller',
        '--kubeconfig',
        s.kubeconfig,
        '--http-port',
        String(httpPort),
        '--https-port',
        String(httpsPort),
        '--bind-address',
        '127.0.0.1',
        '--node-name',
        'edge-1',
        '--tcp-services-configmap',
        'ingress-nginx/tcp-services',
        '--udp-services-configmap',
        'ingress-nginx/udp-services',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    ctl.stdout!.on('data', (d: Buffer) => (ctlLog += d.toString()));
    ctl.stderr!.on('data', (d: Buffer) => (ctlLog += d.toString()));

    const path = (
      p: string,
      pathType: string,
      service: string,
      port: Record<string, unknown> = { number: 80 },
    ) => ({
      path: p,
      pathType,
      backend: { service: { name: service, port } },
    });
    await apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      // the streaming test posts 3 MiB: over ingress-nginx's default 1m body limit
      metadata: {
        name: 'site',
        namespace: 'web',
        annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' },
      },
      spec: {
        tls: [{ hosts: ['secure.test'], secretName: 'secure-tls' }],
        rules: [
          {
            host: 'echo.test',
            http: {
              paths: [
                path('/', 'Prefix', 'echo'),
                path('/other', 'Prefix', 'other', { name: 'http' }),
                path('/exact', 'Exact', 'other'),
              ],
            },
          },
          { host: '*.wild.test', http: { paths: [path('/', 'ImplementationSpecific', 'other')] } },
          { host: 'secure.test', http: { paths: [path('/', 'Prefix', 'other')] } },
        ],
      },
    });
    await apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'broken', namespace: 'web' },
      spec: {
        tls: [{ hosts: ['broken-tls.test'], secretName: 'no-such-secret' }],
        rules: [
          { host: 'broken.test', http: { paths: [path('/', 'Prefix', 'missing')] } },
          { host: 'broken-tls.test', http: { paths: [path('/', 'Prefix', 'other')] } },
        ],
      },
    });
    await apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'elsewhere', namespace: 'web' },
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'nginx.test', http: { paths: [path('/', 'Prefix', 'echo')] } }],
      },
    });
    await until(
      'the controller serves echo.test',
      async () => (await get(httpPort, 'echo.test', '/')).status === 200,
    );
  });

  after(async () => {
    if (ctl && ctl.exitCode === null) {
      const exited = new Promise((r) => ctl.once('exit', r));
      ctl.kill('SIGTERM');
      await exited;
    }
    for (const b of backends) b.server.close();
    await s.stop();
    cleanup(s);
  });

  it('defaults the class to k8ts and routes by host and path, round-robin over the endpoints', async () => {
    const cls = await s.kubectl([
      '-n',
      'web',
      'get',
      'ingress',
      'site',
      '-o',
      'jsonpath={.spec.ingressClassName}',
    ]);
    assert.equal(cls.stdout, 'k8ts');
    const names = new Set<string>();
    for (let i = 0; i < 4; i++) names.add(JSON.parse((await get(httpPort, 'echo.test', '/x')).body).name);
    assert.deepEqual([...names].sort(), ['a', 'b']);
    const other = JSON.parse((await get(httpPort, 'echo.test', '/other/deeper?q=1')).body);
    assert.equal(other.name, 'c');
    assert.equal(other.url, '/other/deeper?q=1');
    assert.notEqual(JSON.parse((await get(httpPort, 'echo.test', '/otherwise')).body).name, 'c');
    assert.equal(JSON.parse((await get(httpPort, 'echo.test', '/exact')).body).name, 'c');
    assert.notEqual(JSON.parse((await get(httpPort, 'echo.test', '/exact/sub')).body).name, 'c');
    assert.equal(JSON.parse((await get(httpPort, 'x.wild.test', '/')).body).name, 'c');
  });

  it('forwards X-Forwarded-* and the Host header, and streams request bodies', async () => {
    const a = JSON.parse((await get(httpPort, 'echo.test:8080', '/h')).body);
    assert.equal(a.host, 'echo.test:8080');
    assert.equal(a.xfh, 'echo.test:8080');
    assert.equal(a.xfp, 'http');
    assert.equal(a.xff, '127.0.0.1');
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    const posted = JSON.parse(
      (await get(httpPort, 'echo.test', '/upload', { method: 'POST', body: big })).body,
    );
    assert.equal(posted.size, big.length);
  });

  it('answers 404 for no rule, 503 for a missing Service, and ignores other classes', async () => {
    const none = await get(httpPort, 'unknown.test', '/');
    assert.equal(none.status, 404);
    // nginx's own page, as ingress-nginx's default server answers
    assert.equal(
      none.body,
      '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
    );
    assert.equal(none.headers['content-type'], 'text/html');
    const broken = await get(httpPort, 'broken.test', '/');
    assert.equal(broken.status, 503);
    assert.match(broken.body, /<title>503 Service Temporarily Unavailable<\/title>/);
    assert.equal((await get(httpPort, 'nginx.test', '/')).status, 404);
  });

  it('TLS: SNI picks the Secret certificate, the fake certificate otherwise; HTTP redirects with 308', async () => {
    const secure = await getTls(httpsPort, 'secure.test', '/tls');
    assert.equal(secure.status, 200);
    assert.equal(secure.cn, 'secure.test');
    assert.equal(JSON.parse(secure.body).xfp, 'https');
    const unknown = await getTls(httpsPort, 'unknown.test', '/');
    assert.equal(unknown.cn, 'Kubernetes Ingress Controller Fake Certificate');
    assert.equal(unknown.status, 404);
    // a tls host whose Secret is missing is still served, with the default certificate
    const missing = await getTls(httpsPort, 'broken-tls.test', '/');
    assert.equal(missing.cn, 'Kubernetes Ingress Controller Fake Certificate');
    assert.equal(missing.status, 200);
    const redirect = await get(httpPort, 'secure.test', '/a/b?c=d');
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.location, `https://secure.test:${httpsPort}/a/b?c=d`);
    assert.equal((await get(httpPort, 'echo.test', '/')).status, 200);
  });

  it('speaks HTTP/2 (ALPN h2) on the TLS port, HTTP/1.1 to the pods', async () => {
    const session = h2connect(`https://127.0.0.1:${httpsPort}`, {
      servername: 'secure.test',
      rejectUnauthorized: false,
    });
    try {
      const ask = (path: string, authority: string) =>
        new Promise<{ status: number; body: string; alpn: string }>((resolve, reject) => {
          const stream = session.request({ ':path': path, ':authority': authority });
          let status = 0;
          let body = '';
          stream.on('response', (h) => (status = Number(h[':status'])));
          stream.on('data', (d: Buffer) => (body += d.toString()));
          stream.on('end', () => resolve({ status, body, alpn: session.alpnProtocol ?? '' }));
          stream.on('error', reject);
          stream.end();
        });
      const a = await ask('/over-h2?x=1', 'secure.test');
      assert.equal(a.alpn, 'h2');
      assert.equal(a.status, 200);
      const seen = JSON.parse(a.body);
      assert.equal(seen.url, '/over-h2?x=1');
      assert.equal(seen.host, 'secure.test');
      assert.equal(seen.xfp, 'https');
      // several requests on one connection, and nginx's pages over HTTP/2 too
      const missing = await ask('/', 'unknown.test');
      assert.equal(missing.status, 404);
      assert.match(missing.body, /<title>404 Not Found<\/title>/);
    } finally {
      session.close();
    }
  });

  it('writes status.loadBalancer (the node InternalIP) and kubectl get ingress shows it', async () => {
    const out = await until('ADDRESS column', async () => {
      const r = await s.kubectl(['-n', 'web', 'get', 'ingress', 'site']);
      return /127\.0\.0\.1/.test(r.stdout) && r.stdout;
    });
    const [header, row] = out.trim().split('\n');
    assert.deepEqual(header.split(/\s+/), ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
    assert.deepEqual(row.split(/\s+/).slice(0, 5), [
      'site',
      'k8ts',
      'echo.test,*.wild.test,secure.test',
      '127.0.0.1',
      '80,',
    ]);
    const other = await s.kubectl([
      '-n',
      'web',
      'get',
      'ingress',
      'elsewhere',
      '-o',
      'jsonpath={.status.loadBalancer}',
    ]);
    assert.equal(other.stdout, '{}');
  });

  it('records Sync events, and Warnings for the missing Service and Secret', async () => {
    const events = (name: string) =>
      s.kubectl([
        '-n',
        'web',
        'get',
        'events',
        '--field-selector',
        `involvedObject.name=${name}`,
        '-o',
        'jsonpath={range .items[*]}{.type} {.reason} {.message}{"\\n"}{end}',
      ]);
    await until('Sync on site', async () =>
      /Normal Sync Scheduled for sync/.test((await events('site')).stdout),
    );
    const broken = await until('warnings on broken', async () => {
      const out = (await events('broken')).stdout;
      return (
        /Warning Sync Service "web\/missing" does not exist/.test(out) && /no-such-secret/.test(out) && out
      );
    });
    assert.match(
      broken,
      /Warning Sync Error getting SSL certificate "web\/no-such-secret": local SSL certificate web\/no-such-secret was not found\. Using default certificate/,
    );
  });

  it('keeps connections across a reload, and passes WebSocket upgrades through', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    assert.equal((await get(httpPort, 'echo.test', '/before', { agent })).status, 200);
    await apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'later', namespace: 'web' },
      spec: {
        rules: [
          {
            host: 'later.test',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'other', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    });
    await until(
      'the new Ingress served',
      async () => (await get(httpPort, 'later.test', '/', { agent })).status === 200,
    );
    const again = await get(httpPort, 'echo.test', '/after', { agent });
    assert.equal(again.status, 200);
    assert.equal(again.reused, true);
    agent.destroy();

    const echoed = await new Promise<string>((resolve, reject) => {
      const sock = connect(httpPort, '127.0.0.1', () =>
        sock.write(
          'GET /ws HTTP/1.1\r\nHost: echo.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
        ),
      );
      let got = '';
      sock.on('data', (d: Buffer) => {
        got += d.toString();
        if (got.includes('\r\n\r\n') && !got.includes('ping')) sock.write('ping');
        if (got.endsWith('ping')) {
          sock.end();
          resolve(got);
        }
      });
      sock.on('error', reject);
    });
    assert.match(echoed, /^HTTP\/1\.1 101 Switching Protocols/);
    assert.match(echoed, /ping$/);
  });

  it('retries a bodiless GET on the next endpoint when a pod refuses; a POST gets 502', async () => {
    const dead = await freePort(); // nothing listens there
    await apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'flaky', namespace: 'web' },
      spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    });
    for (const [name, port] of [
      ['flaky-dead', dead],
      ['flaky-live', backends[0].port],
    ] as const)
      await apply({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name, namespace: 'web', labels: { 'kubernetes.io/service-name': 'flaky' } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port, protocol: 'TCP' }],
        endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
      });
    await apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'flaky', namespace: 'web' },
      spec: {
        rules: [
          {
            host: 'flaky.test',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'flaky', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    });
    await until('flaky.test served', async () => (await get(httpPort, 'flaky.test', '/')).status === 200);
    for (let i = 0; i < 6; i++) assert.equal((await get(httpPort, 'flaky.test', `/get-${i}`)).status, 200);
    const posts: number[] = [];
    for (let i = 0; i < 4; i++)
      posts.push(
        (await get(httpPort, 'flaky.test', '/post', { method: 'POST', body: Buffer.from('x') })).status,
      );
    assert.deepEqual([...posts].sort(), [200, 200, 502, 502]);
  });

  it('honours the ingress-nginx annotations (rewrites, redirects, limits, ranges, CORS, vhost, HTTPS backends)', async () => {
    // a TLS backend for backend-protocol HTTPS
    const ca = await createCA('backend-ca');
    const pair = await issue(ca, { commonName: 'pod', dnsNames: ['pod'], usage: 'server', validDays: 1 });
    const tlsBackend = createHttpsServer({ cert: pair.certPem, key: pair.keyPem }, (req, res) =>
      res.end(JSON.stringify({ name: 'tls', url: req.url })),
    );
    await new Promise<void>((r) => tlsBackend.listen(0, '127.0.0.1', () => r()));
    const tlsPort = (tlsBackend.address() as { port: number }).port;
    try {
      await apply({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'secure-be', namespace: 'web' },
        spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP' }] },
      });
      await apply({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: 'secure-be',
          namespace: 'web',
          labels: { 'kubernetes.io/service-name': 'secure-be' },
        },
        addressType: 'IPv4',
        ports: [{ name: 'https', port: tlsPort, protocol: 'TCP' }],
        endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
      });
      const annotated = (
        name: string,
        annotations: Record<string, string>,
        o: { path?: string; service?: string; port?: number; tls?: boolean; host?: string } = {},
      ) =>
        apply({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: {
            name,
            namespace: 'web',
            annotations: Object.fromEntries(
              Object.entries(annotations).map(([k, v]) => [`nginx.ingress.kubernetes.io/${k}`, v]),
            ),
          },
          spec: {
            ...(o.tls ? { tls: [{ hosts: [`${name}.test`] }] } : {}),
            rules: [
              {
                host: o.host ?? `${name}.test`,
                http: {
                  paths: [
                    {
                      path: o.path ?? '/',
                      pathType: 'ImplementationSpecific',
                      backend: { service: { name: o.service ?? 'echo', port: { number: o.port ?? 80 } } },
                    },
                  ],
                },
              },
            ],
          },
        });
      await annotated(
        'rewrite',
        { 'rewrite-target': '/$2', 'x-forwarded-prefix': '/something' },
        {
          path: '/something(/|$)(.*)',
        },
      );
      await annotated('approot', { 'app-root': '/app1' });
      await annotated('perm', {
        'permanent-redirect': 'https://example.com/new',
        'permanent-redirect-code': '308',
      });
      await annotated('temp', { 'temporal-redirect': 'https://example.com/t' });
      await annotated('force', { 'force-ssl-redirect': 'true' });
      await annotated('nossl', { 'ssl-redirect': 'false' }, { tls: true });
      await annotated('vhost', { 'upstream-vhost': 'internal.example' });
      await annotated('small', { 'proxy-body-size': '1k' });
      await annotated('allow', { 'whitelist-source-range': '10.0.0.0/8' });
      await annotated('allowed', { 'whitelist-source-range': '127.0.0.0/8, 10.0.0.0/8' });
      await annotated('deny', { 'denylist-source-range': '127.0.0.1' });
      await annotated('badrange', { 'whitelist-source-range': 'nonsense' });
      await annotated('cors', { 'enable-cors': 'true', 'cors-allow-origin': 'https://app.test' });
      await annotated('badann', { 'backend-protocol': 'bogus', 'ssl-redirect': 'maybe' });
      await annotated('canary', {});
      await annotated(
        'canary-preview',
        { canary: 'true', 'canary-by-header': 'X-Canary' },
        { service: 'other', host: 'canary.test' },
      );
      await annotated('httpsbe', { 'backend-protocol': 'HTTPS' }, { service: 'secure-be', port: 443 });
      await until(
        'the annotated Ingresses served',
        async () => (await get(httpPort, 'httpsbe.test', '/')).status === 200,
      );

      const rw = async (path: string) => JSON.parse((await get(httpPort, 'rewrite.test', path)).body);
      assert.equal((await rw('/something')).url, '/');
      assert.equal((await rw('/something/')).url, '/');
      const deep = await rw('/something/new?x=1');
      assert.equal(deep.url, '/new?x=1');
      assert.equal(deep.prefix, '/something');
      assert.equal((await get(httpPort, 'rewrite.test', '/elsewhere')).status, 404);

      const root = await get(httpPort, 'approot.test', '/');
      assert.equal(root.status, 302);
      assert.equal(root.headers.location, 'http://approot.test/app1');
      assert.equal(JSON.parse((await get(httpPort, 'approot.test', '/app1')).body).url, '/app1');

      const perm = await get(httpPort, 'perm.test', '/old');
      assert.equal(perm.status, 308);
      assert.equal(perm.headers.location, 'https://example.com/new');
      assert.equal(
        perm.body,
        '<html>\r\n<head><title>308 Permanent Redirect</title></head>\r\n<body>\r\n<center><h1>308 Permanent Redirect</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
      );
      const temp = await get(httpPort, 'temp.test', '/');
      assert.equal(temp.status, 302);
      assert.equal(temp.headers.location, 'https://example.com/t');
      assert.match(temp.body, /<title>302 Found<\/title>/);

      const force = await get(httpPort, 'force.test', '/x?y=1');
      assert.equal(force.status, 308);
      assert.equal(force.headers.location, `https://force.test:${httpsPort}/x?y=1`);
      assert.equal((await get(httpPort, 'nossl.test', '/')).status, 200);

      const vhost = JSON.parse((await get(httpPort, 'vhost.test', '/')).body);
      assert.equal(vhost.host, 'internal.example');
      assert.equal(vhost.xfh, 'vhost.test');

      const post = (host: string, size: number) =>
        get(httpPort, host, '/up', { method: 'POST', body: Buffer.alloc(size, 1) });
      assert.equal((await post('small.test', 500)).status, 200);
      const big = await post('small.test', 2048);
      assert.equal(big.status, 413);
      assert.match(big.body, /<title>413 Request Entity Too Large<\/title>/);
      // ingress-nginx's default proxy-body-size is 1m
      assert.equal((await post('vhost.test', 1024 * 1024 + 1)).status, 413);
      assert.equal((await post('vhost.test', 1024 * 1024)).status, 200);

      const forbidden = await get(httpPort, 'allow.test', '/');
      assert.equal(forbidden.status, 403);
      assert.match(forbidden.body, /<title>403 Forbidden<\/title>/);
      assert.equal((await get(httpPort, 'allowed.test', '/')).status, 200);
      assert.equal((await get(httpPort, 'deny.test', '/')).status, 403);
      assert.equal((await get(httpPort, 'badrange.test', '/')).status, 503);

      const preflight = await get(httpPort, 'cors.test', '/api', {
        method: 'OPTIONS',
        headers: { origin: 'https://app.test', 'access-control-request-method': 'PUT' },
      });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.test');
      assert.equal(
        preflight.headers['access-control-allow-methods'],
        'GET, PUT, POST, DELETE, PATCH, OPTIONS',
      );
      assert.equal(preflight.headers['access-control-allow-credentials'], 'true');
      assert.equal(preflight.headers['access-control-max-age'], '1728000');
      const simple = await get(httpPort, 'cors.test', '/api', { headers: { origin: 'https://app.test' } });
      assert.equal(simple.status, 200);
      assert.equal(simple.headers['access-control-allow-origin'], 'https://app.test');
      const foreign = await get(httpPort, 'cors.test', '/api', { headers: { origin: 'https://evil.test' } });
      assert.equal(foreign.headers['access-control-allow-origin'], undefined);

      // bad values are ignored (defaults apply) and reported as Warning events
      assert.equal((await get(httpPort, 'badann.test', '/')).status, 200);
      const warnings = await until('annotation warnings', async () => {
        const r = await s.kubectl([
          '-n',
          'web',
          'get',
          'events',
          '-o',
          'jsonpath={range .items[?(@.type=="Warning")]}{.involvedObject.name}: {.message}{"\\n"}{end}',
        ]);
        return /badann: .*backend-protocol ignored/.test(r.stdout) && /badrange: /.test(r.stdout) && r.stdout;
      });
      assert.match(
        warnings,
        /badann: annotation nginx\.ingress\.kubernetes\.io\/ssl-redirect ignored: not a boolean \(value "maybe"\)/,
      );
      assert.match(warnings, /badrange: .*does not contain a valid IP address or network: nonsense/);

      assert.equal(JSON.parse((await get(httpPort, 'httpsbe.test', '/tls-pod')).body).name, 'tls');

      // a canary Ingress for the same host and path: its backend for requests with the header
      const canary = async (headers: Record<string, string>) =>
        JSON.parse((await get(httpPort, 'canary.test', '/', { headers })).body).name;
      assert.equal(await canary({ 'x-canary': 'always' }), 'c');
      assert.notEqual(await canary({}), 'c');
      assert.notEqual(await canary({ 'x-canary': 'never' }), 'c');
    } finally {
      tlsBackend.close();
    }
  });

  it('exposes the TCP and UDP services of the ingress-nginx ConfigMaps on their ports', async () => {
    const udpBackend = createSocket('udp4');
    udpBackend.on('message', (m, from) =>
      udpBackend.send(Buffer.from(`echo:${m.toString()}`), from.port, from.address),
    );
    await new Promise<void>((r) => udpBackend.bind(0, '127.0.0.1', () => r()));
    const udpBackendPort = udpBackend.address().port;
    const udpClient = createSocket('udp4');
    try {
      await apply({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'udp-echo', namespace: 'web' },
        spec: { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
      });
      await apply({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: 'udp-echo',
          namespace: 'web',
          labels: { 'kubernetes.io/service-name': 'udp-echo' },
        },
        addressType: 'IPv4',
        ports: [{ name: 'dns', port: udpBackendPort, protocol: 'UDP' }],
        endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
      });
      const tcpPort = await freePort();
      const udpPort = await freePort();
      await s.kubectl(['create', 'namespace', 'ingress-nginx']);
      await apply({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'tcp-services', namespace: 'ingress-nginx' },
        // the controller's own HTTP port and a malformed entry are skipped
        data: { [String(tcpPort)]: 'web/echo:80', [String(httpPort)]: 'web/echo:80', '9': 'nonsense' },
      });
      await apply({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'udp-services', namespace: 'ingress-nginx' },
        data: { [String(udpPort)]: 'web/udp-echo:dns' },
      });
      const raw = await until('the TCP service answers', async () => {
        const got = await new Promise<string>((resolve, reject) => {
          const sock = connect(tcpPort, '127.0.0.1', () =>
            sock.write('GET /over-tcp HTTP/1.0\r\nHost: tcp.test\r\n\r\n'),
          );
          let out = '';
          sock.on('data', (d: Buffer) => (out += d.toString()));
          sock.on('close', () => resolve(out));
          sock.on('error', reject);
        });
        return got.includes('over-tcp') && got;
      });
      assert.match(raw, /^HTTP\/1\.1 200 OK/);
      // straight to the pod: the pod sees the client's Host and path unchanged
      const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
      assert.equal(body.url, '/over-tcp');
      assert.equal(body.xff, undefined);

      const reply = await until('the UDP service answers', async () => {
        const answer = new Promise<string>((resolve) => {
          udpClient.once('message', (m) => resolve(m.toString()));
          setTimeout(() => resolve(''), 500);
        });
        udpClient.send('hello', udpPort, '127.0.0.1');
        return (await answer) || undefined;
      });
      assert.equal(reply, 'echo:hello');
      // the HTTP listener still serves Ingresses
      assert.equal((await get(httpPort, 'echo.test', '/')).status, 200);
    } finally {
      udpClient.close();
      udpBackend.close();
    }
  });

  it('basic auth (auth-file and auth-map Secrets) and rate limits (503 past the burst)', async () => {
    const ing = annotatedIngress;
    // ingress-nginx's basic-auth example: htpasswd -c auth foo (password bar), then
    // kubectl create secret generic basic-auth --from-file=auth
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-ingress-auth-'));
    writeFileSync(join(dir, 'auth'), 'foo:$apr1$OFG3Xybp$ckL0FHDAkoXYIlH9.cysT0\n');
    const file = await s.kubectl([
      '-n',
      'web',
      'create',
      'secret',
      'generic',
      'basic-auth',
      '--from-file',
      join(dir, 'auth'),
    ]);
    assert.equal(file.code, 0, file.stderr);
    const map = await s.kubectl([
      '-n',
      'web',
      'create',
      'secret',
      'generic',
      'map-users',
      '--from-literal=bob={SHA}YWXIkDPDfrJ6I4yV+0kqTJdT5SE=',
    ]);
    assert.equal(map.code, 0, map.stderr);
    // created first, so that waiting for the others does not spend their budget
    await ing('limited', { 'limit-rpm': '6', 'limit-burst-multiplier': '1' });
    await ing('unlimited', {
      'limit-rps': '1',
      'limit-burst-multiplier': '0',
      'limit-whitelist': '127.0.0.1/32',
    });
    await ing('authmap', {
      'auth-type': 'basic',
      'auth-secret': 'web/map-users',
      'auth-secret-type': 'auth-map',
    });
    await ing('authmissing', { 'auth-type': 'basic', 'auth-secret': 'no-such-users' });
    await ing('authed', {
      'auth-type': 'basic',
      'auth-secret': 'basic-auth',
      'auth-realm': 'Authentication Required - foo',
    });
    const denied = await until('authed.test served', async () => {
      const a = await get(httpPort, 'authed.test', '/');
      return a.status === 401 && a;
    });
    assert.equal(denied.message, 'Unauthorized');
    assert.equal(denied.headers['www-authenticate'], 'Basic realm="Authentication Required - foo"');
    assert.equal(denied.headers['content-type'], 'text/html');
    assert.equal(
      denied.body,
      '<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
    );
    const basic = (cred: string) => ({
      headers: { authorization: `Basic ${Buffer.from(cred).toString('base64')}` },
    });
    assert.equal((await get(httpPort, 'authed.test', '/', basic('foo:baz'))).status, 401);
    assert.equal((await get(httpPort, 'authed.test', '/', basic('bob:s3cret!'))).status, 401);
    const ok = await get(httpPort, 'authed.test', '/x', basic('foo:bar'));
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(ok.body).authorization, undefined, 'the pod does not see the credentials');
    assert.equal((await get(httpPort, 'authmap.test', '/', basic('bob:s3cret!'))).status, 200);
    assert.equal((await get(httpPort, 'authmap.test', '/', basic('foo:bar'))).status, 401);
    // a Secret that does not exist denies the location, as ingress-nginx does
    const missing = await get(httpPort, 'authmissing.test', '/', basic('foo:bar'));
    assert.equal(missing.status, 503);
    assert.match(missing.body, /<h1>503 Service Temporarily Unavailable<\/h1>/);
    await until('the missing auth Secret reported', async () => {
      const r = await s.kubectl([
        '-n',
        'web',
        'get',
        'events',
        '-o',
        'jsonpath={range .items[?(@.type=="Warning")]}{.involvedObject.name}: {.message}{"\\n"}{end}',
      ]);
      return /authmissing: unexpected error reading secret web\/no-such-users/.test(r.stdout);
    });

    // limit-rpm 6 × multiplier 1: 1 + 6 requests at once, the next one 503 (one more every 10 s)
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await get(httpPort, 'limited.test', '/')).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 503]);
    const limited = await get(httpPort, 'limited.test', '/');
    assert.equal(limited.message, 'Service Temporarily Unavailable');
    // another Ingress has a zone of its own; whitelisted clients are never limited
    for (let i = 0; i < 5; i++) assert.equal((await get(httpPort, 'unlimited.test', '/')).status, 200);
  });

  it('external auth (auth-url): 2xx passes with auth-response-headers, 401/403 returned, signin redirect, 500', async () => {
    let seen: Record<string, string | string[] | undefined> = {};
    const authService = createServer((req, res) => {
      seen = { ...req.headers, method: req.method, url: req.url };
      const token = req.headers.authorization ?? '';
      if (token === 'Bearer good') res.writeHead(200, { 'x-user': 'alice' });
      else if (token === 'Bearer forbidden') res.writeHead(403);
      else if (token === 'Bearer boom') res.writeHead(502);
      else res.writeHead(401, { 'www-authenticate': 'Bearer realm="svc"' });
      res.end();
    });
    await new Promise<void>((r) => authService.listen(0, '127.0.0.1', () => r()));
    const authPort = (authService.address() as { port: number }).port;
    try {
      const ing = annotatedIngress;
      const url = `http://127.0.0.1:${authPort}/check?v=1`;
      await ing('extsignin', { 'auth-url': url, 'auth-signin': 'https://login.test/start' });
      await ing('extauth', { 'auth-url': url, 'auth-response-headers': 'X-User' });
      const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });
      const ok = await until('extauth.test served', async () => {
        const a = await get(httpPort, 'extauth.test', '/app?q=1', bearer('good'));
        return a.status === 200 && a;
      });
      assert.equal(JSON.parse(ok.body).user, 'alice', 'auth-response-headers copied onto the request');
      assert.equal(seen.method, 'GET');
      assert.equal(seen.url, '/check?v=1');
      assert.equal(seen['x-original-url'], 'http://extauth.test/app?q=1');
      assert.equal(seen['x-original-method'], 'GET');
      assert.equal(seen['x-sent-from'], 'nginx-ingress-controller');
      assert.equal(seen['x-auth-request-redirect'], '/app?q=1');
      assert.equal(seen.host, `127.0.0.1:${authPort}`);

      const no = await get(httpPort, 'extauth.test', '/', bearer('bad'));
      assert.equal(no.status, 401);
      assert.equal(no.headers['www-authenticate'], 'Bearer realm="svc"');
      assert.match(no.body, /<title>401 Authorization Required<\/title>/);
      assert.equal((await get(httpPort, 'extauth.test', '/', bearer('forbidden'))).status, 403);
      const boom = await get(httpPort, 'extauth.test', '/', bearer('boom'));
      assert.equal(boom.status, 500);
      assert.match(boom.body, /<title>500 Internal Server Error<\/title>/);
      const signin = await get(httpPort, 'extsignin.test', '/deep/path?x=1');
      assert.equal(signin.status, 302);
      assert.equal(
        signin.headers.location,
        'https://login.test/start?rd=http://extsignin.test%2Fdeep%2Fpath%3Fx%3D1',
      );
    } finally {
      authService.close();
    }
  });

  it('answers 503 once a Service has no ready endpoint', async () => {
    await s.kubectl(['-n', 'web', 'delete', 'endpointslice', 'other-c']);
    const r = await until('503 for other', async () => {
      const a = await get(httpPort, 'later.test', '/');
      return a.status === 503 && a;
    });
    assert.match(r.body, /<h1>503 Service Temporarily Unavailable<\/h1>/);
    assert.equal(ctl.exitCode, null, ctlLog);
  });
});
