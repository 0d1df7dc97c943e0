// ingress-nginx's TCP and UDP services (--tcp-services-configmap / --udp-services-configmap):
// each data entry `"9000": "default/example-go:8080"` opens port 9000 on the controller's bind
// address and forwards it to the ready endpoints of that Service port (by number or name),
// round-robin per connection (TCP) or per client address (UDP). For TCP, a third field `PROXY`
// makes the listener read a PROXY protocol v1 header from the client, a fourth `PROXY` sends
// one to the pod. Entries that do not parse, name the controller's own ports or a missing
// Service are logged and skipped, as ingress-nginx does.
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, isIP, type Server, type Socket } from 'node:net';
import type { KubeObject } from '../api/types.js';
import { logger } from '../util/log.js';
import type { Endpoint, Lookups } from './backends.js';

const log = logger('ingress');
/** ingress-nginx's UDP proxy_timeout: a client's session ends after this much silence */
const UDP_IDLE_MS = 3_000;

export type StreamProtocol = 'TCP' | 'UDP';

export interface StreamEntry {
  protocol: StreamProtocol;
  port: number;
  namespace: string;
  service: string;
  servicePort: string;
  decodeProxy: boolean;
  encodeProxy: boolean;
}

/** The entries of one ConfigMap, and why the others were skipped. */
export function parseStreams(
  protocol: StreamProtocol,
  cm: KubeObject | undefined,
  reserved: number[],
): { entries: StreamEntry[]; problems: string[] } {
  const entries: StreamEntry[] = [];
  const problems: string[] = [];
  const data = ((cm as { data?: Record<string, string> } | undefined)?.data ?? {}) as Record<string, string>;
  for (const [key, value] of Object.entries(data)) {
    const port = /^\d+$/.test(key) ? Number(key) : NaN;
    if (!(port > 0 && port < 65536)) {
      problems.push(`${protocol} services: "${key}" is not a valid port number`);
      continue;
    }
    if (reserved.includes(port)) {
      problems.push(`${protocol} services: port ${port} is in use by the controller`);
      continue;
    }
    const parts = value.trim().split(':');
    const [nsName, servicePort] = parts;
    const [namespace, service, extra] = (nsName ?? '').split('/');
    if (!namespace || !service || extra !== undefined || !servicePort) {
      problems.push(`${protocol} services: "${value}" is not namespace/name:port`);
      continue;
    }
    const decodeProxy = parts[2] === 'PROXY';
    const encodeProxy = parts[3] === 'PROXY';
    entries.push({ protocol, port, namespace, service, servicePort, decodeProxy, encodeProxy });
  }
  return { entries, problems };
}

/** The ready endpoints of the Service port an entry names (number or name), for its protocol. */
export function streamEndpoints(e: StreamEntry, l: Lookups): { endpoints: Endpoint[]; problem?: string } {
  const svc = l.service(e.namespace, e.service);
  if (!svc) return { endpoints: [], problem: `Service "${e.namespace}/${e.service}" does not exist` };
  const ports = (
    (svc.spec as { ports?: { name?: string; port?: number; protocol?: string }[] } | undefined)?.ports ?? []
  ).filter((p) => (p.protocol ?? 'TCP') === e.protocol);
  const sp = ports.find((p) => String(p.port) === e.servicePort || p.name === e.servicePort);
  if (!sp)
    return {
      endpoints: [],
      problem: `Service "${e.namespace}/${e.service}" does not have a ${e.protocol} port ${e.servicePort}`,
    };
  const out: Endpoint[] = [];
  for (const s of l.slices(e.namespace, e.service)) {
    const slice = s as {
      ports?: { name?: string; port?: number; protocol?: string }[];
      endpoints?: { addresses?: string[]; conditions?: { ready?: boolean } }[];
    };
    const port = slice.ports?.find(
      (p) => (p.name ?? '') === (sp.name ?? '') && (p.protocol ?? 'TCP') === e.protocol,
    );
    if (!port?.port) continue;
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready === false || !ep.addresses?.[0]) continue;
      if (!out.some((o) => o.host === ep.addresses![0] && o.port === port.port))
        out.push({ host: ep.addresses[0], port: port.port });
    }
  }
  return { endpoints: out };
}

interface Open {
  key: string;
  entry: StreamEntry;
  endpoints: Endpoint[];
  next: number;
  close(): void;
}

/** The open stream listeners, updated to the wanted set on every sync. */
export class StreamProxies {
  private readonly open = new Map<string, Open>();

  constructor(private readonly bindAddress: string) {}

  /** Opens, updates and closes listeners; the endpoints of an open one are swapped in place. */
  update(wanted: { entry: StreamEntry; endpoints: Endpoint[] }[]): void {
    const keep = new Set<string>();
    for (const { entry, endpoints } of wanted) {
      const key = `${entry.protocol}/${entry.port}`;
      const sig = JSON.stringify(entry);
      keep.add(key);
      const have = this.open.get(key);
      if (have && JSON.stringify(have.entry) === sig) {
        have.endpoints = endpoints;
        continue;
      }
      have?.close();
      const o: Open = { key, entry, endpoints, next: 0, close: () => undefined };
      o.close = entry.protocol === 'TCP' ? this.tcp(o) : this.udp(o);
      this.open.set(key, o);
    }
    for (const [key, o] of this.open)
      if (!keep.has(key)) {
        o.close();
        this.open.delete(key);
      }
  }

