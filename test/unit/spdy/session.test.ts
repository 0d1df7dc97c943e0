// SPDY sessions over loopback TCP: our client and server sessions against each other, and the
// server session against a peer written frame by frame (a Go-like peer that never sends
// WINDOW_UPDATE, and a flow-controlled one).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { encodeFrame, FrameParser, RST, type Frame } from '../../../src/util/spdy/frames.js';
import { HeaderCompressor } from '../../../src/util/spdy/headers.js';
import { SpdySession, SpdyStreamResetError, type SpdyStream } from '../../../src/util/spdy/session.js';

async function until<T>(what: string, f: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const readAll = (s: SpdyStream) =>
  new Promise<string>((resolve) => {
    let out = '';
    s.on('data', (d: Buffer) => (out += d.toString()));
    s.on('end', () => resolve(out));
  });

describe('SpdySession', () => {
  let server: Server;
  let port = 0;
  const accepted: Socket[] = [];
  let onConn: (s: Socket) => void = () => undefined;

  before(async () => {
    server = createServer((s) => {
      accepted.push(s);
      onConn(s);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    for (const s of accepted) s.destroy();
    server.close();
  });

  /** A server session on the next accepted connection and a client session dialing it. */
  async function pair(onStream: (s: SpdyStream) => void) {
    const got = new Promise<SpdySession>((resolve) => {
      onConn = (sock) => {
        const srv = new SpdySession(sock, { role: 'server' });
        srv.on('stream', onStream);
        resolve(srv);
      };
    });
    const sock = connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    return { client: new SpdySession(sock, { role: 'client' }), server: await got };
  }

  /** A server session and a raw socket that speaks frames by hand. */
  async function raw(onStream: (s: SpdyStream) => void) {
    const got = new Promise<SpdySession>((resolve) => {
      onConn = (sock) => {
        const srv = new SpdySession(sock, { role: 'server' });
        srv.on('stream', onStream);
        resolve(srv);
      };
    });
    const sock = connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const frames: Frame[] = [];
    const parser = new FrameParser();
    sock.on('data', (d: Buffer) => frames.push(...parser.push(d)));
    const compressor = new HeaderCompressor();
    const syn = async (id: number, headers: Record<string, string[]>) =>
      sock.write(
        encodeFrame({
          type: 'syn_stream',
          streamId: id,
          associatedTo: 0,
          priority: 0,
          slot: 0,
          flags: 0,
          headerBlock: await compressor.compress(headers),
        }),
      );
    return { sock, frames, syn, server: await got, done: () => (compressor.close(), sock.destroy()) };
  }

  it('streams carry data both ways with half-close; a stream is gone once both sides sent FIN', async () => {
    const { client, server } = await pair((s) => {
      s.accept();
      void readAll(s).then((text) => s.end(`got ${text}`));
    });
    const st = await client.openStream({ streamtype: ['data'] });
    assert.equal(st.id, 1);
    const reply = readAll(st);
    st.end('hello');
    assert.equal(await reply, 'got hello');
    await until('stream forgotten', () =>
      client.streamCount === 0 && server.streamCount === 0 ? true : undefined,
    );
    const st2 = await client.openStream({});
    assert.equal(st2.id, 3, 'client stream ids are odd and increase');
    client.destroy();
    await until('server closed', () => (server.closed ? true : undefined));
  });

  it('a reset stream rejects openStream with the RST status (CANCEL, as spdystream Reset)', async () => {
    const { client } = await pair((s) => s.reset());
    const err = await client.openStream({ port: ['0'] }).catch((e: unknown) => e);
    assert.ok(err instanceof SpdyStreamResetError);
    assert.equal(err.status, RST.CANCEL);
    client.destroy();
  });

  it('PING is answered by the peer', async () => {
    const { client } = await pair(() => undefined);
    const rtt = await client.ping();
    assert.ok(rtt >= 0);
    client.destroy();
  });

  it('sends 1 MiB to a peer that never sends WINDOW_UPDATE (as moby/spdystream) without stalling', async () => {
    let stream: SpdyStream | undefined;
    const r = await raw((s) => {
      s.accept();
      stream = s;
    });
    await r.syn(1, { streamtype: ['data'] });
    const s = await until('stream', () => stream);
    s.end(Buffer.alloc(1024 * 1024, 7));
    const total = await until('all data', () => {
      const data = r.frames.filter((f) => f.type === 'data');
      const fin = data.some((f) => f.type === 'data' && f.flags & 1);
      const n = data.reduce((a, f) => a + (f.type === 'data' ? f.data.length : 0), 0);
      return fin ? n : undefined;
    });
    assert.equal(total, 1024 * 1024);
    assert.equal(r.frames[0].type, 'syn_reply', 'the reply comes before any data');
    r.done();
  });

  it("honours the peer's window once it announced one (SETTINGS INITIAL_WINDOW_SIZE, WINDOW_UPDATE)", async () => {
    let stream: SpdyStream | undefined;
    const r = await raw((s) => {
      s.accept();
      stream = s;
    });
    r.sock.write(encodeFrame({ type: 'settings', flags: 0, entries: [{ flags: 0, id: 7, value: 16 }] }));
    await r.syn(1, { streamtype: ['data'] });
    const s = await until('stream', () => stream);
    s.write(Buffer.alloc(40, 1));
    const sent = () => r.frames.reduce((a, f) => a + (f.type === 'data' ? f.data.length : 0), 0);
    await until('first window', () => (sent() === 16 ? true : undefined));
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(sent(), 16, 'nothing beyond the window');
    r.sock.write(encodeFrame({ type: 'window_update', streamId: 1, flags: 0, delta: 100 }));
    await until('the rest', () => (sent() === 40 ? true : undefined));
    r.done();
  });

  it('returns window as its reader consumes: WINDOW_UPDATE after 32 KiB', async () => {
    let stream: SpdyStream | undefined;
    const r = await raw((s) => {
      s.accept();
      stream = s;
      s.resume();
    });
    await r.syn(1, { streamtype: ['data'] });
    await until('stream', () => stream);
    r.sock.write(encodeFrame({ type: 'data', streamId: 1, flags: 0, data: Buffer.alloc(40 * 1024) }));
    const wu = await until('window update', () => r.frames.find((f) => f.type === 'window_update'));
    assert.deepEqual(wu, { type: 'window_update', streamId: 1, flags: 0, delta: 40 * 1024 });
    r.done();
  });

  it('refuses a stream id of the wrong parity or going backwards with RST PROTOCOL_ERROR', async () => {
    const seen: number[] = [];
    const r = await raw((s) => {
      seen.push(s.id);
      s.accept();
    });
    await r.syn(2, {});
    await r.syn(5, {});
    await r.syn(3, {});
    const rsts = await until('two resets', () => {
      const l = r.frames.filter((f) => f.type === 'rst_stream');
      return l.length === 2 ? l : undefined;
    });
    assert.deepEqual(
      rsts.map((f) => (f.type === 'rst_stream' ? [f.streamId, f.status] : [])),
      [
        [2, RST.PROTOCOL_ERROR],
        [3, RST.PROTOCOL_ERROR],
      ],
    );
    assert.deepEqual(seen, [5]);
    r.done();
  });

  it('after GOAWAY from the peer, new streams are refused and the session ends when streams finish', async () => {
    let stream: SpdyStream | undefined;
    const r = await raw((s) => {
      s.accept();
      stream = s;
    });
    await r.syn(1, {});
    const s = await until('stream', () => stream);
    r.sock.write(encodeFrame({ type: 'goaway', flags: 0, lastGoodStreamId: 0, status: 0 }));
    await r.syn(3, {});
    await until('refused', () =>
      r.frames.find((f) => f.type === 'rst_stream' && f.streamId === 3 && f.status === RST.REFUSED_STREAM),
    );
    assert.equal(r.server.closed, false);
    s.end();
    r.sock.write(encodeFrame({ type: 'data', streamId: 1, flags: 1, data: Buffer.alloc(0) }));
    await until('closed', () => (r.server.closed ? true : undefined));
    r.done();
  });

  it('a frame of another SPDY version ends the session with GOAWAY PROTOCOL_ERROR', async () => {
    const r = await raw(() => undefined);
    const errors: Error[] = [];
    r.server.on('protocolError', (e: Error) => errors.push(e));
    r.sock.write(Buffer.from('8002000600000004 00000001'.replace(/ /g, ''), 'hex'));
    await until('closed', () => (r.server.closed ? true : undefined));
    assert.match(errors[0].message, /unsupported SPDY version 2/);
    const goaway = await until('GOAWAY', () => r.frames.find((f) => f.type === 'goaway'));
    assert.deepEqual(goaway, { type: 'goaway', flags: 0, lastGoodStreamId: 0, status: 1 });
    r.done();
  });
});
