// Port-forwarding into a pod through the CRI, as upstream's kubelet does for containerd:
// PortForward(sandbox) returns a one-use URL on containerd's streaming server
// (http://127.0.0.1:<port>/portforward/<token>, valid for a minute). containerd 1.6 serves it
// with the same portforward.k8s.io protocol over SPDY/3.1 as the kubelet (vendored
// k8s.io/kubelet/pkg/cri/streaming), and dials localhost:<port> inside the pod's network
// namespace (IPv4 first, then IPv6). Where upstream's kubelet proxies the client's whole
// upgraded connection to that URL, we open one SPDY client session to it per port-forward
// session and relay each forwarded connection's streams, so that containerd's own error text
// ("failed to execute portforward in network namespace ...") reaches the client verbatim.
import { request } from 'node:http';
import { Duplex } from 'node:stream';
import type { CriClient } from '../../cri/client.js';
import { SpdySession, type SpdyStream } from '../../util/spdy/session.js';
import { PortForwardRelayedError, type PortForwardTarget } from './types.js';

const PROTOCOL = 'portforward.k8s.io';

/**
 * Upgrades a streaming-server URL to a SPDY/3.1 session speaking `protocol`
 * (portforward.k8s.io, or v4.channel.k8s.io for exec and attach).
 */
export function dialSpdy(url: string, protocol = PROTOCOL): Promise<SpdySession> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': protocol },
    });
    req.on('upgrade', (res, socket, head) => {
      const chosen = res.headers['x-stream-protocol-version'] ?? '';
      if (chosen !== protocol) {
        socket.destroy();
        return reject(
          new Error(
            `unable to negotiate protocol: client supports ${protocol}, server returned "${String(chosen)}"`,
          ),
        );
      }
      if (head.length) socket.unshift(head);
      resolve(new SpdySession(socket, { role: 'client' }));
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () =>
        reject(new Error(`unable to upgrade connection: ${body.trim() || res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * One forwarded connection through the runtime's streaming server: its data stream, ending only
 * once the error stream has ended too; a non-empty error text destroys it with that text.
 */
class RelayedConnection extends Duplex {
  private dataEnded = false;
  private errorText?: string;

  constructor(
    private readonly data: SpdyStream,
    private readonly error: SpdyStream,
  ) {
    super({ allowHalfOpen: true });
    const text: Buffer[] = [];
    error.on('data', (d: Buffer) => text.push(d));
    error.on('end', () => {
      this.errorText = Buffer.concat(text).toString();
      this.settle();
    });
    data.on('data', (d: Buffer) => {
      if (!this.push(d)) data.pause();
    });
    data.on('end', () => {
      this.dataEnded = true;
      this.settle();
    });
    const gone = () => {
      if (!this.dataEnded || this.errorText === undefined) this.destroy();
    };
    data.on('close', gone);
    error.on('close', gone);
    data.on('error', () => undefined);
    error.on('error', () => undefined);
  }

  private settle(): void {
    if (this.errorText === undefined || this.destroyed) return;
    if (this.errorText) this.destroy(new PortForwardRelayedError(this.errorText));
    else if (this.dataEnded) this.push(null);
  }

  override _read(): void {
    this.data.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.data.write(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.data.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.data.destroy();
    this.error.destroy();
    cb(err);
  }
}

/** A port-forward session into the sandbox, over one SPDY session to containerd. */
export async function criPortForward(cri: CriClient, sandboxId: string): Promise<PortForwardTarget> {
  const session = await dialSpdy(await cri.portForward(sandboxId, []));
  let requestId = 0;
  const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
  return {
    closed,
    async dial(port: number): Promise<Duplex> {
      const id = String(requestId++);
      const headers = (type: string) => ({ streamtype: [type], port: [String(port)], requestid: [id] });
      const error = await session.openStream(headers('error'));
      error.end(); // as kubectl: nothing is ever written to the error stream
      const data = await session.openStream(headers('data'));
      return new RelayedConnection(data, error);
    },
    close: () => {
      // GOAWAY, and the connection ends once the relayed streams are gone; a streaming server
      // that keeps it open anyway is cut after 5 s
      session.close();
      setTimeout(() => session.destroy(), 5000).unref();
    },
  };
}
