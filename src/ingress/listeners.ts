// The HTTP and HTTPS listeners. They are opened once and never closed on a change: every
// request reads the state current at that moment (route table, resolved backends, TLS
// contexts), which the controller swaps as a whole, so a reload drops no connection.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import {
  createSecureServer,
  type Http2SecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import type { Duplex } from 'node:stream';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { KeyAndCert } from '../pki/certs.js';
import { backendKey, pick, type ResolvedBackend } from './backends.js';
import type { CertificateStore } from './certificates.js';
import { logger } from '../util/log.js';
import { corsHeaders, corsOrigin, inCidr, toCanary } from './annotations.js';
import { AuthStore, challenge } from './auth.js';
import { checkExternal, type ExternalAuth } from './extauth.js';
import { basicCredentials } from './htpasswd.js';
import { Limiter } from './ratelimit.js';
import { forward, forwardUpgrade, type ForwardContext, type ForwardPlan } from './forward.js';
import { rawPage, sendPage } from './pages.js';
import { requestPath, rewrittenUrl, RouteTable, type Route } from './routes.js';

const log = logger('ingress');

export interface ServingState {
  table: RouteTable;
  backends: Map<string, ResolvedBackend>;
  /** the users of the auth-secret Secrets */
  auth: AuthStore;
}

/** What limit-rps/-rpm/-connections answer with: ingress-nginx's limit-req-status-code. */
export const LIMIT_STATUS = 503;

type Decision =
  | { kind: 'page'; status: number; headers?: OutgoingHttpHeaders }
  | { kind: 'preflight'; headers: OutgoingHttpHeaders }
  | {
      kind: 'forward';
      backend: ResolvedBackend;
      plan: ForwardPlan;
      /** ends this request's share of limit-connections: called when the answer is over */
      release: () => void;
    }
  | {
      kind: 'external';
      auth: ExternalAuth;
      release: () => void;
      /** what the request gets once the auth service said yes */
      then: () => Decision;
    };

export class Listeners {
  state: ServingState = { table: new RouteTable(), backends: new Map(), auth: new AuthStore() };
  /** limit-* state, kept across reloads as nginx keeps its zones */
  readonly limiter = new Limiter();
  private readonly servers: (Server | Http2SecureServer)[] = [];
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
    // HTTP/2 (ALPN h2) and HTTP/1.1 on the same TLS port, as nginx's `listen 443 ssl http2`
    const https = createSecureServer(
      {
        allowHTTP1: true,
        SNICallback: (name, cb) => cb(null, this.contextFor(name)),
        // the default certificate, for clients that send no SNI
        ...defaultPair(this.o.certs.defaultContext),
      },
      (req, res) => this.handle(...compat(req, res), { scheme: 'https', port: this.o.httpsPort }),
    );
    http.on('upgrade', (req: IncomingMessage, sock: Duplex, head: Buffer) =>
      this.upgrade(req, sock, head, { scheme: 'http', port: this.o.httpPort }),
    );
    https.on('upgrade', (req: IncomingMessage, sock: Duplex, head: Buffer) =>
      this.upgrade(req, sock, head, { scheme: 'https', port: this.o.httpsPort }),
    );
    http.keepAliveTimeout = 75_000; // nginx's keepalive_timeout
    for (const s of [http, https]) {
      s.on('connection', (c: Duplex) => {
        this.sockets.add(c);
        c.on('close', () => this.sockets.delete(c));
      });
      this.servers.push(s);
    }
    const bound = async (s: Server | Http2SecureServer, port: number) =>
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

  private httpsLocation(host: string, url: string): string {
    const bare = host.replace(/:\d+$/, '');
    const port = this.o.httpsPort === 443 ? '' : `:${this.o.httpsPort}`;
    return `https://${bare}${port}${url}`;
  }

