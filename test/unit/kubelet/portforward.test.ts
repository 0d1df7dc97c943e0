// The kubelet's port-forward handler driven by our own SPDY client (no Go): upstream's answers
// to bad upgrades (k8s.io/apimachinery httpstream.Handshake, spdy.UpgradeResponse, the
// apiserver's TunnelingHandler), to bad streams (httpStreamReceived rejects them with a reset)
// and the error texts of httpStreamHandler and portForward.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { PassThrough, type Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { handlePortForward, type PortForwardOptions } from '../../../src/kubelet/server/portforward.js';
import { PortForwardRelayedError, type PortForwardTarget } from '../../../src/kubelet/runtime/types.js';
import type { SpdyHeaders } from '../../../src/util/spdy/headers.js';
import { SpdySession, SpdyStreamResetError, type SpdyStream } from '../../../src/util/spdy/session.js';

/** A target whose port 7 echoes, port 8 fails with a plain error, port 9 with a relayed one. */
function target(): PortForwardTarget & { closed_: boolean } {
  const t = {
    closed_: false,
    async dial(port: number): Promise<Duplex> {
      if (port === 8) throw new Error('connect ECONNREFUSED 10.0.0.1:8');
      if (port === 9) throw new PortForwardRelayedError('text from the runtime');
      const echo = new PassThrough();
      return echo;
    },
    close() {
      t.closed_ = true;
    },
  };
  return t;
}

const readAll = (s: SpdyStream) =>
  new Promise<string>((resolve) => {
    let out = '';
    s.on('data', (d: Buffer) => (out += d.toString()));
    s.on('end', () => resolve(out));
  });

