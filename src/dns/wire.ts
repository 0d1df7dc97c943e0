// DNS messages on the wire (RFC 1035, with RFC 2782 SRV, RFC 3596 AAAA and the RFC 6891 OPT
// pseudo-record): decoding queries (name compression included) and encoding answers with
// name compression. Only what a cluster resolver needs; unknown record data is kept as bytes.

export const TYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  ANY: 255,
} as const;
export const CLASS_IN = 1;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export interface Question {
  /** Lower-cased, without the trailing dot ('' for the root). */
  name: string;
  type: number;
  class: number;
}

export type RecordData =
  | { kind: 'A' | 'AAAA'; address: string }
  | { kind: 'CNAME' | 'PTR' | 'NS'; target: string }
  | { kind: 'SRV'; priority: number; weight: number; port: number; target: string }
  | {
      kind: 'SOA';
      mname: string;
      rname: string;
      serial: number;
      refresh: number;
      retry: number;
      expire: number;
      minimum: number;
    }
  | { kind: 'TXT'; texts: string[] }
  | { kind: 'raw'; bytes: Uint8Array };

export interface ResourceRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  data: RecordData;
}

export interface Message {
  id: number;
  /** QR, opcode, AA, TC, RD, RA, rcode. */
  flags: { qr: boolean; opcode: number; aa: boolean; tc: boolean; rd: boolean; ra: boolean; rcode: number };
  questions: Question[];
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
  /** UDP payload size the client announced in EDNS0 (undefined without OPT). */
  udpSize?: number;
}

export class DecodeError extends Error {}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new DecodeError('message truncated');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  /** A name, following compression pointers (bounded, so a pointer loop cannot hang us). */
  name(): string {
    const labels: string[] = [];
    let pos = this.pos;
    let jumped = false;
    for (let hops = 0; ; hops++) {
      if (hops > 128 || pos >= this.buf.length) throw new DecodeError('bad name');
      const len = this.buf[pos];
      if (len === 0) {
        pos++;
        break;
      }
      if ((len & 0xc0) === 0xc0) {
        if (pos + 1 >= this.buf.length) throw new DecodeError('bad pointer');
        const target = ((len & 0x3f) << 8) | this.buf[pos + 1];
        if (!jumped) this.pos = pos + 2;
        jumped = true;
        pos = target;
        continue;
      }
      if (len > 63 || pos + 1 + len > this.buf.length) throw new DecodeError('bad label');
      labels.push(this.buf.toString('latin1', pos + 1, pos + 1 + len));
      pos += 1 + len;
    }
    if (!jumped) this.pos = pos;
    return labels.join('.').toLowerCase();
  }
}

function decodeRecord(r: Reader): ResourceRecord {
  const name = r.name();
  const type = r.u16();
  const cls = r.u16();
  const ttl = r.u32();
  const len = r.u16();
  const end = r.pos + len;
  r.need(len);
  let data: RecordData;
  if (type === TYPE.A && len === 4) data = { kind: 'A', address: [...r.bytes(4)].join('.') };
  else if (type === TYPE.AAAA && len === 16) data = { kind: 'AAAA', address: ipv6ToString(r.bytes(16)) };
  else if (type === TYPE.CNAME || type === TYPE.PTR || type === TYPE.NS)
    data = { kind: type === TYPE.CNAME ? 'CNAME' : type === TYPE.PTR ? 'PTR' : 'NS', target: r.name() };
  else if (type === TYPE.SRV)
    data = { kind: 'SRV', priority: r.u16(), weight: r.u16(), port: r.u16(), target: r.name() };
  else data = { kind: 'raw', bytes: Buffer.from(r.bytes(len)) };
  r.pos = end;
  return { name, type, class: cls, ttl, data };
}

export function decode(buf: Buffer): Message {
  const r = new Reader(buf);
  const id = r.u16();
  const f = r.u16();
  const [qd, an, ns, ar] = [r.u16(), r.u16(), r.u16(), r.u16()];
  const msg: Message = {
    id,
    flags: {
      qr: !!(f & 0x8000),
      opcode: (f >> 11) & 0xf,
      aa: !!(f & 0x400),
      tc: !!(f & 0x200),
      rd: !!(f & 0x100),
      ra: !!(f & 0x80),
      rcode: f & 0xf,
    },
    questions: [],
    answers: [],
    authority: [],
    additional: [],
  };
  for (let i = 0; i < qd; i++) msg.questions.push({ name: r.name(), type: r.u16(), class: r.u16() });
  for (let i = 0; i < an; i++) msg.answers.push(decodeRecord(r));
  for (let i = 0; i < ns; i++) msg.authority.push(decodeRecord(r));
  for (let i = 0; i < ar; i++) {
    const rr = decodeRecord(r);
    if (rr.type === TYPE.OPT) msg.udpSize = Math.max(512, rr.class);
    else msg.additional.push(rr);
  }
  return msg;
}

