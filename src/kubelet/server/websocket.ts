// A small RFC 6455 WebSocket over any duplex stream, both ends: the kubelet is the server for
// kubectl's remotecommand streams (v5.channel.k8s.io) and the client of containerd's CRI
// streaming server (v4.channel.k8s.io). Only what those protocols use: binary and text
// messages, fragmentation, ping/pong and close; no extensions (the k8s clients offer none).
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_CONT = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
/** A message larger than this is a protocol error (kubectl's frames are ≤ 32 KiB). */
const MAX_MESSAGE = 16 * 1024 * 1024;

export function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + GUID)
    .digest('base64');
}

/** The subprotocols a handshake request offers, in the client's order. */
export function offeredProtocols(headers: IncomingMessage['headers']): string[] {
  const raw = headers['sec-websocket-protocol'];
  const all = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  return all
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

export function isWebSocketUpgrade(headers: IncomingMessage['headers']): boolean {
  return String(headers.upgrade ?? '').toLowerCase() === 'websocket';
}

export interface WebSocketEvents {
  message(data: Buffer, binary: boolean): void;
  /** The connection is gone (close frame, socket end or error); called once. */
  close(code: number, reason: string): void;
}

export class WebSocket {
  private buf: Buffer;
  private fragments: Buffer[] = [];
  private fragmentOp = 0;
  private closed = false;
  private sentClose = false;
  private handlers: Partial<WebSocketEvents> = {};

  /** `masking`: a client masks what it sends (RFC 6455 §5.3); a server must not. */
  constructor(
    readonly socket: Duplex,
    private readonly masking: boolean,
    head: Buffer = Buffer.alloc(0),
  ) {
    this.buf = Buffer.from(head);
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.parse();
    });
    socket.on('end', () => this.finish(1006, 'connection ended'));
    socket.on('close', () => this.finish(1006, 'connection closed'));
    socket.on('error', () => this.finish(1006, 'connection error'));
    if (this.buf.length) queueMicrotask(() => this.parse());
  }

  on<K extends keyof WebSocketEvents>(event: K, handler: WebSocketEvents[K]): this {
    this.handlers[event] = handler;
    return this;
  }

  get isOpen(): boolean {
    return !this.closed && !this.sentClose;
  }

  send(data: Uint8Array, binary = true): boolean {
    if (!this.isOpen) return false;
    return this.frame(binary ? OP_BINARY : OP_TEXT, data);
  }

  /** Sends a close frame and ends the socket once the peer answers (or at once if it is gone). */
  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    if (!this.sentClose) {
      const body = Buffer.alloc(2 + Buffer.byteLength(reason));
      body.writeUInt16BE(code, 0);
      body.write(reason, 2);
      this.frame(OP_CLOSE, body);
      this.sentClose = true;
    }
    const t = setTimeout(() => this.socket.destroy(), 2000);
    t.unref();
    this.socket.end();
  }

  private frame(op: number, data: Uint8Array): boolean {
    const len = data.length;
    const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
    const maskLen = this.masking ? 4 : 0;
    const header = Buffer.alloc(2 + ext + maskLen);
    header[0] = 0x80 | op;
    header[1] = (this.masking ? 0x80 : 0) | (ext === 0 ? len : ext === 2 ? 126 : 127);
    if (ext === 2) header.writeUInt16BE(len, 2);
    else if (ext === 8) header.writeBigUInt64BE(BigInt(len), 2);
    let payload = Buffer.from(data);
    if (this.masking) {
      const mask = randomBytes(4);
      mask.copy(header, 2 + ext);
      payload = Buffer.from(payload); // never mask the caller's buffer in place
      for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
    }
    if (this.socket.destroyed || !this.socket.writable) return false;
    this.socket.write(header);
    return this.socket.write(payload);
  }

  private parse(): void {
    while (!this.closed) {
      const b = this.buf;
      if (b.length < 2) return;
      const fin = (b[0] & 0x80) !== 0;
      const op = b[0] & 0x0f;
      const masked = (b[1] & 0x80) !== 0;
      let len = b[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        const big = b.readBigUInt64BE(2);
        if (big > BigInt(MAX_MESSAGE)) return this.fail(1009, 'message too big');
        len = Number(big);
        off = 10;
      }
      if (len > MAX_MESSAGE) return this.fail(1009, 'message too big');
      const maskOff = off;
      if (masked) off += 4;
      if (b.length < off + len) return;
      const payload = Buffer.from(b.subarray(off, off + len));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= b[maskOff + (i & 3)];
      this.buf = b.subarray(off + len);
      this.onFrame(fin, op, payload);
    }
  }

  private onFrame(fin: boolean, op: number, payload: Buffer): void {
    switch (op) {
      case OP_PING:
        if (!this.sentClose) this.frame(OP_PONG, payload);
        return;
      case OP_PONG:
        return;
      case OP_CLOSE: {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        if (!this.sentClose) {
          this.frame(OP_CLOSE, payload.subarray(0, 2));
          this.sentClose = true;
        }
        this.socket.end();
        this.finish(code, payload.subarray(2).toString());
        return;
      }
      case OP_TEXT:
      case OP_BINARY:
        if (fin) {
          this.handlers.message?.(payload, op === OP_BINARY);
          return;
        }
        this.fragmentOp = op;
        this.fragments = [payload];
        return;
      case OP_CONT: {
        this.fragments.push(payload);
        if (!fin) return;
        const whole = Buffer.concat(this.fragments);
        this.fragments = [];
        this.handlers.message?.(whole, this.fragmentOp === OP_BINARY);
        return;
      }
      default:
        this.fail(1002, `unknown opcode ${op}`);
    }
  }

  private fail(code: number, reason: string): void {
    this.close(code, reason);
    this.finish(code, reason);
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.close?.(code, reason);
  }
}

/**
 * Completes a server handshake on an upgraded HTTP/1.1 socket choosing the first protocol of
 * `supported` the client offers; undefined (and nothing written) when there is none.
 */
export function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  supported: string[],
): { ws: WebSocket; protocol: string } | undefined {
  const offered = offeredProtocols(req.headers);
  const protocol = supported.find((p) => offered.includes(p));
  const key = req.headers['sec-websocket-key'];
  if (!protocol || typeof key !== 'string') return undefined;
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${acceptKey(key)}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
  return { ws: new WebSocket(socket, false, head), protocol };
}

/** Opens a client WebSocket to an http:// URL (containerd's streaming server is plain HTTP on loopback). */
export function connectWebSocket(
  url: string,
  protocols: string[],
  timeoutMs = 10_000,
): Promise<{ ws: WebSocket; protocol: string }> {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString('base64');
    const req = httpRequest(url, {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': key,
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Protocol': protocols.join(', '),
      },
      timeout: timeoutMs,
    });
    req.on('timeout', () => req.destroy(new Error(`timed out connecting to ${url}`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () =>
        reject(
          new Error(
            `unable to upgrade connection: ${res.statusCode} ${Buffer.concat(chunks).toString().trim()}`,
          ),
        ),
      );
    });
    req.on('upgrade', (res, socket, head) => {
      if (res.headers['sec-websocket-accept'] !== acceptKey(key)) {
        socket.destroy();
        return reject(new Error('bad Sec-WebSocket-Accept from the streaming server'));
      }
      const protocol = String(res.headers['sec-websocket-protocol'] ?? '');
      resolve({ ws: new WebSocket(socket, true, head), protocol });
    });
    req.end();
  });
}
