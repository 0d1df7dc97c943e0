// A pod's resolv.conf per dnsPolicy, as upstream's kubelet writes it (pkg/kubelet/network/dns).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  nodeResolvConf,
  parseResolvConf,
  podDnsConfig,
  podDnsType,
} from '../../../src/kubelet/runtime/dns-config.js';

const host = parseResolvConf(
  '# node\nnameserver 192.168.1.1\nnameserver 192.168.1.2\nsearch corp.example.\noptions edns0\n',
);
const o = { clusterDNS: ['10.43.0.10'], clusterDomain: 'cluster.local', host };
const clusterSearches = ['ns1.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];

describe('pod DNS config', () => {
  it('parses the node resolv.conf (domain is a search, trailing dots dropped)', () => {
    assert.deepEqual(host, {
      servers: ['192.168.1.1', '192.168.1.2'],
      searches: ['corp.example'],
      options: ['edns0'],
    });
    assert.deepEqual(parseResolvConf('domain a.b\n').searches, ['a.b']);
  });

  it('ClusterFirst: the cluster DNS, the namespace search path then the host searches, ndots:5', () => {
    assert.deepEqual(podDnsConfig({ namespace: 'ns1' }, o), {
      servers: ['10.43.0.10'],
      searches: [...clusterSearches, 'corp.example'],
      options: ['ndots:5'],
    });
  });

  it('ClusterFirst with hostNetwork and Default inherit the node; ClusterFirstWithHostNet does not', () => {
    const node = { servers: host.servers, searches: ['corp.example'], options: ['edns0'] };
    assert.deepEqual(
      podDnsConfig({ namespace: 'ns1', hostNetwork: true, dnsPolicy: 'ClusterFirst' }, o),
      node,
    );
    assert.deepEqual(podDnsConfig({ namespace: 'ns1', dnsPolicy: 'Default' }, o), node);
    assert.deepEqual(
      podDnsConfig({ namespace: 'ns1', hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }, o).servers,
      ['10.43.0.10'],
    );
  });

  it('None takes only the pod dnsConfig; dnsConfig is appended and options merged by name', () => {
    const dnsConfig = {
      nameservers: ['1.2.3.4'],
      searches: ['ns1.svc.cluster-domain.example', 'my.dns.search.suffix'],
      options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
    };
    assert.deepEqual(podDnsConfig({ namespace: 'ns1', dnsPolicy: 'None', dnsConfig }, o), {
      servers: ['1.2.3.4'],
      searches: ['ns1.svc.cluster-domain.example', 'my.dns.search.suffix'],
      options: ['ndots:2', 'edns0'],
    });
    const merged = podDnsConfig(
      {
        namespace: 'ns1',
        dnsConfig: { nameservers: ['10.43.0.10', '8.8.8.8'], options: [{ name: 'ndots', value: '1' }] },
      },
      o,
    );
    assert.deepEqual(merged.servers, ['10.43.0.10', '8.8.8.8']);
    assert.deepEqual(merged.options, ['ndots:1']);
  });

  it('without a cluster DNS, ClusterFirst falls back to the node resolver', () => {
    assert.equal(podDnsType({ namespace: 'x' }, []), 'host');
  });

  it('cuts the search list at 32 entries', () => {
    const searches = Array.from({ length: 40 }, (_, i) => `s${i}.example`);
    const cfg = podDnsConfig({ namespace: 'ns1', dnsPolicy: 'None', dnsConfig: { searches } }, o);
    assert.equal(cfg.searches?.length, 32);
  });

  it('does not hand pods a loopback resolver: systemd-resolved upstreams, else 8.8.8.8 (as k3s)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-resolv-'));
    try {
      const etc = join(dir, 'etc'),
        systemd = join(dir, 'systemd');
      writeFileSync(etc, 'nameserver 127.0.0.53\nsearch lan\n');
      assert.deepEqual(nodeResolvConf({ etc, systemd }).servers, ['8.8.8.8']);
      writeFileSync(systemd, 'nameserver 192.168.1.1\n');
      assert.deepEqual(nodeResolvConf({ etc, systemd }).servers, ['192.168.1.1']);
      writeFileSync(etc, 'nameserver 10.0.0.2\n');
      assert.deepEqual(nodeResolvConf({ etc, systemd }).servers, ['10.0.0.2']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
