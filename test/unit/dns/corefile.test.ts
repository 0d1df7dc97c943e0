// The Corefile subset the cluster DNS honours (seed 004 §3.7's ConfigMaps).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CorefileError, DEFAULT_COREFILE, parseCorefile } from '../../../src/dns/corefile.js';

describe('Corefile', () => {
  it("reads the seed's coredns ConfigMap", () => {
    const blocks = parseCorefile(`.:53 {
    errors
    health {
        lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
}`);
    assert.equal(blocks.length, 1);
    assert.deepEqual(blocks[0].zones, ['']);
    assert.deepEqual(blocks[0].kubernetes, {
      zones: ['cluster.local', 'in-addr.arpa', 'ip6.arpa'],
      pods: 'insecure',
      ttl: 30,
      fallthrough: ['in-addr.arpa', 'ip6.arpa'],
    });
    assert.deepEqual(blocks[0].forward, { from: '', to: ['/etc/resolv.conf'] });
    assert.equal(blocks[0].cacheSeconds, 30);
    assert.equal(blocks[0].loadbalance, true);
  });

  it('reads a stub domain block beside the main one', () => {
    const blocks =
      parseCorefile(`${DEFAULT_COREFILE.replace('forward . /etc/resolv.conf', 'forward . 172.16.0.1')}
consul.local:53 {
    errors
    cache 30
    forward . 10.150.0.1
}`);
    assert.deepEqual(
      blocks.map((b) => [b.zones, b.forward?.to]),
      [
        [[''], ['172.16.0.1']],
        [['consul.local'], ['10.150.0.1']],
      ],
    );
  });

  it('refuses what CoreDNS would refuse, with the reason', () => {
    assert.throws(() => parseCorefile('.:53 {\n kubernetes cluster.local {\n pods sometimes\n }\n}'), {
      message: 'kubernetes: pods: unknown mode "sometimes"',
    });
    assert.throws(
      () => parseCorefile('.:53 {\n kubernetes cluster.local {\n ttl 4000\n }\n}'),
      CorefileError,
    );
    assert.throws(() => parseCorefile('.:53 {\n forward .\n}'), CorefileError);
    assert.throws(() => parseCorefile('.:53 {\n cache\n'), { message: 'missing "}"' });
  });
});
