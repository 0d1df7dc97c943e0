// The overlay's tables from Node objects: what flannel's kube subnet manager reads and the
// kernel entries (routes, ARP, FDB) that follow, and the commands that converge on them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/types.js';
import { cidrContains, networkAddress } from '../../../src/flannel/cidr.js';
import { masqRestore } from '../../../src/flannel/masq.js';
import { parseBackend } from '../../../src/flannel/main.js';
import {
  ANNOTATIONS,
  desiredHostGw,
  desiredVxlan,
  emptyTable,
  hostGwBatch,
  leaseOf,
  ownAnnotations,
  parseVxlanTable,
  vxlanBatches,
} from '../../../src/flannel/table.js';

function node(
  name: string,
  podCIDR: string | undefined,
  ip: string,
  ann: Record<string, string> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, annotations: ann },
    spec: podCIDR ? { podCIDR } : {},
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
    },
  };
}

const vx = (mac: string) => ownAnnotations('vxlan', '', mac);

describe('flannel leases from Node objects', () => {
  it('publishes the four annotations flannel writes, backend-data as VNIVersion/VtepMAC JSON', () => {
    assert.deepEqual(ownAnnotations('vxlan', '10.0.0.1', '6e:c1:6f:7f:48:92'), {
      'flannel.alpha.coreos.com/backend-type': 'vxlan',
      'flannel.alpha.coreos.com/backend-data': '{"VNIVersion":1,"VtepMAC":"6e:c1:6f:7f:48:92"}',
      'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
      'flannel.alpha.coreos.com/public-ip': '10.0.0.1',
    });
    assert.equal(ownAnnotations('host-gw', '10.0.0.1')['flannel.alpha.coreos.com/backend-data'], 'null');
  });

  it('reads podCIDR, the public IP (overwrite, then annotation, then InternalIP) and the VTEP MAC', () => {
    const l = leaseOf(node('a', '10.42.1.0/24', '10.0.0.2', { ...vx('AA:BB:CC:00:00:01') }));
    assert.deepEqual(l, {
      node: 'a',
      podCIDR: '10.42.1.0/24',
      publicIP: '10.0.0.2',
      backendType: 'vxlan',
      vtepMAC: 'aa:bb:cc:00:00:01',
    });
    const o = leaseOf(
      node('a', '10.42.1.0/24', '10.0.0.2', { [ANNOTATIONS.publicIPOverwrite]: '192.168.9.9' }),
    );
    assert.equal(o?.publicIP, '192.168.9.9');
    assert.equal(leaseOf(node('b', undefined, '10.0.0.3')), undefined, 'no podCIDR yet: no lease');
    const broken = leaseOf(node('c', '10.42.2.0/24', '10.0.0.4', { [ANNOTATIONS.backendData]: '{nope' }));
    assert.equal(broken?.vtepMAC, undefined);
  });
});

