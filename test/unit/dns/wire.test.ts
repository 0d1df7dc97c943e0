// DNS wire format: what dig and libc resolvers send and expect back.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  decode,
  DecodeError,
  encode,
  ipv6ToBytes,
  ipv6ToString,
  RCODE,
  TYPE,
  type Message,
} from '../../../src/dns/wire.js';

const query = (name: string, type: number): Message => ({
  id: 0x1234,
  flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0 },
  questions: [{ name, type, class: 1 }],
  answers: [],
  authority: [],
  additional: [],
});

describe('dns wire format', () => {
  it('round-trips a query and an answer, names lower-cased', () => {
    const q = decode(encode(query('Kubernetes.Default.SVC.cluster.local', TYPE.A)));
    assert.equal(q.id, 0x1234);
    assert.equal(q.flags.rd, true);
    assert.deepEqual(q.questions, [{ name: 'kubernetes.default.svc.cluster.local', type: TYPE.A, class: 1 }]);
    const a: Message = {
      ...q,
      flags: { ...q.flags, qr: true, aa: true, ra: true },
      answers: [
        {
          name: q.questions[0].name,
          type: TYPE.A,
          class: 1,
          ttl: 5,
          data: { kind: 'A', address: '10.43.0.1' },
        },
        {
          name: `_https._tcp.${q.questions[0].name}`,
          type: TYPE.SRV,
          class: 1,
          ttl: 5,
          data: { kind: 'SRV', priority: 0, weight: 100, port: 443, target: q.questions[0].name },
        },
      ],
    };
    const back = decode(encode(a));
    assert.equal(back.flags.aa, true);
    assert.deepEqual(back.answers, a.answers);
  });

  it('compresses repeated names (RFC 1035 4.1.4)', () => {
    const name = 'a-long-service-name.some-namespace.svc.cluster.local';
    const m: Message = {
      ...query(name, TYPE.A),
      answers: Array.from({ length: 5 }, (_, i) => ({
        name,
        type: TYPE.A,
        class: 1,
        ttl: 5,
        data: { kind: 'A' as const, address: `10.0.0.${i}` },
      })),
    };
    // each repeated owner name is a 2-byte pointer
    assert.equal(encode(m).length, 12 + (name.length + 2 + 4) + 5 * (2 + 10 + 4));
  });

  it('refuses truncated messages and pointer loops without hanging', () => {
    const ok = encode(query('x.y', TYPE.A));
    assert.throws(() => decode(ok.subarray(0, ok.length - 3)), DecodeError);
    const loop = Buffer.from(ok);
    loop[12] = 0xc0;
    loop[13] = 12; // a pointer to itself
    assert.throws(() => decode(loop), DecodeError);
  });

  it('sets TC when the answer does not fit a UDP message', () => {
    const m: Message = {
      ...query('many.x', TYPE.A),
      flags: { ...query('x', 1).flags, qr: true, rcode: RCODE.NOERROR },
      answers: Array.from({ length: 100 }, (_, i) => ({
        name: `host-${i}.many.x`,
        type: TYPE.A,
        class: 1,
        ttl: 5,
        data: { kind: 'A' as const, address: `10.0.${i}.1` },
      })),
    };
    const udp = decode(encode(m, 512));
    assert.equal(udp.flags.tc, true);
    assert.equal(udp.answers.length, 0);
    assert.equal(decode(encode(m)).answers.length, 100);
  });

  it('writes IPv6 addresses in their canonical form', () => {
    assert.equal(ipv6ToString(ipv6ToBytes('fd00:10:43::1')), 'fd00:10:43::1');
    assert.equal(ipv6ToString(ipv6ToBytes('::1')), '::1');
    assert.equal(ipv6ToString(ipv6ToBytes('2001:db8:0:0:1:0:0:1')), '2001:db8::1:0:0:1');
  });
});
