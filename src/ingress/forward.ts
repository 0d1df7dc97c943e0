// Forwarding one request to a pod: bodies streamed both ways, hop-by-hop headers dropped,
// X-Forwarded-For/-Host/-Port/-Proto and X-Real-IP set as ingress-nginx sets them, keep-alive
// connections to the pods (one agent), and Upgrade requests (WebSocket) spliced to the pod's
// socket once it answers 101.
import {
  Agent,
  request,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Endpoint } from './backends.js';
import { isHttp2, sendPage } from './pages.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface ForwardContext {
  scheme: 'http' | 'https';
  /** the port the client connected to */
  port: number;
}

/** What the annotations of the matched location change about the proxied request. */
export interface ForwardPlan {
  /** the path and query sent to the pod (rewrite-target applied) */
  url: string;
  /** upstream-vhost: the Host header the pod sees */
  host?: string;
  /** x-forwarded-prefix, sent when the path was rewritten */
  prefix?: string;
  /** backend-protocol HTTPS: TLS to the pod, its certificate not verified (nginx's default) */
  https: boolean;
  /** added to the pod's answer (CORS) */
  responseHeaders: OutgoingHttpHeaders;
  /** proxy-body-size in bytes, 0 = none; a chunked body that grows past it gets 413 */
  bodyLimit: number;
  /** basic auth checked here: the pod does not see the credentials (ingress-nginx's
   * `proxy_set_header Authorization ""`) */
  dropAuthorization?: boolean;
  /** auth-response-headers from the external auth answer: set, or removed when empty */
  setHeaders?: Record<string, string>;
}

export const upstreamAgent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });
const upstreamTlsAgent = new HttpsAgent({
  keepAlive: true,
  maxSockets: 256,
  maxFreeSockets: 64,
  rejectUnauthorized: false,
});

function forwardedHeaders(
  req: IncomingMessage,
  ctx: ForwardContext,
  plan?: ForwardPlan,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const named = new Set(
    String(req.headers.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase()),
  );
  for (const [k, v] of Object.entries(req.headers)) {
    // HTTP/2 pseudo-headers (:method, :path, :authority, :scheme) are not HTTP/1.1 headers
    if (v === undefined || HOP_BY_HOP.has(k) || named.has(k) || k.startsWith(':')) continue;
    out[k] = v;
  }
  const client = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
  // ingress-nginx (use-forwarded-headers and compute-full-forwarded-for off) replaces what the
  // client claimed with the address it connected from
  out['x-forwarded-for'] = client;
  out['x-real-ip'] = client;
  out['x-forwarded-host'] = req.headers.host ?? '';
  out['x-forwarded-port'] = String(ctx.port);
  out['x-forwarded-proto'] = ctx.scheme;
  out['x-forwarded-scheme'] = ctx.scheme;
  if (plan?.host) out.host = plan.host;
  if (plan?.prefix) out['x-forwarded-prefix'] = plan.prefix;
  if (plan?.dropAuthorization) delete out.authorization;
  for (const [k, v] of Object.entries(plan?.setHeaders ?? {})) {
    if (v) out[k] = v;
    else delete out[k];
  }
  return out;
}

/** A request without a body, safe to send again: nginx's proxy_next_upstream retries only these. */
function retriable(req: IncomingMessage): boolean {
  const m = req.method ?? 'GET';
  return (
    (m === 'GET' || m === 'HEAD' || m === 'OPTIONS') &&
    req.headers['content-length'] === undefined &&
    req.headers['transfer-encoding'] === undefined
  );
}

/**
 * Sends the request to `next()`'s endpoint. When that pod refuses or drops the connection
 * before answering, a bodiless GET/HEAD/OPTIONS goes to the next endpoint (at most `tries`
 * in all, as nginx's proxy_next_upstream error); anything else answers 502.
 */
export function forward(
  req: IncomingMessage,
  res: ServerResponse,
  next: () => Endpoint,
  ctx: ForwardContext,
  plan: ForwardPlan,
  tries = 1,
): void {
  const to = next();
  const options = {
    host: to.host,
    port: to.port,
    method: req.method,
    path: plan.url,
    headers: forwardedHeaders(req, ctx, plan),
  };
  const up = plan.https
    ? httpsRequest({ ...options, agent: upstreamTlsAgent })
    : request({ ...options, agent: upstreamAgent });
  let tooLarge = false;
  up.on('response', (answer) => {
    const headers: OutgoingHttpHeaders = { ...plan.responseHeaders };
    for (const [k, v] of Object.entries(answer.headers))
      if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    if (isHttp2(res)) res.writeHead(answer.statusCode ?? 502, headers);
    else res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
    answer.pipe(res);
    // the client went away mid-answer: stop reading from the pod (a finished answer keeps its
    // keep-alive socket)
    res.on('close', () => {
      if (!answer.complete) answer.destroy();
    });
  });
  const again = retriable(req);
  up.on('error', () => {
    if (tooLarge) return;
    if (again && tries > 1 && !res.headersSent && !res.destroyed)
      return forward(req, res, next, ctx, plan, tries - 1);
    sendPage(res, 502, {}, req.method);
  });
  if (again) {
    // nothing to stream: the request can be sent again as is
    req.resume();
    up.end();
  } else {
    // a body without Content-Length (chunked) is checked as it arrives, as nginx does
    let seen = 0;
    if (plan.bodyLimit)
      req.on('data', (d: Buffer) => {
        seen += d.length;
        if (seen <= plan.bodyLimit || tooLarge) return;
        tooLarge = true;
        req.unpipe(up);
        up.destroy();
        sendPage(res, 413, { connection: 'close' }, req.method);
      });
    req.pipe(up);
  }
  // the client went away before the answer ended: stop talking to the pod
  res.on('close', () => {
    if (!res.writableEnded) up.destroy();
  });
}

/** An Upgrade request: the head goes to the pod as is, then bytes flow both ways unchanged. */
export function forwardUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  to: Endpoint,
  ctx: ForwardContext,
  plan: ForwardPlan,
): void {
  const headers = forwardedHeaders(req, ctx, plan);
  const onConnect = () => {
    const lines = [`${req.method} ${plan.url} HTTP/1.1`];
    for (const [k, v] of Object.entries(headers))
      for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${String(one)}`);
    lines.push('connection: Upgrade', `upgrade: ${String(req.headers.upgrade ?? '')}`);
    pod.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length) pod.write(head);
    pod.pipe(client);
    client.pipe(pod);
  };
  const pod: Socket = plan.https
    ? tlsConnect({ port: to.port, host: to.host, rejectUnauthorized: false }, onConnect)
    : connect(to.port, to.host, onConnect);
  const close = () => {
    pod.destroy();
    client.destroy();
  };
  pod.on('error', () => {
    if (!pod.bytesRead)
      client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    close();
  });
  client.on('error', close);
  pod.on('close', close);
  client.on('close', close);
}
