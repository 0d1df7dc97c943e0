// exec and attach sessions: kubectl's WebSocket (remotecommand v5.channel.k8s.io, or v4),
// reached through the API server's transparent upgrade proxy, bridged to the CRI runtime's
// streaming server over SPDY/3.1 with protocol v4.channel.k8s.io, as client-go's SPDY executor
// talks to it. kubectl's framing is one channel byte then data: 0 stdin, 1 stdout, 2 stderr,
// 3 error (a metav1.Status; NonZeroExitCode with an ExitCode cause), 4 resize (JSON {Width,
// Height}), and in v5 255 "close stream <n>". On the runtime's side each channel is a SPDY
// stream named by its `streamtype` header. SPDY rather than the runtime's WebSocket endpoint
// because a SPDY stream half-closes: v5's close of stdin becomes a FIN on the stdin stream, so
// the process reads end-of-file while its output and exit status still arrive (the runtime's
// WebSocket v4 endpoint can only end the whole session, losing both).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { logger } from '../../util/log.js';
import type { SpdySession, SpdyStream } from '../../util/spdy/session.js';
import { dialSpdy } from '../runtime/cri-portforward.js';
import type { StreamRequest } from '../runtime/types.js';
import { acceptWebSocket, isWebSocketUpgrade } from './websocket.js';

const log = logger('kubelet-server');

/** What kubectl may negotiate with us, preferred first. */
export const REMOTECOMMAND_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const RUNTIME_PROTOCOL = 'v4.channel.k8s.io';
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE_CHANNEL = 255;

/** A plain HTTP/1.1 answer on a socket that asked for an upgrade (no upgrade happens). */
export function writeRawResponse(socket: Duplex, status: number, message: string): void {
  const body = Buffer.from(message);
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status];
  socket.end(
    `HTTP/1.1 ${status} ${reason ?? (status >= 500 ? 'Internal Server Error' : 'Error')}\r\n` +
      'Content-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n' +
      `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.toString()}`,
  );
}

/** One remotecommand session on the runtime's streaming server: a SPDY stream per channel. */
interface RuntimeSession {
  session: SpdySession;
  error: SpdyStream;
  stdin?: SpdyStream;
  resize?: SpdyStream;
  /** stdout and stderr with their kubectl channel */
  outputs: [number, SpdyStream][];
}

/**
 * Opens the streams client-go's v4 SPDY executor opens, in its order: error, stdin, stdout,
 * stderr (not with a TTY, which merges it into stdout), resize (TTY only). The server waits for
 * exactly the streams the CRI Exec/Attach request asked for before it starts the process.
 */
export async function openRuntimeSession(url: string, opts: StreamRequest): Promise<RuntimeSession> {
  const session = await dialSpdy(url, RUNTIME_PROTOCOL);
  const open = async (type: string) => {
    const s = await session.openStream({ streamtype: [type] });
    // a write racing the runtime's reset of the stream is not an error of the session
    s.on('error', (err) => log.debug('runtime stream error', { type, err: err.message }));
    return s;
  };
  try {
    const error = await open('error');
    const stdin = opts.stdin ? await open('stdin') : undefined;
    const outputs: [number, SpdyStream][] = [];
    if (opts.stdout) outputs.push([STDOUT, await open('stdout')]);
    if (opts.stderr && !opts.tty) outputs.push([STDERR, await open('stderr')]);
    const resize = opts.tty ? await open('resize') : undefined;
    return { session, error, stdin, resize, outputs };
  } catch (err) {
    session.destroy();
    throw err;
  }
}

/** Bridges one upgraded kubectl connection to a new runtime session at `runtimeURL`. */
export async function bridgeRemoteCommand(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  opts: StreamRequest,
  runtimeURL: () => Promise<string>,
): Promise<void> {
  if (!isWebSocketUpgrade(req.headers)) {
    // kubectl falls back to SPDY only when the WebSocket upgrade failed
    writeRawResponse(
      socket,
      400,
      'k8ts kubelet streams over WebSocket (v5.channel.k8s.io, v4.channel.k8s.io) only, not SPDY',
    );
    return;
  }
  let runtime: RuntimeSession;
  try {
    runtime = await openRuntimeSession(await runtimeURL(), opts);
  } catch (err) {
    writeRawResponse(socket, 500, (err as Error).message);
    return;
  }
  const accepted = acceptWebSocket(req, socket, head, REMOTECOMMAND_PROTOCOLS);
  if (!accepted) {
    runtime.session.destroy();
    writeRawResponse(
      socket,
      400,
      `no supported subprotocol (want one of ${REMOTECOMMAND_PROTOCOLS.join(', ')})`,
    );
    return;
  }
  const client = accepted.ws;
  const frame = (channel: number, data: Buffer) => Buffer.concat([Buffer.of(channel), data]);

  client.on('message', (data, binary) => {
    if (!binary || data.length === 0) return;
    const payload = data.subarray(1);
    if (data[0] === STDIN && runtime.stdin && !runtime.stdin.writableEnded) {
      // hold kubectl back while the runtime has not taken what it sent (kubectl cp of a big file)
      if (!runtime.stdin.write(payload)) {
        client.socket.pause();
        runtime.stdin.once('drain', () => client.socket.resume());
      }
    } else if (data[0] === RESIZE && runtime.resize && !runtime.resize.writableEnded) {
      runtime.resize.write(payload);
    } else if (data[0] === CLOSE_CHANNEL && payload[0] === STDIN) {
      runtime.stdin?.end(); // FIN: the process reads end-of-file
    }
  });
  // Output is forwarded as it arrives (streams stay flowing: the runtime resets them right
  // after the exit status, and a paused stream's buffered data would go with the reset).
  for (const [channel, stream] of runtime.outputs)
    stream.on('data', (d: Buffer) => client.send(frame(channel, d)));
  const status: Buffer[] = [];
  runtime.error.on('data', (d: Buffer) => status.push(d));
  // The runtime writes the status (Success, or Failure with NonZeroExitCode) on the error
  // stream once the process and its output are done, then closes the connection.
  runtime.session.once('close', () => {
    const text = Buffer.concat(status);
    if (text.length) client.send(frame(ERROR, text));
    client.close();
  });
  client.on('close', (code) => {
    log.debug('remotecommand client closed', { code });
    runtime.session.destroy();
  });
}
