// SPDY/3 header blocks (§2.6.10): a 32-bit count, then per header a 32-bit-length name and a
// 32-bit-length value (several values joined by NUL). Names must be lowercase: Go's framer
// refuses a frame with an upper-case name ("header was not lowercased") or a repeated one.
// The whole block is zlib-compressed with one compression context per direction and per
// connection, primed with the SPDY/3 dictionary, each block ending on a sync flush.
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SpdyProtocolError } from './frames.js';

/** Header names (lowercase) → values, as carried by SYN_STREAM, SYN_REPLY and HEADERS. */
export type SpdyHeaders = Record<string, string[]>;

const WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding',
  'accept-language', 'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection',
  'content-base', 'content-encoding', 'content-language', 'content-length', 'content-location',
  'content-md5', 'content-range', 'content-type', 'date', 'etag', 'expect', 'expires', 'from', 'host',
  'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'last-modified',
  'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via',
  'warning', 'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url',
  'public', 'set-cookie', 'keep-alive', 'origin',
]; // prettier-ignore
const TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
  '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
  'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

/**
 * The SPDY/3 zlib dictionary (draft 3 §2.6.10.1; Go's spdy `headerDictionary`): 1423 bytes,
 * the length-prefixed common header words followed by common values.
 */
export const SPDY3_DICTIONARY: Buffer = Buffer.concat([
  ...WORDS.flatMap((w) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    return [len, Buffer.from(w, 'latin1')];
  }),
  Buffer.from(TAIL, 'latin1'),
]);

export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const entries = Object.entries(headers);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(entries.length);
  parts.push(count);
  for (const [name, values] of entries) {
    for (const s of [name.toLowerCase(), values.join('\0')]) {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      parts.push(len, b);
    }
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const fail = (why: string): never => {
    throw new SpdyProtocolError(`invalid header block: ${why}`);
  };
  if (block.length < 4) fail('too short');
  const n = block.readUInt32BE(0);
  let off = 4;
  const readString = (): string => {
    if (off + 4 > block.length) fail('truncated');
    const len = block.readUInt32BE(off);
    off += 4;
    if (off + len > block.length) fail('truncated');
    const s = block.toString('utf8', off, off + len);
    off += len;
    return s;
  };
  const out: SpdyHeaders = {};
  for (let i = 0; i < n; i++) {
    const name = readString();
    const value = readString();
    if (name === '') fail('empty header name');
    if (name !== name.toLowerCase()) fail(`header name ${JSON.stringify(name)} was not lowercased`);
    if (name in out) fail(`header ${JSON.stringify(name)} repeated`);
    out[name] = value.split('\0');
  }
  return out;
}

/** Pushes `input` through a zlib stream with a sync flush and returns what came out. */
function flushThrough(z: Deflate | Inflate, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(new SpdyProtocolError(`header compression: ${e.message}`));
    z.once('error', onError);
    z.write(input);
    z.flush(constants.Z_SYNC_FLUSH, () => {
      z.off('error', onError);
      const out: Buffer[] = [];
      for (let c = z.read() as Buffer | null; c !== null; c = z.read() as Buffer | null) out.push(c);
      resolve(Buffer.concat(out));
    });
  });
}

/**
 * One direction's header compression context. Blocks are compressed strictly in call order
 * (the zlib state is shared), so callers must send the frames in the same order.
 */
export class HeaderCompressor {
  private readonly z = createDeflate({ dictionary: SPDY3_DICTIONARY, level: constants.Z_BEST_COMPRESSION });
  private tail: Promise<unknown> = Promise.resolve();

  compress(headers: SpdyHeaders): Promise<Buffer> {
    const raw = encodeHeaderBlock(headers);
    const done = this.tail.then(() => flushThrough(this.z, raw));
    this.tail = done.catch(() => undefined);
    return done;
  }

  close(): void {
    this.z.close();
  }
}

/** The receiving side's context: decompress blocks in the order the frames arrived. */
export class HeaderDecompressor {
  private readonly z = createInflate({ dictionary: SPDY3_DICTIONARY });
  private tail: Promise<unknown> = Promise.resolve();

  decompress(block: Buffer): Promise<SpdyHeaders> {
    if (block.length === 0) return Promise.resolve({});
    const done = this.tail.then(async () => decodeHeaderBlock(await flushThrough(this.z, block)));
    this.tail = done.catch(() => undefined);
    return done;
  }

  close(): void {
    this.z.close();
  }
}
