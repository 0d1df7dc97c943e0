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
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Endpoint } from './backends.js';

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

export const upstreamAgent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });

function forwardedHeaders(req: IncomingMessage, ctx: ForwardContext): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const named = new Set(
    String(req.headers.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase()),
  );
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || HOP_BY_HOP.has(k) || named.has(k)) continue;
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
  return out;
}

export function plainReply(
  res: ServerResponse,
  status: number,
  text: string,
  headers: OutgoingHttpHeaders = {},
): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(text);
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
  tries = 1,
): void {
  const to = next();
  const up = request({
    host: to.host,
    port: to.port,
    method: req.method,
    path: req.url,
    headers: forwardedHeaders(req, ctx),
    agent: upstreamAgent,
  });
  up.on('response', (answer) => {
    const headers: OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(answer.headers))
      if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
    answer.pipe(res);
    // the client went away mid-answer: stop reading from the pod (a finished answer keeps its
    // keep-alive socket)
    res.on('close', () => {
      if (!answer.complete) answer.destroy();
    });
  });
  const again = retriable(req);
  up.on('error', () => {
    if (again && tries > 1 && !res.headersSent && !res.destroyed)
      return forward(req, res, next, ctx, tries - 1);
    plainReply(res, 502, '502 Bad Gateway\n');
  });
  if (again) {
    // nothing to stream: the request can be sent again as is
    req.resume();
    up.end();
  } else req.pipe(up);
  // the client went away before the answer ended: stop talking to the pod
  res.on('close', () => {
    if (!res.writableFinished) up.destroy();
  });
}

/** An Upgrade request: the head goes to the pod as is, then bytes flow both ways unchanged. */
export function forwardUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  to: Endpoint,
  ctx: ForwardContext,
): void {
  const headers = forwardedHeaders(req, ctx);
  const pod: Socket = connect(to.port, to.host, () => {
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (const [k, v] of Object.entries(headers))
      for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${String(one)}`);
    lines.push('connection: Upgrade', `upgrade: ${String(req.headers.upgrade ?? '')}`);
    pod.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length) pod.write(head);
    pod.pipe(client);
    client.pipe(pod);
  });
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
