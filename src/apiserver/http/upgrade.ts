// HTTP/1.1 upgrade requests (exec, attach, port-forward: kubectl upgrades to WebSocket or
// SPDY over HTTP/1.1 even where the server speaks HTTP/2). Node hands them over as a raw
// socket, not a request/response pair; this gives the handler a Res that writes an HTTP/1.1
// answer on that socket (errors before the upgrade), and lets the endpoint that proxies the
// upgrade take the socket over (upgradeOf), as upstream's UpgradeAwareHandler hijacks it.
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Req, Res } from './io.js';

export interface Upgrade {
  socket: Duplex;
  head: Buffer;
  /** Set once an endpoint took the socket over: the handler must not answer on it. */
  hijacked: boolean;
}

const upgrades = new WeakMap<object, Upgrade>();

/** The upgrade behind a request (also through views of it made with Object.create). */
export function upgradeOf(req: object): Upgrade | undefined {
  for (let o: object | null = req; o; o = Object.getPrototypeOf(o) as object | null) {
    const u = upgrades.get(o);
    if (u) return u;
  }
  return undefined;
}

/** A Res writing one HTTP/1.1 response on the raw socket, then closing it. */
class SocketResponse implements Res {
  statusCode = 200;
  headersSent = false;
  private headers: Record<string, string | string[]> = {};

  constructor(private readonly up: Upgrade) {}

  setHeader(name: string, value: string | string[]): void {
    this.headers[name] = value;
  }

  writeHead(status: number, headers: Record<string, string | string[]> = {}): this {
    if (this.up.hijacked || this.headersSent) return this;
    this.statusCode = status;
    const all = { ...this.headers, ...headers, Connection: 'close' };
    const lines = Object.entries(all).flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [v]).map((x) => `${k}: ${x}`),
    );
    this.up.socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.join('\r\n')}\r\n\r\n`);
    this.headersSent = true;
    return this;
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.up.hijacked) return true;
    if (!this.headersSent) this.writeHead(this.statusCode);
    return this.up.socket.write(chunk);
  }

  end(chunk?: string | Uint8Array): this {
    if (this.up.hijacked) return this;
    if (chunk !== undefined) this.write(chunk);
    else if (!this.headersSent) this.writeHead(this.statusCode);
    this.up.socket.end();
    return this;
  }

  on(event: 'close' | 'drain', listener: () => void): this {
    this.up.socket.on(event, listener);
    return this;
  }

  once(event: 'close' | 'drain', listener: () => void): this {
    this.up.socket.once(event, listener);
    return this;
  }

  removeListener(event: 'close' | 'drain', listener: () => void): this {
    this.up.socket.removeListener(event, listener);
    return this;
  }
}

/** Adapts the server's 'upgrade' event to the request handler. */
export function upgradeListener(
  handler: (req: Req & { socket?: unknown }, res: Res) => Promise<void> | void,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const up: Upgrade = { socket, head, hijacked: false };
    upgrades.set(req, up);
    void handler(req as unknown as Req & { socket?: unknown }, new SocketResponse(up));
  };
}
