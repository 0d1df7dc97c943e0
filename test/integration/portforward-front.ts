// A stand-in for the API server's pods/portforward subresource while the kubelet server and
// the API server's streaming proxy live on another branch: a plain-HTTP front on loopback that
// sends /api/v1/namespaces/{ns}/pods/{name}/portforward upgrades to a handler of the test's
// choosing and proxies every other request (discovery, get pod/service/deployment, list pods)
// to a real `k8ts server` with the admin certificate. The real kubectl is pointed at it.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { request } from 'node:https';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { TestServer } from './harness.js';

export interface Front {
  port: number;
  kubeconfig: string;
  /** Upgrade requests that reached the port-forward route, with their method and headers. */
  upgrades: { method: string; url: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

export type PortForwardRoute = (
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  ns: string,
  pod: string,
) => void | Promise<void>;

export async function startFront(s: TestServer, route: PortForwardRoute): Promise<Front> {
  const cfg = readFileSync(s.kubeconfig, 'utf8');
  const field = (name: string) =>
    Buffer.from(new RegExp(`${name}: (\\S+)`).exec(cfg)![1], 'base64').toString();
  const tls = {
    ca: field('certificate-authority-data'),
    cert: field('client-certificate-data'),
    key: field('client-key-data'),
  };
  const upgrades: Front['upgrades'] = [];
  const server: Server = createServer((req, res) => {
    const up = request(
      { host: '127.0.0.1', port: s.port, method: req.method, path: req.url, headers: req.headers, ...tls },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/?]+)\/portforward(\?|$)/.exec(req.url ?? '');
    upgrades.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (!m) return void socket.destroy();
    void route(req, socket, head, m[1], m[2]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const kubeconfig = join(s.dir, 'front.kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{name: front, cluster: {server: "http://127.0.0.1:${port}"}}]
users: [{name: front, user: {}}]
contexts: [{name: front, context: {cluster: front, user: front, namespace: default}}]
current-context: front
`,
  );
  return {
    port,
    kubeconfig,
    upgrades,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
