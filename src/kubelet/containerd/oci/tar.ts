// A deterministic tar writer (POSIX ustar, with PAX headers for names that do not fit), enough
// to write image layers and OCI layout archives. Deterministic means the same entries always give
// the same bytes: mtime 0, fixed owner names, entries in the order given. That makes layer digests
// stable, so re-running the image build gives the same image IDs (and containerd sees no change).

export type TarEntry =
  | { type: 'file'; path: string; data: Uint8Array; mode?: number; uid?: number; gid?: number }
  | { type: 'dir'; path: string; mode?: number; uid?: number; gid?: number }
  | { type: 'symlink'; path: string; target: string };

const BLOCK = 512;
const enc = new TextEncoder();

/** Writes entries as one tar archive (two zero blocks at the end, as tar(1) expects). */
export function writeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const name = e.type === 'dir' ? withSlash(e.path) : stripSlash(e.path);
    const link = e.type === 'symlink' ? e.target : '';
    const data = e.type === 'file' ? Buffer.from(e.data) : Buffer.alloc(0);
    const ustarName = splitUstarName(name);
    const pax: Record<string, string> = {};
    if (!ustarName) pax.path = name;
    if (enc.encode(link).length > 100) pax.linkpath = link;
    if (Object.keys(pax).length > 0) {
      const body = Buffer.from(paxRecords(pax));
      parts.push(header({ name: 'PaxHeader', typeflag: 'x', size: body.length, mode: 0o644 }), pad(body));
    }
    const [prefix, short] = ustarName ?? ['', name.slice(-100)];
    parts.push(
      header({
        name: short,
        prefix,
        typeflag: e.type === 'file' ? '0' : e.type === 'dir' ? '5' : '2',
        size: data.length,
        mode: e.type === 'symlink' ? 0o777 : (e.mode ?? (e.type === 'dir' ? 0o755 : 0o644)),
        uid: e.type === 'symlink' ? 0 : (e.uid ?? 0),
        gid: e.type === 'symlink' ? 0 : (e.gid ?? 0),
        linkname: link.length <= 100 ? link : link.slice(0, 100),
      }),
    );
    if (data.length > 0) parts.push(pad(data));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

function withSlash(p: string): string {
  const s = stripSlash(p);
  return s.endsWith('/') ? s : s + '/';
}

function stripSlash(p: string): string {
  return p.replace(/^\/+/, '');
}

// ustar splits a long name into prefix (155) + '/' + name (100); undefined when it cannot.
function splitUstarName(name: string): [string, string] | undefined {
  if (enc.encode(name).length <= 100) return ['', name];
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== '/') continue;
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (enc.encode(prefix).length <= 155 && enc.encode(rest).length <= 100 && rest.length > 0) {
      return [prefix, rest];
    }
  }
  return undefined;
}

// A PAX record is "<len> <key>=<value>\n" where len counts the whole record including itself.
function paxRecords(fields: Record<string, string>): string {
  let out = '';
  for (const [k, v] of Object.entries(fields)) {
    const body = ` ${k}=${v}\n`;
    const bodyLen = enc.encode(body).length;
    let len = bodyLen + 1;
    while (bodyLen + String(len).length !== len) len = bodyLen + String(len).length;
    out += `${len}${body}`;
  }
  return out;
}

interface Header {
  name: string;
  prefix?: string;
  typeflag: string;
  size: number;
  mode: number;
  uid?: number;
  gid?: number;
  linkname?: string;
}

function header(h: Header): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(h.name, 0, 100, 'utf8');
  octal(b, 100, 8, h.mode);
  octal(b, 108, 8, h.uid ?? 0);
  octal(b, 116, 8, h.gid ?? 0);
  octal(b, 124, 12, h.size);
  octal(b, 136, 12, 0); // mtime: fixed, for reproducible digests
  b.fill(' ', 148, 156); // checksum is computed with its own field as spaces
  b.write(h.typeflag, 156, 1, 'ascii');
  b.write(h.linkname ?? '', 157, 100, 'utf8');
  b.write('ustar\u000000', 257, 8, 'binary');
  b.write('root', 265, 32, 'ascii');
  b.write('root', 297, 32, 'ascii');
  b.write(h.prefix ?? '', 345, 155, 'utf8');
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 8, 'binary');
  return b;
}

function octal(b: Buffer, offset: number, len: number, value: number): void {
  b.write(value.toString(8).padStart(len - 1, '0') + '\u0000', offset, len, 'ascii');
}

function pad(data: Buffer): Buffer {
  const rem = data.length % BLOCK;
  return rem === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rem)]);
}

/** Reads a tar archive back (ustar + PAX path), for tests and for the registry mirror's tarball source. */
export function readTar(buf: Uint8Array): { path: string; type: string; data: Buffer; linkname: string }[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: { path: string; type: string; data: Buffer; linkname: string }[] = [];
  let off = 0;
  let paxPath: string | undefined;
  let paxLink: string | undefined;
  while (off + BLOCK <= b.length) {
    const h = b.subarray(off, off + BLOCK);
    if (h.every((x) => x === 0)) break;
    const str = (s: number, l: number) => h.toString('utf8', s, s + l).replace(/\0.*$/s, '');
    const size = parseInt(str(124, 12).trim() || '0', 8);
    const type = str(156, 1) || '0';
    const data = b.subarray(off + BLOCK, off + BLOCK + size);
    off += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      for (const m of data.toString('utf8').matchAll(/\d+ ([^=]+)=([^\n]*)\n/g)) {
        if (m[1] === 'path') paxPath = m[2];
        if (m[1] === 'linkpath') paxLink = m[2];
      }
      continue;
    }
    const prefix = str(345, 155);
    const path = paxPath ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
    out.push({ path, type, data: Buffer.from(data), linkname: paxLink ?? str(157, 100) });
    paxPath = paxLink = undefined;
  }
  return out;
}
