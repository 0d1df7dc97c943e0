// The kubelet's /portForward/{namespace}/{pod}[/{uid}] endpoint: the server side of
// `kubectl port-forward`, protocol portforward.k8s.io (v1), as upstream's streaming server
// (k8s.io/kubelet/pkg/cri/streaming/portforward) serves it.
//
// Route it from the HTTP server's 'upgrade' event:
//
//   server.on('upgrade', async (req, socket, head) => {
//     // /portForward/{ns}/{pod}: authenticate, authorize (nodes/proxy), find the pod, then
//     const target = await runtime.portForward(pod.metadata.uid);   // HTTP error if it throws
//     handlePortForward(req, socket, head, target, { podName, uid });
//   });
//
// Two transports reach it:
// - SPDY/3.1: `Connection: Upgrade`, `Upgrade: SPDY/3.1`, `X-Stream-Protocol-Version:
//   portforward.k8s.io` (kubectl with KUBECTL_PORT_FORWARD_WEBSOCKETS=false, older kubectl,
//   client-go's spdy dialer, and what upstream's API server sends the kubelet);
// - WebSocket with subprotocol `SPDY/3.1+portforward.k8s.io`, the same SPDY bytes in binary
//   messages (kubectl 1.31's default; upstream's API server unwraps it before the kubelet, a
//   transparent proxy can pass it through and this handler unwraps it).
// Per forwarded connection the client opens two streams with headers streamType (error|data),
// port and requestID; once both are there the target dials the port and the data stream is
// relayed. Failures are written as text to the error stream, which closes when the
// connection ends (kubectl waits for that before closing its local connection).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { logger } from '../../util/log.js';
import { SpdySession, type SpdyStream } from '../../util/spdy/session.js';
import { acceptWebSocket, isWebSocketUpgrade, offeredSubprotocols } from '../../util/spdy/ws-tunnel.js';
import { PortForwardRelayedError, type PortForwardTarget } from '../runtime/types.js';

const log = logger('portforward');

export const PORT_FORWARD_PROTOCOL_V1 = 'portforward.k8s.io';
/** k8s.io/apimachinery/pkg/util/portforward: WebsocketsSPDYTunnelingPrefix, KubernetesSuffix. */
export const SPDY_TUNNELING_PREFIX = 'SPDY/3.1+';
const KUBERNETES_SUFFIX = '.k8s.io';
const SUPPORTED = [PORT_FORWARD_PROTOCOL_V1];
/** Upstream's DefaultStreamCreationTimeout and containerd's stream_idle_timeout default. */
const STREAM_CREATION_TIMEOUT_MS = 30_000;
const IDLE_TIMEOUT_MS = 4 * 60 * 60_000;

export interface PortForwardOptions {
  /** The pod as upstream's streaming server names it in error texts (containerd: the sandbox id). */
  podName: string;
  uid?: string;
  streamCreationTimeoutMs?: number;
  idleTimeoutMs?: number;
}

/** Writes a plain-text HTTP error as Go's http.Error does, then closes the socket. */
function httpError(socket: Duplex, status: number, reason: string, msg: string, extra = ''): void {
  const body = msg + '\n';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\n${extra}` +
      `X-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** httpstream.Handshake: the first client protocol the server supports, or an error response. */
function negotiate(socket: Duplex, clientProtocols: string[]): string | undefined {
  const chosen = clientProtocols.find((p) => SUPPORTED.includes(p));
  if (chosen) return chosen;
  const msg =
    `unable to upgrade: unable to negotiate protocol: client supports [${clientProtocols.join(' ')}], ` +
    `server accepts [${SUPPORTED.join(' ')}]`;
  const accepted = SUPPORTED.map((p) => `X-Accepted-Stream-Protocol-Versions: ${p}\r\n`).join('');
  httpError(socket, 403, 'Forbidden', msg, accepted);
  return undefined;
}

/**
 * Serves one port-forward session on an upgraded connection. Returns the SPDY session, or
 * undefined when the request was refused (an HTTP error was written and the socket closed).
 */
export function handlePortForward(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: PortForwardTarget,
  opts: PortForwardOptions,
): SpdySession | undefined {
  // a client gone mid-answer must not take the server down with an unhandled 'error'
  socket.on('error', () => undefined);
  let transport: Duplex;
  if (isWebSocketUpgrade(req)) {
    const tunneled = offeredSubprotocols(req)
      .filter((p) => p.startsWith(SPDY_TUNNELING_PREFIX) && p.endsWith(KUBERNETES_SUFFIX))
      .map((p) => p.slice(SPDY_TUNNELING_PREFIX.length));
    if (tunneled.length === 0) {
      target.close();
      httpError(socket, 400, 'Bad Request', 'unable to upgrade: no tunneling spdy protocols provided');
      return undefined;
    }
    const protocol = negotiate(socket, tunneled);
    if (!protocol) return void target.close();
    transport = acceptWebSocket(req, socket, head, SPDY_TUNNELING_PREFIX + protocol);
  } else {
    const raw = req.headers['x-stream-protocol-version'];
    const clientProtocols = (Array.isArray(raw) ? raw : [raw ?? ''])
      .flatMap((v) => v.split(','))
      .map((p) => p.trim())
      .filter(Boolean);
    if (clientProtocols.length === 0) {
      // upstream's Handshake fails without writing, and the handler returns: an empty 200
      log.warn('unable to upgrade: X-Stream-Protocol-Version is required');
      target.close();
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      return undefined;
    }
    const protocol = negotiate(socket, clientProtocols);
    if (!protocol) return void target.close();
    const connection = String(req.headers.connection ?? '').toLowerCase();
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    if (!connection.includes('upgrade') || !upgrade.includes('spdy/3.1')) {
      target.close();
      httpError(socket, 400, 'Bad Request', 'unable to upgrade: missing upgrade headers in request');
      return undefined;
    }
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n' +
        `X-Stream-Protocol-Version: ${protocol}\r\n\r\n`,
    );
    if (head.length) socket.unshift(head);
    transport = socket;
  }
  const session = new SpdySession(transport, {
    role: 'server',
    idleTimeoutMs: opts.idleTimeoutMs ?? IDLE_TIMEOUT_MS,
  });
  const forwarder = new StreamPairs(target, opts, String(req.socket?.remoteAddress ?? ''));
  session.on('stream', (s: SpdyStream) => forwarder.add(s));
  session.on('protocolError', (e: Error) => log.warn('port-forward session failed', { error: e.message }));
  session.on('close', () => forwarder.dispose());
  void target.closed?.then(() => session.destroy());
  return session;
}