describe('flannel VXLAN table', () => {
  const leases = [
    leaseOf(node('self', '10.42.0.0/24', '10.0.0.1', vx('00:00:00:00:00:01')))!,
    leaseOf(node('b', '10.42.1.0/24', '10.0.0.2', vx('00:00:00:00:00:02')))!,
    leaseOf(node('c', '10.42.2.0/24', '10.0.0.3', vx('00:00:00:00:00:03')))!,
    leaseOf(node('d', '10.42.3.0/24', '10.0.0.4'))!, // no backend data: not reachable yet
  ];

  it('has a route via the network address onlink, a permanent ARP entry and an FDB entry per other node', () => {
    const t = desiredVxlan('self', leases);
    assert.deepEqual(
      [...t.routes],
      [
        ['10.42.1.0/24', '10.42.1.0'],
        ['10.42.2.0/24', '10.42.2.0'],
      ],
    );
    assert.deepEqual(
      [...t.neighs],
      [
        ['10.42.1.0', '00:00:00:00:00:02'],
        ['10.42.2.0', '00:00:00:00:00:03'],
      ],
    );
    assert.deepEqual(
      [...t.fdb],
      [
        ['00:00:00:00:00:02', '10.0.0.2'],
        ['00:00:00:00:00:03', '10.0.0.3'],
      ],
    );
  });

  it('from nothing: FDB lines for bridge, neighbour then route lines for ip', () => {
    const b = vxlanBatches(emptyTable(), desiredVxlan('self', leases.slice(0, 2)));
    assert.deepEqual(b.bridge, ['fdb replace 00:00:00:00:00:02 dev flannel.1 dst 10.0.0.2 self permanent']);
    assert.deepEqual(b.ip, [
      'neigh replace 10.42.1.0 lladdr 00:00:00:00:00:02 dev flannel.1 nud permanent',
      'route replace 10.42.1.0/24 via 10.42.1.0 dev flannel.1 onlink',
    ]);
  });

  it('converged: no commands; a node gone: its three entries deleted', () => {
    const current = parseVxlanTable(
      [
        { dst: '10.42.1.0/24', gateway: '10.42.1.0' },
        { dst: '10.42.2.0/24', gateway: '10.42.2.0' },
      ],
      [
        { dst: '10.42.1.0', lladdr: '00:00:00:00:00:02' },
        { dst: '10.42.2.0', lladdr: '00:00:00:00:00:03' },
      ],
      [
        { mac: '00:00:00:00:00:02', dst: '10.0.0.2' },
        { mac: '00:00:00:00:00:03', dst: '10.0.0.3' },
      ],
    );
    assert.deepEqual(vxlanBatches(current, desiredVxlan('self', leases)), { bridge: [], ip: [] });
    const gone = vxlanBatches(current, desiredVxlan('self', leases.slice(0, 2)));
    assert.deepEqual(gone.bridge, ['fdb del 00:00:00:00:00:03 dev flannel.1 dst 10.0.0.3 self']);
    assert.deepEqual(gone.ip, ['route del 10.42.2.0/24 dev flannel.1', 'neigh del 10.42.2.0 dev flannel.1']);
  });

  it('a node that moved to another IP gets its FDB entry replaced', () => {
    const current = parseVxlanTable([], [], [{ mac: '00:00:00:00:00:02', dst: '10.0.0.99' }]);
    const b = vxlanBatches(current, desiredVxlan('self', leases.slice(0, 2)));
    assert.deepEqual(b.bridge, ['fdb replace 00:00:00:00:00:02 dev flannel.1 dst 10.0.0.2 self permanent']);
  });
});

describe('flannel host-gw and masquerade', () => {
  it('routes each other host-gw node podCIDR via its IP', () => {
    const hg = ownAnnotations('host-gw', '');
    const want = desiredHostGw('self', [
      leaseOf(node('self', '10.42.0.0/24', '10.0.0.1', hg))!,
      leaseOf(node('b', '10.42.1.0/24', '10.0.0.2', hg))!,
    ]);
    assert.deepEqual(hostGwBatch(new Map([['10.42.7.0/24', '10.0.0.7']]), want, 'eth0'), [
      'route replace 10.42.1.0/24 via 10.0.0.2 dev eth0',
      'route del 10.42.7.0/24 dev eth0',
    ]);
  });

  it('FLANNEL-POSTRTG: pod-to-pod not NATed, leaving the cluster CIDR masqueraded', () => {
    const text = masqRestore('10.42.0.0/16', '10.42.1.0/24');
    assert.match(text, /^-A FLANNEL-POSTRTG -s 10\.42\.0\.0\/16 -d 10\.42\.0\.0\/16 .* -j RETURN$/m);
    assert.match(
      text,
      /^-A FLANNEL-POSTRTG -s 10\.42\.0\.0\/16 ! -d 224\.0\.0\.0\/4 .* -j MASQUERADE --random-fully$/m,
    );
    assert.match(text, /^-A FLANNEL-FWD -s 10\.42\.0\.0\/16 .* -j ACCEPT$/m);
  });

  it('addresses and bad flags', () => {
    assert.equal(networkAddress('10.42.3.0/24'), '10.42.3.0');
    assert.ok(cidrContains('10.42.0.0/16', '10.42.3.0/24'));
    assert.ok(!cidrContains('10.42.0.0/16', '10.43.0.0/24'));
    assert.throws(() => parseBackend('udp'), /invalid --flannel-backend "udp": want vxlan, host-gw or none/);
  });
});