  /**
   * What a request gets, in the order of nginx's phases: the server's app-root redirect; the
   * location (413 when Content-Length exceeds proxy-body-size); the location's rewrite phase
   * (a denied location's 503, the CORS preflight, permanent/temporal redirects, then the
   * ssl-redirect); the preaccess phase (limit-rps/-rpm, then limit-connections: 503); the
   * access phase (allow/deny source ranges, 403, then basic auth, 401, then auth-url); the
   * proxying.
   */
  decide(req: IncomingMessage, ctx: ForwardContext): Decision {
    const { table, auth } = this.state;
    const host = req.headers.host ?? '';
    const url = req.url ?? '/';
    const path = requestPath(url);
    const server = table.server(host);
    if (server.appRoot && path === '/')
      return { kind: 'page', status: 302, headers: { location: `${ctx.scheme}://${host}${server.appRoot}` } };
    const matched: Route | undefined = server.match(path) ?? table.defaultBackend;
    // the canary's own annotations (rewrites, limits, …) are not used, as in ingress-nginx:
    // only its backend replaces the main one
    const route =
      matched?.canary?.config.canary && toCanary(matched.canary.config.canary, req.headers)
        ? { ...matched, backend: matched.canary.backend }
        : matched;
    const tls = !!table.tlsFor(host);
    if (!route) {
      if (ctx.scheme === 'http' && tls)
        return { kind: 'page', status: 308, headers: { location: this.httpsLocation(host, url) } };
      return { kind: 'page', status: 404 };
    }
    const c = route.config;
    const length = Number(req.headers['content-length'] ?? 0);
    if (c.bodyLimit && length > c.bodyLimit) return { kind: 'page', status: 413 };
    if (c.denied) return { kind: 'page', status: 503 };
    const allowOrigin = c.cors ? corsOrigin(c.cors, req.headers.origin) : undefined;
    const cors = c.cors && allowOrigin ? corsHeaders(c.cors, allowOrigin) : {};
    if (c.cors && allowOrigin && req.method === 'OPTIONS')
      return {
        kind: 'preflight',
        headers: { ...cors, 'content-type': 'text/plain charset=UTF-8', 'content-length': 0 },
      };
    if (c.redirect) return { kind: 'page', status: c.redirect.code, headers: { location: c.redirect.url } };
    if (ctx.scheme === 'http' && (c.forceSslRedirect || (c.sslRedirect && tls)))
      return { kind: 'page', status: 308, headers: { location: this.httpsLocation(host, url) } };
    const client = req.socket.remoteAddress ?? '';
    let release = () => {};
    if (c.limits) {
      const admitted = this.limiter.admit(c.limits, client);
      if (!admitted.ok) {
        log.debug('limiting requests', { ingress: route.ingress, client, limit: admitted.why });
        return { kind: 'page', status: LIMIT_STATUS };
      }
      release = admitted.release;
    }
    const refuse = (status: number, headers?: OutgoingHttpHeaders): Decision => {
      release();
      return { kind: 'page', status, headers };
    };
    if (c.deny.some((d) => inCidr(client, d))) return refuse(403);
    if (c.allow.length && !c.allow.some((a) => inCidr(client, a))) return refuse(403);
    if (c.auth) {
      const users = auth.file(c.auth);
      if (!users) return refuse(503, cors);
      const cred = basicCredentials(req.headers.authorization);
      if (!cred || !users.check(cred.user, cred.password))
        return refuse(401, { ...cors, ...challenge(c.auth) });
    }
    const proxy = (): Decision => this.proxy(route, url, release, cors);
    if (c.externalAuth) return { kind: 'external', auth: c.externalAuth, release, then: proxy };
    return proxy();
  }

