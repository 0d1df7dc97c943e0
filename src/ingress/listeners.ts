// The HTTP and HTTPS listeners. They are opened once and never closed on a change: every
// request reads the state current at that moment (route table, resolved backends, TLS
// contexts), which the controller swaps as a whole, so a reload drops no connection.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { KeyAndCert } from '../pki/certs.js';
import { backendKey, pick, type ResolvedBackend } from './backends.js';
import type { CertificateStore } from './certificates.js';
import { forward, forwardUpgrade, plainReply, type ForwardContext } from './forward.js';
import { requestPath, RouteTable, type Route } from './routes.js';

export interface ServingState {
  table: RouteTable;
  backends: Map<string, ResolvedBackend>;
}

export const NOT_FOUND_TEXT = '404 page not found\n';

type Decision =
  | { kind: 'redirect'; location: string }
  | { kind: 'reply'; status: number; text: string }
  | { kind: 'forward'; backend: ResolvedBackend };

export class Listeners {
  state: ServingState = { table: new RouteTable(), backends: new Map() };
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Duplex>();

  constructor(
    private readonly o: {
      bindAddress: string;
      httpPort: number;
      httpsPort: number;
      certs: CertificateStore;
    },
  ) {}

  async listen(): Promise<{ http: number; https: number }> {
    const http = createHttpServer((req, res) =>
      this.handle(req, res, { scheme: 'http', port: this.o.httpPort }),
    );
    const https = createHttpsServer(
      {
        SNICallback: (name, cb) => cb(null, this.contextFor(name)),
        // the default certificate, for clients that send no SNI
        ...defaultPair(this.o.certs.defaultContext),
      },
      (req, res) => this.handle(req, res, { scheme: 'https', port: this.o.httpsPort }),
    );
    http.on('upgrade', (req: IncomingMessage, sock: Duplex, head: Buffer) =>
      this.upgrade(req, sock, head, { scheme: 'http', port: this.o.httpPort }),
    );
    https.on('upgrade', (req: IncomingMessage, sock: Duplex, head: Buffer) =>
      this.upgrade(req, sock, head, { scheme: 'https', port: this.o.httpsPort }),
    );
    for (const s of [http, https]) {
      s.keepAliveTimeout = 75_000; // nginx's keepalive_timeout
      s.on('connection', (c: Duplex) => {
        this.sockets.add(c);
        c.on('close', () => this.sockets.delete(c));
      });
      this.servers.push(s);
    }
    const bound = async (s: Server, port: number) =>
      new Promise<number>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, this.o.bindAddress, () => {
          const a = s.address();
          resolve(typeof a === 'object' && a ? a.port : port);
        });
      });
    this.o.httpPort = await bound(http, this.o.httpPort);
    this.o.httpsPort = await bound(https, this.o.httpsPort);
    return { http: this.o.httpPort, https: this.o.httpsPort };
  }

  private contextFor(serverName: string): SecureContext {
    const tls = this.state.table.tlsFor(serverName);
    return tls?.secret ? this.o.certs.context(tls.secret) : this.o.certs.defaultContext;
  }

  decide(req: IncomingMessage, ctx: ForwardContext): Decision {
    const { table, backends } = this.state;
    const host = req.headers.host ?? '';
    if (ctx.scheme === 'http' && table.tlsFor(host)) {
      // ingress-nginx's ssl-redirect: on by default for hosts of a tls section, code 308
      const bare = host.replace(/:\d+$/, '');
      const port = this.o.httpsPort === 443 ? '' : `:${this.o.httpsPort}`;
      return { kind: 'redirect', location: `https://${bare}${port}${req.url ?? '/'}` };
    }
    const route: Route | undefined = table.match(host, requestPath(req.url ?? '/'));
    if (!route) return { kind: 'reply', status: 404, text: NOT_FOUND_TEXT };
    const backend = backends.get(backendKey(route.backend));
    if (!backend || !backend.endpoints.length)
      return {
        kind: 'reply',
        status: 503,
        text: `503 Service Unavailable: ${backend?.problem ?? 'no backend'}\n`,
      };
    return { kind: 'forward', backend };
  }

  private handle(req: IncomingMessage, res: ServerResponse, ctx: ForwardContext): void {
    const d = this.decide(req, ctx);
    if (d.kind === 'redirect') return plainReply(res, 308, '', { location: d.location });
    if (d.kind === 'reply') return plainReply(res, d.status, d.text);
    const b = d.backend;
    forward(req, res, () => pick(b)!, ctx, Math.min(b.endpoints.length, 3));
  }

  private upgrade(req: IncomingMessage, sock: Duplex, head: Buffer, ctx: ForwardContext): void {
    sock.on('error', () => sock.destroy());
    const d = this.decide(req, ctx);
    if (d.kind === 'forward') return forwardUpgrade(req, sock, head, pick(d.backend)!, ctx);
    const status =
      d.kind === 'redirect'
        ? '308 Permanent Redirect'
        : d.status === 404
          ? '404 Not Found'
          : '503 Service Unavailable';
    const body = d.kind === 'redirect' ? '' : d.text;
    const location = d.kind === 'redirect' ? `location: ${d.location}\r\n` : '';
    sock.end(
      `HTTP/1.1 ${status}\r\n${location}content-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }

  async close(): Promise<void> {
    for (const s of this.servers) s.close();
    for (const c of this.sockets) c.destroy();
    await Promise.all(
      this.servers.map((s) => new Promise((r) => (s.listening ? s.once('close', r) : r(null)))),
    );
  }
}

/** https.createServer needs a certificate of its own; the default context's pair is kept aside. */
const PAIRS = new WeakMap<SecureContext, KeyAndCert>();

export function defaultContextOf(pair: KeyAndCert): SecureContext {
  const ctx = createSecureContext({ cert: pair.certPem, key: pair.keyPem });
  PAIRS.set(ctx, pair);
  return ctx;
}

function defaultPair(ctx: SecureContext): { cert?: string; key?: string } {
  const p = PAIRS.get(ctx);
  return p ? { cert: p.certPem, key: p.keyPem } : {};
}
