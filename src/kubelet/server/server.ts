// The kubelet's HTTPS server (upstream's :10250): every request authenticated and authorized
// through the API server (auth.ts), then routed (routes.ts). Plain requests and upgrade
// requests (exec, attach, port-forward) share the route table.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { RestClient } from '../../client/rest.js';
import { logger } from '../../util/log.js';
import { forbiddenMessage, KubeletAuth, nodeAttributes, Unauthorized } from './auth.js';
import { writeRawResponse } from './remotecommand.js';
import { match, type KubeletServerContext } from './routes.js';

const log = logger('kubelet-server');

export interface KubeletServerOptions {
  /** 0.0.0.0 by default, as upstream's --address. */
  address?: string;
  port: number;
  /** Serving certificate (kubelet.crt / kubelet.key). */
  certPem: string;
  keyPem: string;
  /** The cluster CA: client certificates it signed name their user. */
  clientCAPem: string;
  /** Reaches the API server for TokenReview and SubjectAccessReview. */
  client: RestClient;
}

export class KubeletServer {
  private readonly server: Server;
  private readonly auth: KubeletAuth;
  private readonly sockets = new Set<Duplex>();

  constructor(
    private readonly ctx: KubeletServerContext,
    private readonly opts: KubeletServerOptions,
  ) {
    this.auth = new KubeletAuth(opts.client);
    this.server = createServer({
      cert: opts.certPem,
      key: opts.keyPem,
      ca: opts.clientCAPem,
      requestCert: true,
      rejectUnauthorized: false,
    });
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.serve(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      void this.serve(req, undefined, { socket, head });
    });
    this.server.on('connection', (s: Duplex) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** Resolves with the port listened on. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.address ?? '0.0.0.0', () => {
        this.server.removeListener('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /**
   * Serves kc from the next TLS handshake on (a rotated or newly issued serving certificate);
   * connections already open keep the certificate they were made with.
   */
  setCertificate(kc: { certPem: string; keyPem: string }): void {
    this.server.setSecureContext({ cert: kc.certPem, key: kc.keyPem, ca: this.opts.clientCAPem });
  }

  close(): void {
    this.server.close();
    for (const s of this.sockets) s.destroy();
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse | undefined,
    upgrade?: { socket: Duplex; head: Buffer },
  ): Promise<void> {
    const fail = (status: number, message: string) => {
      if (upgrade) writeRawResponse(upgrade.socket, status, message);
      else if (!res!.headersSent)
        res!.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(message);
      else res!.end();
    };
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const method = (req.method ?? 'GET').toUpperCase();
    try {
      const user = await this.auth.authenticate(req);
      const attrs = nodeAttributes(method, url.pathname, this.ctx.nodeName);
      if (!(await this.auth.authorize(user, attrs))) return fail(403, forbiddenMessage(user, attrs));
      const found = match(method, url.pathname);
      if (found === 'method') return fail(405, `${method} is not allowed for ${url.pathname}`);
      if (!found) return fail(404, '404 page not found');
      await found.handler({
        ctx: this.ctx,
        req,
        params: found.params,
        query: url.searchParams,
        ...(res ? { res } : {}),
        ...(upgrade ? { upgrade } : {}),
      });
    } catch (err) {
      if (err instanceof Unauthorized) return fail(401, 'Unauthorized');
      log.warn('kubelet request failed', { path: url.pathname, error: String(err) });
      fail(500, String((err as Error).message ?? err));
    }
  }
}
