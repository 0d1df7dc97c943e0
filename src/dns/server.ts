// The cluster DNS server (what CoreDNS is to upstream): UDP and TCP on one port, each query
// answered by the server block of the longest matching zone: cluster names from the
// informer caches (authoritative), reverse names of cluster IPs, everything else forwarded.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server as TcpServer, type Socket } from 'node:net';
import type { SharedInformers } from '../client/shared-informers.js';
import { Counter, Histogram } from '../apiserver/metrics.js';
import { ClusterRecords, reverseNameToIP } from './cluster-records.js';
import { inZone, type ServerBlock } from './corefile.js';
import { Forwarder, upstreamsOf } from './forwarder.js';
import { lookupHosts, parseHosts, type HostsTable } from './hosts.js';
import {
  decode,
  DecodeError,
  encode,
  RCODE,
  TYPE,
  type Message,
  type Question,
  type ResourceRecord,
} from './wire.js';

interface ActiveBlock {
  block: ServerBlock;
  hosts?: HostsTable;
  cluster?: { records: ClusterRecords; zone: string };
  forwarder?: Forwarder;
}

export class DnsMetrics {
  readonly requests = new Counter(
    'coredns_dns_requests_total',
    'Counter of DNS requests made per zone, protocol and family.',
  );
  readonly responses = new Counter('coredns_dns_responses_total', 'Counter of response status codes.');
  readonly duration = new Histogram(
    'coredns_dns_request_duration_seconds',
    'Histogram of the time (in seconds) each request took.',
    [
      0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048,
      4.096, 8.192,
    ],
  );
  render(): string {
    return [this.requests.render(), this.responses.render(), this.duration.render()].join('\n') + '\n';
  }
}

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];
const TYPE_NAMES = new Map<number, string>(Object.entries(TYPE).map(([k, v]) => [v, k]));

export class DnsServer {
  private blocks: ActiveBlock[] = [];
  private udp: UdpSocket | undefined;
  private tcp: TcpServer | undefined;
  private readonly conns = new Set<Socket>();
  readonly metrics = new DnsMetrics();

  constructor(private readonly informers: SharedInformers) {}

  /**
   * Applies a parsed Corefile (at start and whenever the ConfigMap changes); `readFile` gives
   * the text of a file the Corefile names (the hosts plugin's), '' when there is none.
   */
  configure(blocks: ServerBlock[], readFile: (path: string) => string = () => ''): void {
    const sources = {
      services: this.informers.informer('/api/v1/services'),
      endpointSlices: this.informers.informer('/apis/discovery.k8s.io/v1/endpointslices'),
      namespaces: this.informers.informer('/api/v1/namespaces'),
    };
    this.blocks = blocks.map((block) => {
      const active: ActiveBlock = { block };
      if (block.hosts) active.hosts = parseHosts(`${readFile(block.hosts.file)}\n${block.hosts.inline}`);
      const k = block.kubernetes;
      if (k) {
        const zone = k.zones.find((z) => !z.endsWith('arpa')) ?? 'cluster.local';
        const pods = k.pods === 'verified' ? { pods: this.informers.informer('/api/v1/pods') } : {};
        active.cluster = {
          zone,
          records: new ClusterRecords({ ...sources, ...pods }, { zone, ttl: k.ttl, pods: k.pods }),
        };
      }
      if (block.forward) active.forwarder = new Forwarder(upstreamsOf(block.forward.to), block.cacheSeconds);
      return active;
    });
  }

