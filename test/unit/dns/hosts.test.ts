// CoreDNS's hosts plugin: the Corefile syntax and the table's answers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CorefileError, parseCorefile } from '../../../src/dns/corefile.js';
import { lookupHosts, parseHosts } from '../../../src/dns/hosts.js';
import { TYPE } from '../../../src/dns/wire.js';

describe('hosts plugin', () => {
  it('parses the file, zones, inline lines, ttl, no_reverse and fallthrough', () => {
    const [b] = parseCorefile(`.:53 {
    hosts /etc/coredns/NodeHosts example.org {
        10.0.0.1 example.org www.example.org
        ttl 60
        reload 15s
        no_reverse
        fallthrough
    }
}`);
    assert.deepEqual(b.hosts, {
      file: '/etc/coredns/NodeHosts',
      inline: '10.0.0.1 example.org www.example.org',
      zones: ['example.org'],
      ttl: 60,
      reverse: false,
      fallthrough: [''],
    });
    assert.deepEqual(parseCorefile('.:53 {\n  hosts\n}').at(0)?.hosts?.file, '/etc/hosts');
    assert.throws(() => parseCorefile('.:53 {\n  hosts {\n    bogus 1\n  }\n}'), CorefileError);
    assert.throws(() => parseCorefile('.:53 {\n  hosts {\n    ttl -1\n  }\n}'), /ttl must be in range/);
  });

  it('answers A, AAAA and PTR; NODATA for a listed name without that type; unknown names not found', () => {
    const t = parseHosts('# comment\n10.0.0.1 Node-A node-a.lan\nfd00::1 node-a\n\nnot-an-ip x\n');
    const o = { ttl: 60, reverse: true };
    const a = lookupHosts(t, 'node-a', TYPE.A, o);
    assert.ok(a.found);
    assert.deepEqual(
      a.answers.map((r) => r.data),
      [{ kind: 'A', address: '10.0.0.1' }],
    );
    const aaaa = lookupHosts(t, 'node-a', TYPE.AAAA, o);
    assert.ok(aaaa.found);
    assert.deepEqual(
      aaaa.answers.map((r) => r.data),
      [{ kind: 'AAAA', address: 'fd00::1' }],
    );
    const nodata = lookupHosts(t, 'node-a.lan', TYPE.AAAA, o);
    assert.ok(nodata.found);
    assert.equal(nodata.answers.length, 0);
    assert.equal(lookupHosts(t, 'x', TYPE.A, o).found, false);
    const ptr = lookupHosts(t, '1.0.0.10.in-addr.arpa', TYPE.PTR, o);
    assert.ok(ptr.found);
    assert.deepEqual(
      ptr.answers.map((r) => r.data),
      [
        { kind: 'PTR', target: 'node-a' },
        { kind: 'PTR', target: 'node-a.lan' },
      ],
    );
    assert.equal(lookupHosts(t, '1.0.0.10.in-addr.arpa', TYPE.PTR, { ttl: 60, reverse: false }).found, false);
  });
});
