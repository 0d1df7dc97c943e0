// The DNS server's HTTP side, as CoreDNS's health, ready and prometheus plugins serve it:
// /health (200 "OK" while the process runs; the liveness probe), /ready (200 "OK" once the
// caches synced and a Corefile is applied, else 503; the readiness probe) and /metrics.
// Each plugin's address comes from the applied Corefile; several plugins may share a port.
// A Corefile change rebinds only the addresses that changed.
import { createServer, type Server } from 'node:http';
import { logger } from '../util/log.js';

const log = logger('dns');

export type Endpoint = 'health' | 'ready' | 'metrics';

export interface EndpointSources {
  ready: () => boolean;
  metrics: () => string;
}

function splitAddress(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  const host = addr.slice(0, i).replace(/^\[|\]$/g, '');
  return { host: host === '' ? '0.0.0.0' : host, port: Number(addr.slice(i + 1)) };
}

export class HttpEndpoints {
  /** address → the paths it serves and its server. */
  private readonly servers = new Map<string, { paths: Set<Endpoint>; server: Server }>();

  constructor(private readonly sources: EndpointSources) {}

  /** Makes the listening set match `wanted` (address → endpoints on it). */
  async apply(wanted: Map<string, Set<Endpoint>>): Promise<void> {
    for (const [addr, s] of [...this.servers]) {
      if (wanted.has(addr)) continue;
      this.servers.delete(addr);
      await new Promise<void>((done) => s.server.close(() => done()));
    }
    for (const [addr, paths] of wanted) {
      const known = this.servers.get(addr);
      if (known) {
        known.paths = paths;
        continue;
      }
      const entry = { paths, server: createServer((req, res) => this.serve(entry.paths, req.url, res)) };
      const { host, port } = splitAddress(addr);
      try {
        await new Promise<void>((done, fail) => {
          entry.server.once('error', fail);
          entry.server.listen(port, host, () => done());
        });
        this.servers.set(addr, entry);
      } catch (err) {
        log.error('cannot listen', { address: addr, error: (err as Error).message });
      }
    }
  }

  /** The bound port of an address (tests ask for port 0). */
  port(addr: string): number | undefined {
    const a = this.servers.get(addr)?.server.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  async close(): Promise<void> {
    await this.apply(new Map());
  }

  private serve(
    paths: Set<Endpoint>,
    url: string | undefined,
    res: import('node:http').ServerResponse,
  ): void {
    const path = (url ?? '').split('?')[0];
    if (path === '/health' && paths.has('health')) return void res.end('OK');
    if (path === '/ready' && paths.has('ready')) {
      if (this.sources.ready()) return void res.end('OK');
      res.statusCode = 503;
      return void res.end('not ready');
    }
    if (path === '/metrics' && paths.has('metrics')) {
      res.setHeader('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
      return void res.end(this.sources.metrics());
    }
    res.statusCode = 404;
    res.end('404 page not found\n');
  }
}

/** The HTTP addresses a parsed Corefile asks for, merged over its server blocks. */
export function endpointsOf(
  blocks: { health?: string; ready?: string; prometheus?: string }[],
): Map<string, Set<Endpoint>> {
  const out = new Map<string, Set<Endpoint>>();
  const add = (addr: string | undefined, e: Endpoint) => {
    if (!addr) return;
    const set = out.get(addr) ?? new Set<Endpoint>();
    set.add(e);
    out.set(addr, set);
  };
  for (const b of blocks) {
    add(b.health, 'health');
    add(b.ready, 'ready');
    add(b.prometheus, 'metrics');
  }
  return out;
}