  /** The content phase: the pod (or 503 when the backend has no endpoint). */
  private proxy(route: Route, url: string, release: () => void, cors: OutgoingHttpHeaders): Decision {
    const c = route.config;
    const backend = this.state.backends.get(backendKey(route.backend));
    if (!backend || !backend.endpoints.length) {
      log.debug('no endpoint', { ingress: route.ingress, reason: backend?.problem ?? 'no backend' });
      release();
      return { kind: 'page', status: 503, headers: cors };
    }
    const rewritten = rewrittenUrl(route, url);
    return {
      kind: 'forward',
      backend,
      release,
      plan: {
        url: rewritten,
        host: c.upstreamVhost || undefined,
        prefix: rewritten !== url && c.xForwardedPrefix ? c.xForwardedPrefix : undefined,
        https: c.backendProtocol === 'HTTPS',
        responseHeaders: cors,
        bodyLimit: c.bodyLimit,
        dropAuthorization: !!c.auth,
      },
    };
  }

  /** Asks the auth-url service, then goes on with what the request gets. */
  private async external(
    d: Extract<Decision, { kind: 'external' }>,
    req: IncomingMessage,
    ctx: ForwardContext,
  ): Promise<Exclude<Decision, { kind: 'external' }>> {
    const verdict = await checkExternal(d.auth, req, ctx);
    if (!verdict.ok) {
      d.release();
      return { kind: 'page', status: verdict.status, headers: verdict.headers };
    }
    const next = d.then();
    if (next.kind === 'forward') next.plan.setHeaders = verdict.headers;
    return next.kind === 'external' ? { kind: 'page', status: 500 } : next;
  }

  private handle(req: IncomingMessage, res: ServerResponse, ctx: ForwardContext): void {
    const first = this.decide(req, ctx);
    if (first.kind === 'external') {
      void this.external(first, req, ctx).then((d) => this.answer(d, req, res, ctx));
      return;
    }
    this.answer(first, req, res, ctx);
  }

  private answer(
    d: Exclude<Decision, { kind: 'external' }>,
    req: IncomingMessage,
    res: ServerResponse,
    ctx: ForwardContext,
  ): void {
    if (res.destroyed) {
      if (d.kind === 'forward') d.release();
      return;
    }
    if (d.kind === 'page') return sendPage(res, d.status, d.headers, req.method);
    if (d.kind === 'preflight') {
      res.writeHead(204, d.headers);
      return void res.end();
    }
    res.once('close', d.release);
    const b = d.backend;
    forward(req, res, () => pick(b)!, ctx, d.plan, Math.min(b.endpoints.length, 3));
  }

  private upgrade(req: IncomingMessage, sock: Duplex, head: Buffer, ctx: ForwardContext): void {
    sock.on('error', () => sock.destroy());
    const first = this.decide(req, ctx);
    if (first.kind === 'external') {
      void this.external(first, req, ctx).then((d) => this.answerUpgrade(d, req, sock, head, ctx));
      return;
    }
    this.answerUpgrade(first, req, sock, head, ctx);
  }

  private answerUpgrade(
    d: Exclude<Decision, { kind: 'external' }>,
    req: IncomingMessage,
    sock: Duplex,
    head: Buffer,
    ctx: ForwardContext,
  ): void {
    if (d.kind === 'forward') {
      sock.once('close', d.release);
      return forwardUpgrade(req, sock, head, pick(d.backend)!, ctx, d.plan);
    }
    sock.end(d.kind === 'page' ? rawPage(d.status, d.headers) : rawPage(204, d.headers));
  }

  async close(): Promise<void> {
    for (const s of this.servers) s.close();
    for (const c of this.sockets) c.destroy();
    await Promise.all(
      this.servers.map((s) => new Promise((r) => (s.listening ? s.once('close', r) : r(null)))),
    );
  }
}

/**
 * The HTTP/2 compatibility objects stand in for http's request and response (the same fields
 * and methods the handler uses); an HTTP/2 request has `:authority` in place of Host.
 */
function compat(
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
): [IncomingMessage, ServerResponse] {
  if (req.httpVersionMajor === 2 && req.headers.host === undefined) {
    const authority = req.headers[':authority'];
    if (typeof authority === 'string') req.headers.host = authority;
  }
  return [req as unknown as IncomingMessage, res as unknown as ServerResponse];
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