  ports(): string[] {
    return [...this.open.keys()];
  }

  closeAll(): void {
    for (const o of this.open.values()) o.close();
    this.open.clear();
  }

  private pick(o: Open): Endpoint | undefined {
    if (!o.endpoints.length) return undefined;
    const e = o.endpoints[o.next % o.endpoints.length];
    o.next = (o.next + 1) % o.endpoints.length;
    return e;
  }

  private tcp(o: Open): () => void {
    const sockets = new Set<Socket>();
    const server: Server = createServer((client) => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.on('error', () => client.destroy());
      const start = (head: Buffer, source: { address: string; port: number }) => {
        const to = this.pick(o);
        if (!to) return void client.destroy();
        const pod = connect(to.port, to.host, () => {
          if (o.entry.encodeProxy) pod.write(proxyHeader(source, client));
          if (head.length) pod.write(head);
          pod.pipe(client);
          client.pipe(pod);
        });
        sockets.add(pod);
        pod.on('close', () => {
          sockets.delete(pod);
          client.destroy();
        });
        pod.on('error', () => pod.destroy());
        client.on('close', () => pod.destroy());
      };
      const direct = { address: client.remoteAddress ?? '', port: client.remotePort ?? 0 };
      if (!o.entry.decodeProxy) return start(Buffer.alloc(0), direct);
      readProxyHeader(client, (err, head, source) => {
        if (err) return void client.destroy();
        start(head, source ?? direct);
      });
    });
    server.on('error', (err) =>
      log.warn('TCP service listener failed', { port: o.entry.port, error: String(err) }),
    );
    server.listen(o.entry.port, this.bindAddress, () =>
      log.info('serving TCP service', {
        port: o.entry.port,
        service: `${o.entry.namespace}/${o.entry.service}`,
      }),
    );
    return () => {
      server.close();
      for (const s of sockets) s.destroy();
    };
  }

  private udp(o: Open): () => void {
    const family = isIP(this.bindAddress) === 6 ? 'udp6' : 'udp4';
    const sock = createSocket(family);
    const sessions = new Map<string, { up: UdpSocket; timer: NodeJS.Timeout }>();
    const end = (key: string) => {
      const s = sessions.get(key);
      if (!s) return;
      clearTimeout(s.timer);
      s.up.close();
      sessions.delete(key);
    };
    sock.on('message', (msg: Buffer, from: RemoteInfo) => {
      const key = `${from.address}:${from.port}`;
      let s = sessions.get(key);
      if (!s) {
        const to = this.pick(o);
        if (!to) return;
        const up = createSocket(isIP(to.host) === 6 ? 'udp6' : 'udp4');
        up.on('message', (answer: Buffer) => {
          sock.send(answer, from.port, from.address);
          const cur = sessions.get(key);
          if (cur) cur.timer.refresh();
        });
        up.on('error', () => end(key));
        up.connect(to.port, to.host);
        s = { up, timer: setTimeout(() => end(key), UDP_IDLE_MS) };
        sessions.set(key, s);
      }
      s.timer.refresh();
      const up = s.up;
      // connect() is asynchronous: send once it is done
      const send = () => up.send(msg);
      try {
        up.remoteAddress();
        send();
      } catch {
        up.once('connect', send);
      }
    });
    sock.on('error', (err) =>
      log.warn('UDP service listener failed', { port: o.entry.port, error: String(err) }),
    );
    sock.bind(o.entry.port, this.bindAddress, () =>
      log.info('serving UDP service', {
        port: o.entry.port,
        service: `${o.entry.namespace}/${o.entry.service}`,
      }),
    );
    return () => {
      for (const k of [...sessions.keys()]) end(k);
      try {
        sock.close();
      } catch {
        // already closed after a bind error
      }
    };
  }
}

/** A PROXY protocol v1 line for a connection. */
function proxyHeader(source: { address: string; port: number }, local: Socket): string {
  const src = source.address.replace(/^::ffff:/, '');
  const dst = (local.localAddress ?? '').replace(/^::ffff:/, '');
  const fam = isIP(src) === 6 ? 'TCP6' : 'TCP4';
  return `PROXY ${fam} ${src} ${dst} ${source.port} ${local.localPort ?? 0}\r\n`;
}

/** Reads and strips a PROXY v1 header (at most 107 bytes); what follows it is handed on. */
function readProxyHeader(
  s: Socket,
  done: (err: Error | undefined, rest: Buffer, source?: { address: string; port: number }) => void,
): void {
  let buf = Buffer.alloc(0);
  const onData = (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    const eol = buf.indexOf('\r\n');
    if (eol < 0) {
      if (buf.length > 107) finish(new Error('no PROXY header'));
      return;
    }
    const line = buf.subarray(0, eol).toString('latin1').split(' ');
    if (line[0] !== 'PROXY') return finish(new Error('no PROXY header'));
    const rest = buf.subarray(eol + 2);
    const source = line[1] === 'UNKNOWN' ? undefined : { address: line[2], port: Number(line[4]) };
    finish(undefined, rest, source);
  };
  const finish = (
    err: Error | undefined,
    rest = Buffer.alloc(0),
    source?: { address: string; port: number },
  ) => {
    s.off('data', onData);
    s.pause();
    done(err, rest, source);
  };
  s.on('data', onData);
}
