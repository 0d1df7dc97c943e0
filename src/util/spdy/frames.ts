// SPDY/3 framing (draft 3.1, the dialect Go's moby/spdystream speaks for kubectl port-forward,
// exec and attach): every frame is an 8-byte header and a payload. Control frames start with
// the control bit, version 3 and a type; data frames with a 31-bit stream id. Header blocks are
// carried here still compressed: header-block.ts encodes them, compression.ts (de)compresses.
export const SPDY_VERSION = 3;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;
/** SETTINGS frame flag: forget persisted settings. */
export const FLAG_SETTINGS_CLEAR = 0x01;

export const TYPE = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

/** RST_STREAM status codes (SPDY/3 §2.6.3). */
export const RST = {
  PROTOCOL_ERROR: 1,
  INVALID_STREAM: 2,
  REFUSED_STREAM: 3,
  UNSUPPORTED_VERSION: 4,
  CANCEL: 5,
  INTERNAL_ERROR: 6,
  FLOW_CONTROL_ERROR: 7,
  STREAM_IN_USE: 8,
  STREAM_ALREADY_CLOSED: 9,
  FRAME_TOO_LARGE: 11,
} as const;

export const SETTINGS_INITIAL_WINDOW_SIZE = 7;
/** A data or control frame's length field is 24 bits. */
export const MAX_FRAME_LENGTH = 0xffffff;

export type Frame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | {
      type: 'syn_stream';
      streamId: number;
      associatedTo: number;
      priority: number;
      slot: number;
      flags: number;
      headerBlock: Buffer;
    }
  | { type: 'syn_reply'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'rst_stream'; streamId: number; flags: number; status: number }
  | { type: 'settings'; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; flags: number; id: number }
  | { type: 'goaway'; flags: number; lastGoodStreamId: number; status: number }
  | { type: 'headers'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'window_update'; streamId: number; flags: number; delta: number }
  /** A control frame of a type SPDY/3 does not define: receivers must ignore it. */
  | { type: 'unknown'; controlType: number; flags: number; payload: Buffer };

export class SpdyProtocolError extends Error {}

function controlHeader(type: number, flags: number, length: number): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(((flags & 0xff) << 24) | length, 4);
  return h;
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

/** The wire bytes of one frame (header blocks must already be compressed). */
export function encodeFrame(f: Frame): Buffer {
  switch (f.type) {
    case 'data': {
      if (f.data.length > MAX_FRAME_LENGTH) throw new SpdyProtocolError('data frame too large');
      const h = Buffer.alloc(8);
      h.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      h.writeUInt32BE(((f.flags & 0xff) << 24) | f.data.length, 4);
      return f.data.length ? Buffer.concat([h, f.data]) : h;
    }
    case 'syn_stream': {
      const body = Buffer.alloc(10);
      body.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      body.writeUInt32BE(f.associatedTo & 0x7fffffff, 4);
      body.writeUInt8((f.priority & 0x7) << 5, 8);
      body.writeUInt8(f.slot & 0xff, 9);
      const len = body.length + f.headerBlock.length;
      return Buffer.concat([controlHeader(TYPE.SYN_STREAM, f.flags, len), body, f.headerBlock]);
    }
    case 'syn_reply':
    case 'headers': {
      const type = f.type === 'syn_reply' ? TYPE.SYN_REPLY : TYPE.HEADERS;
      const len = 4 + f.headerBlock.length;
      return Buffer.concat([controlHeader(type, f.flags, len), u32(f.streamId & 0x7fffffff), f.headerBlock]);
    }
    case 'rst_stream':
      return Buffer.concat([
        controlHeader(TYPE.RST_STREAM, f.flags, 8),
        u32(f.streamId & 0x7fffffff, f.status),
      ]);
    case 'settings': {
      const body = Buffer.alloc(4 + 8 * f.entries.length);
      body.writeUInt32BE(f.entries.length, 0);
      f.entries.forEach((e, i) => {
        body.writeUInt32BE(((e.flags & 0xff) << 24) | (e.id & 0xffffff), 4 + i * 8);
        body.writeUInt32BE(e.value >>> 0, 8 + i * 8);
      });
      return Buffer.concat([controlHeader(TYPE.SETTINGS, f.flags, body.length), body]);
    }
    case 'ping':
      return Buffer.concat([controlHeader(TYPE.PING, f.flags, 4), u32(f.id)]);
    case 'goaway':
      return Buffer.concat([
        controlHeader(TYPE.GOAWAY, f.flags, 8),
        u32(f.lastGoodStreamId & 0x7fffffff, f.status),
      ]);
    case 'window_update':
      return Buffer.concat([
        controlHeader(TYPE.WINDOW_UPDATE, f.flags, 8),
        u32(f.streamId & 0x7fffffff, f.delta & 0x7fffffff),
      ]);
    case 'unknown':
      return Buffer.concat([controlHeader(f.controlType, f.flags, f.payload.length), f.payload]);
  }
}

