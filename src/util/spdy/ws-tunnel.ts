// SPDY tunneled through a WebSocket (KEP-4006; kubectl ≥ 1.31's default for port-forward): the
// client asks for subprotocol `SPDY/3.1+portforward.k8s.io` and then writes the SPDY byte
// stream as binary messages, one per write, on both sides (client-go's TunnelingConnection).
// Message boundaries carry no meaning, so the tunnel is a plain byte Duplex. This is the
// server side of RFC 6455 reduced to that use: binary and continuation frames carry data,
// PING gets PONG, CLOSE ends the stream; a text message is refused as client-go refuses one.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP = { CONT: 0, TEXT: 1, BINARY: 2, CLOSE: 8, PING: 9, PONG: 10 } as const;

/** The subprotocols a WebSocket upgrade request offers, in order. */
export function offeredSubprotocols(req: IncomingMessage): string[] {
  const raw = req.headers['sec-websocket-protocol'];
  const all = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  return all
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  const conn = String(req.headers.connection ?? '').toLowerCase();
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  return conn.includes('upgrade') && upgrade === 'websocket';
}

function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (len < 126) head[1] = len;
  else if (len < 65536) {
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, payload]);
}

/** A byte stream carried in WebSocket binary messages over an upgraded socket. */
export class WebSocketTunnel extends Duplex {
  private buf: Buffer = Buffer.alloc(0);
  private closeSent = false;

  constructor(
    private readonly socket: Duplex,
    head: Buffer,
  ) {
    super({ allowHalfOpen: false });
    socket.on('data', (c: Buffer) => this.onData(c));
    socket.on('end', () => this.push(null));
    socket.on('close', () => this.destroy());
    socket.on('error', (e) => this.destroy(e));
    if (head.length) this.onData(head);
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.closeSent) return cb(new Error('websocket: close sent'));
    this.socket.write(frame(OP.BINARY, chunk), (err) => cb(err));
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.sendClose(1000);
    this.socket.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.socket.destroy();
    cb(err);
  }

  private sendClose(code: number): void {
    if (this.closeSent || this.socket.destroyed) return;
    this.closeSent = true;
    const p = Buffer.alloc(2);
    p.writeUInt16BE(code);
    this.socket.write(frame(OP.CLOSE, p));
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 2) {
      const b0 = this.buf[0];
      const b1 = this.buf[1];
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      const mask = masked ? this.buf.subarray(off, off + 4) : undefined;
      if (masked) off += 4;
      if (this.buf.length < off + len) return;
      const payload = Buffer.from(this.buf.subarray(off, off + len));
      this.buf = this.buf.subarray(off + len);
      if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
      if (!this.onFrame(b0 & 0x0f, payload)) return;
    }
  }

  /** false once the tunnel is finished */
  private onFrame(opcode: number, payload: Buffer): boolean {
    switch (opcode) {
      case OP.BINARY:
      case OP.CONT:
        if (payload.length && !this.push(payload)) this.socket.pause();
        return true;
      case OP.PING:
        this.socket.write(frame(OP.PONG, payload));
        return true;
      case OP.PONG:
        return true;
      case OP.CLOSE:
        this.sendClose(payload.length >= 2 ? payload.readUInt16BE(0) : 1000);
        this.push(null);
        this.socket.end();
        return false;
      default:
        // client-go: "invalid message type received"; 1003 = cannot accept this data type
        this.sendClose(1003);
        this.destroy(new Error('websocket: invalid message type received'));
        return false;
    }
  }
}

/**
 * Completes the WebSocket handshake choosing `protocol` and returns the tunnel. The caller has
 * checked the request (isWebSocketUpgrade, offeredSubprotocols).
 */
export function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  protocol: string,
): WebSocketTunnel {
  const key = String(req.headers['sec-websocket-key'] ?? '');
  const accept = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\n' +
      'Upgrade: websocket\r\n' +
      'Connection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\n` +
      `Sec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
  return new WebSocketTunnel(socket, head);
}
