// The WebSocket tunnel that carries SPDY for kubectl 1.31 (client-go TunnelingConnection):
// binary and continuation frames are bytes, PING gets PONG, CLOSE ends it, text is refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { acceptWebSocket, offeredSubprotocols } from '../../../src/util/spdy/ws-tunnel.js';

/** A masked client frame, as RFC 6455 requires from clients. */
function clientFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i & 3]));
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | payload.length]), mask, body]);
}

/** Unmasked server frames → [opcode, payload]. */
function parse(buf: Buffer): [number, Buffer][] {
  const out: [number, Buffer][] = [];
  for (let off = 0; off + 2 <= buf.length;) {
    let len = buf[off + 1] & 0x7f;
    let start = off + 2;
    if (len === 126) {
      len = buf.readUInt16BE(off + 2);
      start += 2;
    }
    out.push([buf[off] & 0x0f, buf.subarray(start, start + len)]);
    off = start + len;
  }
  return out;
}

describe('WebSocket tunnel', () => {
  let server: Server;
  let port = 0;
  let offered: string[] = [];

  before(async () => {
    server = createServer();
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      offered = offeredSubprotocols(req);
      const t = acceptWebSocket(req, socket, head, 'SPDY/3.1+portforward.k8s.io');
      t.on('error', () => undefined);
      t.pipe(t); // echo the byte stream
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  async function open(): Promise<{
    sock: Socket;
    head: string;
    received: () => Buffer;
    closed: Promise<void>;
  }> {
    const sock = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => (buf = Buffer.concat([buf, d])));
    const closed = new Promise<void>((r) => sock.on('close', () => r()));
    sock.write(
      'GET /x HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io, x\r\n\r\n',
    );
    const deadline = Date.now() + 5000;
    while (!buf.includes('\r\n\r\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const end = buf.indexOf('\r\n\r\n') + 4;
    const head = buf.subarray(0, end).toString();
    return { sock, head, received: () => buf.subarray(end), closed };
  }

  const waitFor = async (f: () => boolean) => {
    const deadline = Date.now() + 5000;
    while (!f() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.ok(f());
  };

  it('answers the handshake with the RFC 6455 accept key and the chosen subprotocol', async () => {
    const c = await open();
    assert.match(c.head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(c.head, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
    assert.match(c.head, /\r\nSec-WebSocket-Protocol: SPDY\/3\.1\+portforward\.k8s\.io\r\n/);
    assert.deepEqual(offered, ['SPDY/3.1+portforward.k8s.io', 'x']);
    c.sock.destroy();
  });

  it('binary and continuation frames are one byte stream; PING is answered with PONG', async () => {
    const c = await open();
    c.sock.write(clientFrame(2, Buffer.from('ab'), false));
    c.sock.write(clientFrame(0, Buffer.from('c')));
    c.sock.write(clientFrame(9, Buffer.from('hi')));
    await waitFor(() => {
      const frames = parse(c.received());
      const bytes = Buffer.concat(frames.filter(([op]) => op === 2).map(([, p]) => p)).toString();
      return bytes === 'abc' && frames.some(([op, p]) => op === 10 && p.toString() === 'hi');
    });
    c.sock.destroy();
  });

  it('a CLOSE is echoed and ends the tunnel; a text message is refused with 1003', async () => {
    const a = await open();
    const code = Buffer.alloc(2);
    code.writeUInt16BE(1000);
    a.sock.write(clientFrame(8, code));
    await a.closed;
    assert.deepEqual(parse(a.received()), [[8, code]]);

    const b = await open();
    b.sock.write(clientFrame(1, Buffer.from('text')));
    await b.closed;
    const [[op, payload]] = parse(b.received());
    assert.equal(op, 8);
    assert.equal(payload.readUInt16BE(0), 1003);
  });
});