interface Pair {
  requestId: string;
  data?: SpdyStream;
  error?: SpdyStream;
  timer?: NodeJS.Timeout;
}

/** httpStreamHandler: pairs the error and data streams of each request and forwards them. */
class StreamPairs {
  private readonly pairs = new Map<string, Pair>();
  private readonly active = new Set<() => void>();

  constructor(
    private readonly target: PortForwardTarget,
    private readonly opts: PortForwardOptions,
    private readonly conn: string,
  ) {}

  add(s: SpdyStream): void {
    const invalid = validate(s);
    if (invalid) {
      log.warn('stream rejected', { error: invalid });
      return s.reset();
    }
    s.accept();
    s.on('error', () => undefined);
    const type = s.header('streamType');
    let requestId = s.header('requestID') ?? '';
    // older clients send no requestID: their error and data streams have consecutive ids
    if (!requestId) requestId = String(type === 'error' ? s.id : s.id - 2);
    let p = this.pairs.get(requestId);
    if (!p) {
      const pair: Pair = { requestId };
      p = pair;
      pair.timer = setTimeout(() => {
        const msg = `(conn=${this.conn}, request=${requestId}) timed out waiting for streams`;
        log.warn(msg);
        pair.error?.end(msg);
        this.pairs.delete(requestId);
      }, this.opts.streamCreationTimeoutMs ?? STREAM_CREATION_TIMEOUT_MS);
      this.pairs.set(requestId, pair);
    }
    const slot = type === 'error' ? 'error' : 'data';
    if (p[slot]) {
      const msg = `error processing stream for request ${requestId}: ${slot} stream already assigned`;
      log.warn(msg);
      p.error?.write(msg);
      return;
    }
    p[slot] = s;
    if (p.data && p.error) {
      clearTimeout(p.timer);
      this.pairs.delete(requestId);
      void this.forward(p.data, p.error);
    }
  }

  private async forward(data: SpdyStream, error: SpdyStream): Promise<void> {
    const port = Number(data.header('port'));
    let conn: Duplex | undefined;
    let finished = false;
    const finish = (err?: Error) => {
      if (finished) return;
      finished = true;
      this.active.delete(finish);
      if (err) {
        const msg =
          err instanceof PortForwardRelayedError
            ? err.message
            : `error forwarding port ${port} to pod ${this.opts.podName}, uid ${this.opts.uid ?? ''}: ${err.message}`;
        log.warn(msg);
        if (!error.destroyed) error.write(msg);
      }
      if (!error.destroyed) error.end();
      if (!data.destroyed && !data.writableEnded) data.end();
      conn?.destroy();
    };
    this.active.add(finish);
    data.on('close', () => finish());
    try {
      conn = await this.target.dial(port);
    } catch (e) {
      return finish(e as Error);
    }
    if (finished) return void conn.destroy();
    const c = conn;
    // Half-close passes through and the connection is done once both directions ended. The
    // runtime may cut it sooner: containerd gives the other direction 1 s after the first ends.
    let ends = 0;
    const oneEnded = () => {
      if (++ends === 2) finish();
    };
    c.on('error', (e: Error) => finish(e));
    c.on('close', () => finish());
    c.on('end', () => {
      if (!data.destroyed) data.end();
      oneEnded();
    });
    data.on('end', () => {
      c.end();
      oneEnded();
    });
    data.pipe(c, { end: false });
    c.pipe(data, { end: false });
  }

  dispose(): void {
    for (const p of this.pairs.values()) clearTimeout(p.timer);
    this.pairs.clear();
    for (const finish of [...this.active]) finish();
    this.target.close();
  }
}

/** httpStreamReceived: the checks a stream's headers must pass to be accepted. */
function validate(s: SpdyStream): string | undefined {
  const port = s.header('port');
  if (!port) return '"port" header is required';
  if (!/^\d+$/.test(port) || Number(port) > 65535) return `unable to parse "${port}" as a port`;
  if (Number(port) < 1) return `port "${port}" must be > 0`;
  const type = s.header('streamType');
  if (!type) return '"streamType" header is required';
  if (type !== 'error' && type !== 'data') return `invalid stream type "${type}"`;
  return undefined;
}
