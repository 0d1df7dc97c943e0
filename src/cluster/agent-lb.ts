// The agent's client-side load balancer (k3s's pkg/agent/loadbalancer): a TCP proxy on
// loopback that the kubelet's client talks to instead of the one --server it joined through.
// It knows every API server from the `kubernetes` Endpoints in the default namespace (re-read
// every ENDPOINTS_REFRESH_MS through itself) and keeps the --server address as a fallback. A
// connection goes to the server that answered last; when connecting fails it tries the next
// one, so the agent keeps working when the server it joined through dies. TLS passes through
// untouched: the API servers' certificates name 127.0.0.1, so the client's checks still hold.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { logger } from '../util/log.js';

const log = logger('agent-lb');

const CONNECT_TIMEOUT_MS = 3000;
export const ENDPOINTS_REFRESH_MS = 10_000;

export interface Address {
  host: string;
  port: number;
}

interface EndpointsLike {
  subsets?: { addresses?: { ip: string }[]; ports?: { port: number }[] }[];
}

/** host:port of every address × port of the `kubernetes` Endpoints. */
export function serversOf(ep: EndpointsLike): Address[] {
  return (ep.subsets ?? []).flatMap((s) =>
    (s.addresses ?? []).flatMap((a) => (s.ports ?? []).map((p) => ({ host: a.ip, port: p.port }))),
  );
}

const key = (a: Address) => `${a.host}:${a.port}`;

export class AgentLoadBalancer {
  private servers: Address[];
  /** index into servers of the one that accepted the last connection */
  private current = 0;
  private readonly listener: Server;
  private readonly sockets = new Set<Socket>();
  private timer: NodeJS.Timeout | undefined;
  port = 0;

  constructor(private readonly fallback: Address) {
    this.servers = [fallback];
    this.listener = createServer((client) => this.proxy(client));
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.listener.once('error', reject);
      this.listener.listen(port, '127.0.0.1', () => resolve());
    });
    const a = this.listener.address();
    this.port = typeof a === 'object' && a ? a.port : port;
    log.info('agent load balancer listening', { address: `127.0.0.1:${this.port}`, servers: this.list() });
    return this.port;
  }

  list(): string[] {
    return this.servers.map(key);
  }

  /** Replaces the server list (the fallback stays, last); keeps the current server when still listed. */
  setServers(found: Address[]): void {
    const next = [...new Map([...found, this.fallback].map((a) => [key(a), a])).values()];
    if (next.map(key).join(',') === this.list().join(',')) return;
    const cur = this.servers[this.current];
    this.servers = next;
    this.current = Math.max(0, cur ? next.findIndex((a) => key(a) === key(cur)) : 0);
    log.info('agent load balancer servers', {
      servers: this.list(),
      current: key(this.servers[this.current]!),
    });
  }

  /** Re-reads the servers with `read` (a GET of the `kubernetes` Endpoints) every refresh period. */
  watchEndpoints(read: () => Promise<EndpointsLike>): void {
    const tick = async () => {
      try {
        const found = serversOf(await read());
        if (found.length > 0) this.setServers(found);
      } catch (err) {
        log.debug('could not read the kubernetes endpoints', { error: String(err) });
      }
      this.timer = setTimeout(() => void tick(), ENDPOINTS_REFRESH_MS);
      this.timer.unref();
    };
    void tick();
  }

  private proxy(client: Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    this.dial(client, 0);
  }

  /** Connects to servers[current + tried], moving on after a failure, until every one was tried. */
  private dial(client: Socket, tried: number): void {
    if (client.destroyed) return;
    if (tried >= this.servers.length) {
      log.warn('no API server reachable', { servers: this.list() });
      return void client.destroy();
    }
    const i = (this.current + tried) % this.servers.length;
    const target = this.servers[i]!;
    const upstream = connect({ host: target.host, port: target.port, timeout: CONNECT_TIMEOUT_MS });
    const fail = (err: Error) => {
      upstream.destroy();
      log.info('API server unreachable, trying the next', { server: key(target), error: err.message });
      this.dial(client, tried + 1);
    };
    upstream.once('timeout', () => fail(new Error('connect timeout')));
    upstream.once('error', fail);
    upstream.once('connect', () => {
      upstream.removeListener('error', fail);
      upstream.removeAllListeners('timeout');
      upstream.setTimeout(0);
      if (i !== this.current) {
        log.info('agent load balancer switched server', {
          from: key(this.servers[this.current]!),
          to: key(target),
        });
        this.current = i;
      }
      this.sockets.add(upstream);
      upstream.on('close', () => {
        this.sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }

  close(): void {
    clearTimeout(this.timer);
    this.listener.close();
    for (const s of this.sockets) s.destroy();
  }
}