describe('kubelet port-forward handler', () => {
  let server: Server;
  let port = 0;
  let opts: PortForwardOptions = { podName: 'web_default', uid: 'u-1' };
  const sessions: SpdySession[] = [];

  before(async () => {
    server = createServer((_req, res) => res.end());
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const s = handlePortForward(req, socket, head, target(), opts);
      if (s) sessions.push(s);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    for (const s of sessions) s.destroy();
    server.close();
  });

  /** An upgrade request; resolves with the HTTP answer or the upgraded SPDY client session. */
  function upgrade(headers: Record<string, string>) {
    return new Promise<{
      status: number;
      body: string;
      headers: IncomingMessage['headers'];
      session?: SpdySession;
    }>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/portForward/default/web',
        headers,
        agent: false,
      });
      req.on('upgrade', (res, socket, head) => {
        if (head.length) socket.unshift(head);
        const session = new SpdySession(socket, { role: 'client' });
        resolve({ status: res.statusCode ?? 0, body: '', headers: res.headers, session });
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    });
  }
  const spdy = {
    Connection: 'Upgrade',
    Upgrade: 'SPDY/3.1',
    'X-Stream-Protocol-Version': 'portforward.k8s.io',
  };
  const streamHeaders = (type: string, p: string, id?: string) => ({
    streamtype: [type],
    port: [p],
    ...(id !== undefined ? { requestid: [id] } : {}),
  });

  it('answers 101 with Upgrade SPDY/3.1 and the negotiated X-Stream-Protocol-Version', async () => {
    const r = await upgrade(spdy);
    assert.equal(r.status, 101);
    assert.equal(r.headers.upgrade, 'SPDY/3.1');
    assert.equal(r.headers['x-stream-protocol-version'], 'portforward.k8s.io');
    const err = await r.session!.openStream(streamHeaders('error', '7', '0'));
    err.end();
    const data = await r.session!.openStream(streamHeaders('data', '7', '0'));
    const back = readAll(data);
    data.end('echo me');
    assert.equal(await back, 'echo me');
    assert.equal(await readAll(err), '', 'the error stream ends empty');
    r.session!.destroy();
  });

  it('without X-Stream-Protocol-Version: an empty 200, as upstream whose Handshake writes nothing', async () => {
    const r = await upgrade({ Connection: 'Upgrade', Upgrade: 'SPDY/3.1' });
    assert.deepEqual([r.status, r.body], [200, '']);
  });

  it('an unknown protocol: 403 with the accepted versions', async () => {
    const r = await upgrade({ ...spdy, 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' });
    assert.equal(r.status, 403);
    assert.equal(
      r.body,
      'unable to upgrade: unable to negotiate protocol: client supports [v4.channel.k8s.io], server accepts [portforward.k8s.io]\n',
    );
    assert.equal(r.headers['x-accepted-stream-protocol-versions'], 'portforward.k8s.io');
  });

  it('an upgrade to something else than SPDY/3.1: 400', async () => {
    const r = await upgrade({ ...spdy, Upgrade: 'h2c' });
    assert.equal(r.status, 400);
    assert.match(r.body, /^unable to upgrade: missing upgrade headers in request/);
  });

  it('a WebSocket without a SPDY/3.1+ tunneling subprotocol: 400 as the TunnelingHandler', async () => {
    const r = await upgrade({
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Protocol': 'v4.channel.k8s.io',
    });
    assert.deepEqual([r.status, r.body], [400, 'unable to upgrade: no tunneling spdy protocols provided\n']);
  });

  it('resets streams with a missing or bad port or stream type', async () => {
    const r = await upgrade(spdy);
    const bad: SpdyHeaders[] = [
      { streamtype: ['data'] },
      streamHeaders('data', 'abc', '0'),
      streamHeaders('data', '0', '0'),
      streamHeaders('data', '70000', '0'),
      { port: ['7'] },
      streamHeaders('stdin', '7', '0'),
    ];
    for (const h of bad) {
      const e = await r.session!.openStream(h).catch((x: unknown) => x);
      assert.ok(e instanceof SpdyStreamResetError, JSON.stringify(h));
    }
    r.session!.destroy();
  });

  it('writes the forwarding error to the error stream: wrapped as upstream, or relayed as is', async () => {
    const r = await upgrade(spdy);
    for (const [p, want] of [
      ['8', 'error forwarding port 8 to pod web_default, uid u-1: connect ECONNREFUSED 10.0.0.1:8'],
      ['9', 'text from the runtime'],
    ]) {
      const err = await r.session!.openStream(streamHeaders('error', p, p));
      err.end();
      const text = readAll(err);
      const data = await r.session!.openStream(streamHeaders('data', p, p));
      assert.equal(await text, want);
      assert.equal(await readAll(data), '', 'the data stream ends too');
    }
    r.session!.destroy();
  });

  it('pairs the streams of a client without requestID by their ids (error n, data n+2)', async () => {
    const r = await upgrade(spdy);
    const err = await r.session!.openStream(streamHeaders('error', '7'));
    err.end();
    const data = await r.session!.openStream(streamHeaders('data', '7'));
    const back = readAll(data);
    data.end('old client');
    assert.equal(await back, 'old client');
    r.session!.destroy();
  });

  it('a second data stream for one request, and a request whose data stream never comes', async () => {
    opts = { podName: 'web_default', uid: 'u-1', streamCreationTimeoutMs: 200 };
    const r = await upgrade(spdy);
    const err = await r.session!.openStream(streamHeaders('error', '7', '5'));
    err.end();
    const text = readAll(err);
    assert.match(await text, /^\(conn=127\.0\.0\.1, request=5\) timed out waiting for streams$/);
    const err2 = await r.session!.openStream(streamHeaders('error', '7', '6'));
    err2.end();
    const chunks: string[] = [];
    err2.on('data', (d: Buffer) => chunks.push(d.toString()));
    await r.session!.openStream(streamHeaders('error', '7', '6'));
    const deadline = Date.now() + 5000;
    while (!chunks.join('').includes('already') && Date.now() < deadline)
      await new Promise((x) => setTimeout(x, 10));
    assert.equal(chunks.join(''), 'error processing stream for request 6: error stream already assigned');
    r.session!.destroy();
    opts = { podName: 'web_default', uid: 'u-1' };
  });
});