  async listen(host: string, port: number): Promise<number> {
    const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, host, () => resolve());
    });
    const bound = udp.address().port;
    udp.on('message', (msg, rinfo) => {
      void this.answer(msg, 'udp', rinfo.family === 'IPv6' ? '2' : '1').then((reply) => {
        if (reply) udp.send(reply, rinfo.port, rinfo.address);
      });
    });
    const tcp = createServer((sock) => this.serveTCP(sock));
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(bound, host, () => resolve());
    });
    this.udp = udp;
    this.tcp = tcp;
    return bound;
  }

  private serveTCP(sock: Socket): void {
    this.conns.add(sock);
    sock.on('close', () => this.conns.delete(sock));
    sock.on('error', () => sock.destroy());
    sock.setTimeout(10_000, () => sock.destroy());
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void this.answer(msg, 'tcp', sock.remoteFamily === 'IPv6' ? '2' : '1').then((reply) => {
          if (!reply || sock.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(reply.length);
          sock.write(Buffer.concat([len, reply]));
        });
      }
    });
  }

  async stop(): Promise<void> {
    this.udp?.close();
    for (const c of this.conns) c.destroy();
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
  }

  /** One query in, one answer out (undefined: not even a header to answer to). */
  async answer(raw: Buffer, proto: 'udp' | 'tcp', family: string): Promise<Buffer | undefined> {
    const t0 = performance.now();
    let query: Message;
    try {
      query = decode(raw);
    } catch (err) {
      if (!(err instanceof DecodeError) || raw.length < 12) return undefined;
      return encode(reply({ id: raw.readUInt16BE(0), rd: false, questions: [] }, RCODE.FORMERR));
    }
    const q = query.questions[0];
    const base = { id: query.id, rd: query.flags.rd, questions: query.questions };
    let out: Message;
    let zone = '.';
    if (query.flags.qr || query.questions.length !== 1) out = reply(base, RCODE.FORMERR);
    else if (query.flags.opcode !== 0) out = reply(base, RCODE.NOTIMP);
    else {
      const active = this.blockFor(q.name);
      zone = active ? active.block.zones.find((z) => inZone(q.name, z)) || '.' : '.';
      out = active ? await this.resolve(active, q, base) : reply(base, RCODE.REFUSED);
    }
    if (query.udpSize !== undefined) out.udpSize = 1232;
    const labels = { server: 'dns://:53', zone: zone === '.' || zone === '' ? '.' : `${zone}.`, view: '' };
    this.metrics.requests.inc({ ...labels, proto, family, type: TYPE_NAMES.get(q?.type ?? 0) ?? 'other' });
    this.metrics.responses.inc({
      ...labels,
      rcode: RCODE_NAMES[out.flags.rcode] ?? String(out.flags.rcode),
      plugin: '',
    });
    this.metrics.duration.observe(
      { ...labels, type: TYPE_NAMES.get(q?.type ?? 0) ?? 'other' },
      (performance.now() - t0) / 1000,
    );
    return encode(out, proto === 'udp' ? (query.udpSize ?? 512) : 65535);
  }

  private blockFor(name: string): ActiveBlock | undefined {
    let best: ActiveBlock | undefined;
    let bestLen = -1;
    for (const b of this.blocks) {
      for (const z of b.block.zones) {
        if (inZone(name, z) && z.length > bestLen) [best, bestLen] = [b, z.length];
      }
    }
    return best;
  }

  private async resolve(active: ActiveBlock, q: Question, base: ReplyBase): Promise<Message> {
    const h = active.block.hosts;
    if (h && active.hosts && h.zones.some((z) => inZone(q.name, z))) {
      // CoreDNS runs hosts before kubernetes
      const found = lookupHosts(active.hosts, q.name, q.type, { ttl: h.ttl, reverse: h.reverse });
      if (found.found) return { ...reply(base, RCODE.NOERROR, true), answers: found.answers };
      if (!h.fallthrough.some((z) => inZone(q.name, z))) return reply(base, RCODE.NXDOMAIN, true);
    }
    const k = active.block.kubernetes;
    const cluster = active.cluster;
    if (k && cluster && k.zones.some((z) => inZone(q.name, z))) {
      const falls = k.fallthrough.some((z) => inZone(q.name, z));
      if (q.name.endsWith('.arpa') || q.name === 'in-addr.arpa' || q.name === 'ip6.arpa') {
        const ip = reverseNameToIP(q.name);
        const ptr =
          ip && (q.type === TYPE.PTR || q.type === TYPE.ANY)
            ? cluster.records.reverse(q.name, ip)
            : undefined;
        if (ptr) return { ...reply(base, RCODE.NOERROR, true), answers: ptr };
        if (!falls || !active.forwarder) return this.negative(base, cluster, k.ttl, true);
      } else if (inZone(q.name, cluster.zone)) {
        const a = cluster.records.resolve(q.name, q.type);
        if (a.nxdomain && falls && active.forwarder) return active.forwarder.resolve(q, base.id, base.rd);
        if (a.answers.length === 0) return this.negative(base, cluster, k.ttl, a.nxdomain);
        const answers = active.block.loadbalance ? shuffleAddresses(a.answers) : a.answers;
        return { ...reply(base, RCODE.NOERROR, true), answers, additional: a.additional };
      }
    }
    if (active.forwarder) return active.forwarder.resolve(q, base.id, base.rd);
    return reply(base, RCODE.REFUSED);
  }

  /** NXDOMAIN or NODATA with the zone's SOA in authority (RFC 2308), as CoreDNS answers. */
  private negative(base: ReplyBase, cluster: { zone: string }, ttl: number, nxdomain: boolean): Message {
    const soa: ResourceRecord = {
      name: cluster.zone,
      type: TYPE.SOA,
      class: 1,
      ttl,
      data: {
        kind: 'SOA',
        mname: `ns.dns.${cluster.zone}`,
        rname: `hostmaster.${cluster.zone}`,
        serial: Math.floor(Date.now() / 1000),
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: ttl,
      },
    };
    return { ...reply(base, nxdomain ? RCODE.NXDOMAIN : RCODE.NOERROR, true), authority: [soa] };
  }
}

interface ReplyBase {
  id: number;
  rd: boolean;
  questions: Question[];
}

function reply(base: ReplyBase, rcode: number, aa = false): Message {
  return {
    id: base.id,
    flags: { qr: true, opcode: 0, aa, tc: false, rd: base.rd, ra: true, rcode },
    questions: base.questions,
    answers: [],
    authority: [],
    additional: [],
  };
}

/** CoreDNS's loadbalance: address records in random order (others keep their place). */
function shuffleAddresses(rrs: ResourceRecord[]): ResourceRecord[] {
  const out = [...rrs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
