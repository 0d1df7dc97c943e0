// Forwarding to upstream resolvers (CoreDNS's forward + cache): UDP first, TCP when the answer
// is truncated, the next server on timeout; answers cached for min(their TTL, the cache cap).
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { decode, encode, RCODE, type Message, type Question } from './wire.js';

const TIMEOUT_MS = 2000;
const MAX_CACHE_ENTRIES = 10_000;

/** host:port list from a forward target: addresses, or a resolv.conf-style file. */
export function upstreamsOf(targets: string[]): { host: string; port: number }[] {
  const out: { host: string; port: number }[] = [];
  for (const t of targets) {
    if (t.startsWith('/')) {
      let text = '';
      try {
        text = readFileSync(t, 'utf8');
      } catch {
        continue;
      }
      for (const m of text.matchAll(/^\s*nameserver\s+(\S+)/gm)) out.push({ host: m[1], port: 53 });
      continue;
    }
    const m = /^(?:dns:\/\/)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(t);
    if (m) out.push({ host: m[1].replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : 53 });
  }
  return out;
}

function exchangeUDP(query: Buffer, host: string, port: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error('timeout'));
    }, TIMEOUT_MS);
    sock.on('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(msg);
    });
    sock.on('error', (err) => {
      clearTimeout(timer);
      sock.close();
      reject(err);
    });
    sock.send(query, port, host);
  });
}

function exchangeTCP(query: Buffer, host: string, port: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    const len = Buffer.alloc(2);
    len.writeUInt16BE(query.length);
    let buf = Buffer.alloc(0);
    sock.setTimeout(TIMEOUT_MS, () => sock.destroy(new Error('timeout')));
    sock.on('connect', () => sock.end(Buffer.concat([len, query])));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        sock.destroy();
        resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      }
    });
    sock.on('error', reject);
  });
}

interface Cached {
  expires: number;
  message: Message;
}

export class Forwarder {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly upstreams: { host: string; port: number }[],
    private readonly cacheSeconds: number,
  ) {}

  /** The upstream's answer to one question, with the client's id (SERVFAIL if none answers). */
  async resolve(q: Question, id: number, rd: boolean): Promise<Message> {
    const key = `${q.name}/${q.type}/${q.class}`;
    const hit = this.cache.get(key);
    const now = Date.now();
    if (hit && hit.expires > now) {
      const left = Math.max(0, Math.floor((hit.expires - now) / 1000));
      const age = (rr: Message['answers'][number]) => ({ ...rr, ttl: Math.min(rr.ttl, left) });
      return {
        ...hit.message,
        id,
        answers: hit.message.answers.map(age),
        authority: hit.message.authority.map(age),
      };
    }
    const query = encode({
      id: Math.floor(Math.random() * 0x10000),
      flags: { qr: false, opcode: 0, aa: false, tc: false, rd, ra: false, rcode: 0 },
      questions: [q],
      answers: [],
      authority: [],
      additional: [],
      udpSize: 1232,
    });
    for (const u of this.upstreams) {
      try {
        let reply = decode(await exchangeUDP(query, u.host, u.port));
        if (reply.flags.tc) reply = decode(await exchangeTCP(query, u.host, u.port));
        this.remember(key, reply);
        return { ...reply, id };
      } catch {
        // next upstream
      }
    }
    return {
      id,
      flags: { qr: true, opcode: 0, aa: false, tc: false, rd, ra: true, rcode: RCODE.SERVFAIL },
      questions: [q],
      answers: [],
      authority: [],
      additional: [],
    };
  }

  private remember(key: string, reply: Message): void {
    if (this.cacheSeconds <= 0) return;
    if (reply.flags.rcode !== RCODE.NOERROR && reply.flags.rcode !== RCODE.NXDOMAIN) return;
    const ttls = [...reply.answers, ...reply.authority].map((r) => r.ttl);
    const ttl = Math.min(this.cacheSeconds, ...(ttls.length ? ttls : [this.cacheSeconds]));
    if (ttl <= 0) return;
    if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { expires: Date.now() + ttl * 1000, message: reply });
  }
}