function need(payload: Buffer, n: number, what: string): void {
  if (payload.length < n) throw new SpdyProtocolError(`${what} frame too short (${payload.length} bytes)`);
}

function decodeControl(type: number, flags: number, p: Buffer): Frame {
  switch (type) {
    case TYPE.SYN_STREAM:
      need(p, 10, 'SYN_STREAM');
      return {
        type: 'syn_stream',
        streamId: p.readUInt32BE(0) & 0x7fffffff,
        associatedTo: p.readUInt32BE(4) & 0x7fffffff,
        priority: p[8] >> 5,
        slot: p[9],
        flags,
        headerBlock: p.subarray(10),
      };
    case TYPE.SYN_REPLY:
    case TYPE.HEADERS:
      need(p, 4, type === TYPE.SYN_REPLY ? 'SYN_REPLY' : 'HEADERS');
      return {
        type: type === TYPE.SYN_REPLY ? 'syn_reply' : 'headers',
        streamId: p.readUInt32BE(0) & 0x7fffffff,
        flags,
        headerBlock: p.subarray(4),
      };
    case TYPE.RST_STREAM:
      need(p, 8, 'RST_STREAM');
      return {
        type: 'rst_stream',
        streamId: p.readUInt32BE(0) & 0x7fffffff,
        flags,
        status: p.readUInt32BE(4),
      };
    case TYPE.SETTINGS: {
      need(p, 4, 'SETTINGS');
      const n = p.readUInt32BE(0);
      need(p, 4 + n * 8, 'SETTINGS');
      const entries = [];
      for (let i = 0; i < n; i++) {
        const idFlags = p.readUInt32BE(4 + i * 8);
        entries.push({ flags: idFlags >>> 24, id: idFlags & 0xffffff, value: p.readUInt32BE(8 + i * 8) });
      }
      return { type: 'settings', flags, entries };
    }
    case TYPE.PING:
      need(p, 4, 'PING');
      return { type: 'ping', flags, id: p.readUInt32BE(0) };
    case TYPE.GOAWAY:
      need(p, 8, 'GOAWAY');
      return {
        type: 'goaway',
        flags,
        lastGoodStreamId: p.readUInt32BE(0) & 0x7fffffff,
        status: p.readUInt32BE(4),
      };
    case TYPE.WINDOW_UPDATE:
      need(p, 8, 'WINDOW_UPDATE');
      return {
        type: 'window_update',
        flags,
        streamId: p.readUInt32BE(0) & 0x7fffffff,
        delta: p.readUInt32BE(4) & 0x7fffffff,
      };
    default:
      return { type: 'unknown', controlType: type, flags, payload: p };
  }
}

/**
 * Splits a byte stream into frames. Feed it whatever the socket delivers; it returns the
 * complete frames and keeps the rest. Throws SpdyProtocolError on a version other than 3.
 */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buf.length >= 8) {
      const word = this.buf.readUInt32BE(4);
      const length = word & 0xffffff;
      if (this.buf.length < 8 + length) break;
      const flags = word >>> 24;
      // copy, so that a frame never pins the (possibly large) socket chunk it came in
      const payload = Buffer.from(this.buf.subarray(8, 8 + length));
      const first = this.buf.readUInt32BE(0);
      this.buf = this.buf.subarray(8 + length);
      if (first & 0x80000000) {
        const version = (first >>> 16) & 0x7fff;
        if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
        frames.push(decodeControl(first & 0xffff, flags, payload));
      } else {
        frames.push({ type: 'data', streamId: first & 0x7fffffff, flags, data: payload });
      }
    }
    return frames;
  }
}
