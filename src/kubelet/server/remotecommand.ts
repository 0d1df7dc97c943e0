// exec and attach sessions: kubectl's WebSocket (remotecommand v5.channel.k8s.io, or v4),
// reached through the API server's transparent upgrade proxy, bridged to the CRI runtime's
// streaming server, which speaks v4.channel.k8s.io. Both framings are one channel byte then
// data: 0 stdin, 1 stdout, 2 stderr, 3 error (a metav1.Status; NonZeroExitCode with an
// ExitCode cause), 4 resize (JSON {Width, Height}). v5 adds 255, "close stream <n>", which v4
// cannot carry: the runtime's WebSocket server ends the whole session when its connection is
// half-closed (stdin gets EOF, but the output after it and the exit status are lost). So a
// close of stdin waits STDIN_CLOSE_GRACE_MS for the process to end by itself (tar in
// `kubectl cp` stops at the end of its archive), and only then half-closes. Exact stdin EOF
// needs the runtime's SPDY transport (docs/containerd.md, "Logs, exec, attach").
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { logger } from '../../util/log.js';
import { acceptWebSocket, connectWebSocket, isWebSocketUpgrade, type WebSocket } from './websocket.js';

const log = logger('kubelet-server');

/** What kubectl may negotiate with us, preferred first. */
export const REMOTECOMMAND_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const RUNTIME_PROTOCOL = 'v4.channel.k8s.io';
const CLOSE_CHANNEL = 255;
const STDIN = 0;
const STDIN_CLOSE_GRACE_MS = 2000;

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

/** Bridges one upgraded kubectl connection to the runtime's session at `runtimeURL`. */
export async function bridgeRemoteCommand(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
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
  let runtime: WebSocket;
  try {
    const url = await runtimeURL();
    runtime = (await connectWebSocket(url, [RUNTIME_PROTOCOL])).ws;
  } catch (err) {
    writeRawResponse(socket, 500, (err as Error).message);
    return;
  }
  const accepted = acceptWebSocket(req, socket, head, REMOTECOMMAND_PROTOCOLS);
  if (!accepted) {
    runtime.close();
    writeRawResponse(
      socket,
      400,
      `no supported subprotocol (want one of ${REMOTECOMMAND_PROTOCOLS.join(', ')})`,
    );
    return;
  }
  const client = accepted.ws;
  let stdinClose: NodeJS.Timeout | undefined;
  client.on('message', (data, binary) => {
    if (!binary || data.length === 0) return;
    if (data[0] === CLOSE_CHANNEL) {
      if (data[1] === STDIN && !stdinClose)
        stdinClose = setTimeout(() => runtime.socket.end(), STDIN_CLOSE_GRACE_MS);
      return;
    }
    runtime.send(data);
  });
  runtime.on('message', (data, binary) => client.send(data, binary));
  runtime.on('close', () => {
    clearTimeout(stdinClose);
    client.close();
  });
  client.on('close', (code) => {
    log.debug('remotecommand client closed', { code });
    clearTimeout(stdinClose);
    runtime.socket.destroy();
  });
}