class Writer {
  private buf = Buffer.alloc(512);
  len = 0;
  private readonly names = new Map<string, number>();
  private grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  u8(v: number): void {
    this.grow(1);
    this.buf[this.len++] = v;
  }
  u16(v: number): void {
    this.grow(2);
    this.buf.writeUInt16BE(v & 0xffff, this.len);
    this.len += 2;
  }
  u32(v: number): void {
    this.grow(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
  }
  bytes(b: Uint8Array): void {
    this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  setU16(at: number, v: number): void {
    this.buf.writeUInt16BE(v, at);
  }
  /** A name, compressed against the names written before (RFC 1035 §4.1.4). */
  name(name: string): void {
    const labels = name === '' ? [] : name.split('.');
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const at = this.names.get(suffix);
      if (at !== undefined) return this.u16(0xc000 | at);
      if (this.len < 0x3fff) this.names.set(suffix, this.len);
      const label = Buffer.from(labels[i], 'latin1');
      this.u8(Math.min(label.length, 63));
      this.bytes(label.subarray(0, 63));
    }
    this.u8(0);
  }
  done(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

function encodeData(w: Writer, d: RecordData): void {
  switch (d.kind) {
    case 'A':
      for (const p of d.address.split('.')) w.u8(Number(p));
      return;
    case 'AAAA':
      w.bytes(ipv6ToBytes(d.address));
      return;
    case 'CNAME':
    case 'PTR':
    case 'NS':
      w.name(d.target);
      return;
    case 'SRV':
      w.u16(d.priority);
      w.u16(d.weight);
      w.u16(d.port);
      w.name(d.target);
      return;
    case 'SOA':
      w.name(d.mname);
      w.name(d.rname);
      for (const v of [d.serial, d.refresh, d.retry, d.expire, d.minimum]) w.u32(v);
      return;
    case 'TXT':
      for (const t of d.texts) {
        const b = Buffer.from(t, 'utf8').subarray(0, 255);
        w.u8(b.length);
        w.bytes(b);
      }
      return;
    case 'raw':
      w.bytes(d.bytes);
  }
}

function encodeRecord(w: Writer, rr: ResourceRecord): void {
  w.name(rr.name);
  w.u16(rr.type);
  w.u16(rr.class);
  w.u32(rr.ttl);
  const lenAt = w.len;
  w.u16(0);
  encodeData(w, rr.data);
  w.setU16(lenAt, w.len - lenAt - 2);
}

/**
 * Encodes a message. With `maxSize` (UDP), answers that do not fit are dropped and TC set,
 * so the client retries over TCP (RFC 1035 §4.2.1).
 */
export function encode(m: Message, maxSize = Infinity): Buffer {
  const build = (
    answers: ResourceRecord[],
    authority: ResourceRecord[],
    additional: ResourceRecord[],
    tc: boolean,
  ) => {
    const w = new Writer();
    const f = m.flags;
    w.u16(m.id);
    w.u16(
      (f.qr ? 0x8000 : 0) |
        ((f.opcode & 0xf) << 11) |
        (f.aa ? 0x400 : 0) |
        (tc ? 0x200 : 0) |
        (f.rd ? 0x100 : 0) |
        (f.ra ? 0x80 : 0) |
        (f.rcode & 0xf),
    );
    const opt = m.udpSize !== undefined;
    w.u16(m.questions.length);
    w.u16(answers.length);
    w.u16(authority.length);
    w.u16(additional.length + (opt ? 1 : 0));
    for (const q of m.questions) {
      w.name(q.name);
      w.u16(q.type);
      w.u16(q.class);
    }
    for (const rr of answers) encodeRecord(w, rr);
    for (const rr of authority) encodeRecord(w, rr);
    for (const rr of additional) encodeRecord(w, rr);
    if (opt) {
      // OPT: root name, our UDP size, no extended rcode/flags, no options
      w.u8(0);
      w.u16(TYPE.OPT);
      w.u16(m.udpSize!);
      w.u32(0);
      w.u16(0);
    }
    return w.done();
  };
  const full = build(m.answers, m.authority, m.additional, m.flags.tc);
  if (full.length <= maxSize) return Buffer.from(full);
  const withoutExtra = build(m.answers, m.authority, [], m.flags.tc);
  if (withoutExtra.length <= maxSize) return Buffer.from(withoutExtra);
  return Buffer.from(build([], [], [], true));
}

export function ipv6ToString(b: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] << 8) | b[i + 1]).toString(16));
  // the longest run of zero groups becomes '::' (RFC 5952)
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

export function ipv6ToBytes(addr: string): Buffer {
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return out;
}
