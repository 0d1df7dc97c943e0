// SPDY/3 frames and header blocks, checked against hand-made bytes and one frame captured from
// the real kubectl v1.31 (Go's moby/spdystream framer).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { encodeFrame, FrameParser, SpdyProtocolError, type Frame } from '../../../src/util/spdy/frames.js';
import {
  decodeHeaderBlock,
  encodeHeaderBlock,
  HeaderCompressor,
  HeaderDecompressor,
  SPDY3_DICTIONARY,
} from '../../../src/util/spdy/headers.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// kubectl port-forward (KUBECTL_PORT_FORWARD_WEBSOCKETS=false) after one local connection: the
// error stream's SYN_STREAM, id 1, headers port=80 requestid=0 streamtype=error. The header
// block is zlib with FDICT e3c6a7c2 (the Adler-32 of the SPDY/3 dictionary), sync-flushed.
const KUBECTL_SYN_STREAM = hex(
  '800300010000003d0000000100000000000078f9e3c6a7c202253a703a2b294a4dcc851625aca9a080' +
    '8614cb45a024cc6461c0c0c0c0590489c44c50e2663400000000ffff',
);

describe('SPDY/3 frame codec', () => {
  it('parses the SYN_STREAM kubectl sends and inflates its headers with the SPDY/3 dictionary', async () => {
    const [f] = new FrameParser().push(KUBECTL_SYN_STREAM);
    assert.equal(f.type, 'syn_stream');
    if (f.type !== 'syn_stream') return;
    assert.deepEqual([f.streamId, f.associatedTo, f.priority, f.flags], [1, 0, 0, 0]);
    const d = new HeaderDecompressor();
    assert.deepEqual(await d.decompress(f.headerBlock), {
      port: ['80'],
      requestid: ['0'],
      streamtype: ['error'],
    });
    d.close();
  });

  it('the dictionary is the 1423 bytes of draft 3 (sha256 as Go spdy headerDictionary)', () => {
    assert.equal(SPDY3_DICTIONARY.length, 1423);
    assert.equal(
      createHash('sha256').update(SPDY3_DICTIONARY).digest('hex'),
      '51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02',
    );
  });

  it('our compressed blocks carry the same dictionary id and inflate in order on one context', async () => {
    const c = new HeaderCompressor();
    const d = new HeaderDecompressor();
    const blocks = await Promise.all(
      [1, 2, 3].map((i) => c.compress({ port: [String(i)], streamtype: ['data'] })),
    );
    assert.equal(blocks[0].subarray(0, 6).toString('hex'), '78f9e3c6a7c2');
    for (const [i, b] of blocks.entries()) {
      assert.equal(b.subarray(-4).toString('hex'), '0000ffff', 'each block ends on a sync flush');
      assert.deepEqual(await d.decompress(b), { port: [String(i + 1)], streamtype: ['data'] });
    }
    c.close();
    d.close();
  });

  it('encodes each frame type to the draft 3 layout', () => {
    const cases: [Frame, string][] = [
      [{ type: 'data', streamId: 1, flags: 1, data: Buffer.from('hello') }, '00000001 01000005 68656c6c6f'],
      [
        { type: 'syn_reply', streamId: 3, flags: 0, headerBlock: hex('aabb') },
        '80030002 00000006 00000003 aabb',
      ],
      [{ type: 'rst_stream', streamId: 5, flags: 0, status: 5 }, '80030003 00000008 00000005 00000005'],
      [{ type: 'ping', flags: 0, id: 2 }, '80030006 00000004 00000002'],
      [{ type: 'goaway', flags: 0, lastGoodStreamId: 7, status: 0 }, '80030007 00000008 00000007 00000000'],
      [{ type: 'window_update', streamId: 1, flags: 0, delta: 32768 }, '80030009 00000008 00000001 00008000'],
      [
        { type: 'settings', flags: 0, entries: [{ flags: 0, id: 7, value: 16 }] },
        '80030004 0000000c 00000001 00000007 00000010',
      ],
      [
        {
          type: 'syn_stream',
          streamId: 1,
          associatedTo: 0,
          priority: 7,
          slot: 0,
          flags: 1,
          headerBlock: hex('cc'),
        },
        '80030001 0100000b 00000001 00000000 e000 cc',
      ],
    ];
    for (const [frame, bytes] of cases) {
      assert.equal(encodeFrame(frame).toString('hex'), hex(bytes).toString('hex'), frame.type);
      assert.deepEqual(new FrameParser().push(encodeFrame(frame)), [frame], `${frame.type} round trip`);
    }
  });

  it('reassembles frames split anywhere, and several in one chunk', () => {
    const wire = Buffer.concat([
      KUBECTL_SYN_STREAM,
      hex('00000001 01000002 6869'),
      hex('80030006 00000004 00000001'),
    ]);
    const p = new FrameParser();
    const frames: Frame[] = [];
    for (const b of wire) frames.push(...p.push(Buffer.from([b])));
    assert.deepEqual(
      frames.map((f) => f.type),
      ['syn_stream', 'data', 'ping'],
    );
    assert.deepEqual(new FrameParser().push(wire), frames);
  });

  it('refuses a control frame of another SPDY version; ignores unknown control types', () => {
    assert.throws(() => new FrameParser().push(hex('80020006 00000004 00000001')), SpdyProtocolError);
    assert.deepEqual(new FrameParser().push(hex('8003000a 00000001 ff')), [
      { type: 'unknown', controlType: 10, flags: 0, payload: hex('ff') },
    ]);
    assert.throws(() => new FrameParser().push(hex('80030006 00000002 0000')), /PING frame too short/);
  });

  it('header blocks: values joined by NUL; upper-case or repeated names are refused as Go refuses them', () => {
    const block = encodeHeaderBlock({ a: ['1', '2'] });
    assert.equal(block.toString('hex'), hex('00000001 00000001 61 00000003 310032').toString('hex'));
    assert.deepEqual(decodeHeaderBlock(block), { a: ['1', '2'] });
    const upper = hex('00000001 00000001 41 00000000');
    assert.throws(() => decodeHeaderBlock(upper), /"A" was not lowercased/);
    const twice = hex('00000002 00000001 61 00000000 00000001 61 00000000');
    assert.throws(() => decodeHeaderBlock(twice), /"a" repeated/);
    assert.throws(() => decodeHeaderBlock(hex('00000001 00000009 61')), /truncated/);
  });
});
