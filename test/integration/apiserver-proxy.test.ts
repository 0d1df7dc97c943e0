// The services/proxy and pods/proxy subresources, as `kubectl get --raw` and `kubectl proxy`
// users reach an in-cluster HTTP server through the API server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { networkInterfaces } from 'node:os';
import { cleanup, startServer, type TestServer } from './harness.js';

const hostIP = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

describe('API server proxy subresources', { skip: !hostIP && 'needs a non-loopback IPv4 address' }, () => {
  let s: TestServer;
  let web: Server;
  let port: number;
  before(async () => {
    s = await startServer(['--disable-controller-manager']);
    web = createServer((req, res) => res.end(`Hello World v1 ${req.method} ${req.url}`));
    await new Promise<void>((r) => web.listen(0, hostIP, () => r()));
    port = (web.address() as { port: number }).port;
    await s.kubectl(['create', 'namespace', 'p']);
    await s.kubectl(['-n', 'p', 'create', 'service', 'clusterip', 'web', `--tcp=80:${port}`]);
    const slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-abcde', namespace: 'p', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ name: `80-${port}`, port, protocol: 'TCP' }],
      endpoints: [{ addresses: [hostIP], conditions: { ready: true } }],
    };
    assert.equal((await s.kubectl(['create', '-f', '-'], JSON.stringify(slice))).code, 0);
  });
  after(async () => {
    web?.close();
    await s?.stop();
    if (s) cleanup(s);
  });

  it('forwards to a ready endpoint of the named service port, path and query kept', async () => {
    const r = await s.kubectl([
      'get',
      '--raw',
      `/api/v1/namespaces/p/services/web:80-${port}/proxy/some/path?x=1`,
    ]);
    assert.equal(r.stdout, 'Hello World v1 GET /some/path?x=1');
    const byNumber = await s.kubectl(['get', '--raw', '/api/v1/namespaces/p/services/web:80/proxy/']);
    assert.equal(byNumber.stdout, 'Hello World v1 GET /');
  });

  it("answers upstream's errors for missing services, ports and endpoints", async () => {
    const missing = await s.kubectl(['get', '--raw', '/api/v1/namespaces/p/services/nope/proxy/']);
    assert.match(missing.stderr, /services "nope" not found/);
    const badPort = await s.api('GET', '/api/v1/namespaces/p/services/web:81/proxy/');
    assert.equal(badPort.status, 503);
    assert.equal(JSON.parse(badPort.body).message, 'no service port 81 found for service "web"');
    await s.kubectl(['-n', 'p', 'create', 'service', 'clusterip', 'empty', '--tcp=80:80']);
    const empty = await s.api('GET', '/api/v1/namespaces/p/services/empty/proxy/');
    assert.equal(empty.status, 503);
    assert.equal(JSON.parse(empty.body).message, 'no endpoints available for service "empty"');
  });

  it('forwards to a pod by its IP and port', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'p' },
      spec: {
        nodeName: 'n1',
        containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: port }] }],
      },
    };
    assert.equal((await s.kubectl(['create', '-f', '-'], JSON.stringify(pod))).code, 0);
    const status = await s.api(
      'PATCH',
      '/api/v1/namespaces/p/pods/web/status',
      JSON.stringify({ status: { podIP: hostIP, podIPs: [{ ip: hostIP }] } }),
      { 'Content-Type': 'application/merge-patch+json' },
    );
    assert.equal(status.status, 200, status.body);
    const r = await s.kubectl(['get', '--raw', '/api/v1/namespaces/p/pods/web/proxy/hi']);
    assert.equal(r.stdout, 'Hello World v1 GET /hi');
  });
});
