// The WebSocket framing both ends of exec/attach use: a server and a client over a socket pair.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { acceptKey, acceptWebSocket, connectWebSocket } from '../../../src/kubelet/server/websocket.js';

describe('websocket', () => {
  it('computes the RFC 6455 accept key', () => {
    assert.equal(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('negotiates a subprotocol, echoes binary messages of every length class, closes', async () => {
    const server = createServer();
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const a = acceptWebSocket(req, socket, head, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
      if (!a) return socket.destroy();
      a.ws.on('message', (d) => {
        if (d[0] === 9) a.ws.close();
        else a.ws.send(Buffer.concat([Buffer.from([a.protocol === 'v4.channel.k8s.io' ? 4 : 5]), d]));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const { ws, protocol } = await connectWebSocket(`http://127.0.0.1:${port}/`, ['v4.channel.k8s.io']);
    assert.equal(protocol, 'v4.channel.k8s.io');
    const got: Buffer[] = [];
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('message', (d) => got.push(d));
    const sizes = [1, 125, 126, 65535, 65536, 200_000];
    for (const n of sizes) ws.send(Buffer.alloc(n, n % 251));
    const deadline = Date.now() + 10_000;
    while (got.length < sizes.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(
      got.map((g) => [g[0], g.length - 1]),
      sizes.map((n) => [4, n]),
    );
    assert.ok(got.every((g, i) => g.subarray(1).every((b) => b === sizes[i] % 251)));
    ws.send(Buffer.from([9]));
    assert.equal(await closed, 1000);
    server.close();
  });
});
