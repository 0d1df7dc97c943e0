// The iptables-restore input, checked line by line against what upstream's iptables proxier
// writes for the same services (its TestOverallIPTablesRules uses these names and hashes).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildRules } from '../../../src/proxy/rules.js';
import { clusterChain } from '../../../src/proxy/chains.js';
import { endpointsOf, servicePorts } from '../../../src/proxy/model.js';
import type { KubeObject } from '../../../src/api/types.js';

const svc = (ns: string, name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace: ns, name },
  spec,
});
const slice = (
  ns: string,
  svcName: string,
  port: { name: string; port: number },
  eps: Record<string, unknown>[],
): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { namespace: ns, name: `${svcName}-x`, labels: { 'kubernetes.io/service-name': svcName } },
  addressType: 'IPv4',
  ports: [{ ...port, protocol: 'TCP' }],
  endpoints: eps,
});

function rules(services: KubeObject[], slices: KubeObject[], nodeName = 'node1') {
  const ports = services.flatMap((s) => servicePorts(s, 'IPv4'));
  return buildRules(ports, endpointsOf(slices, 'IPv4'), {
    nodeName,
    family: 'IPv4',
    clusterCIDR: '10.0.0.0/8',
  })
    .render()
    .split('\n');
}

describe('iptables proxier rules', () => {
  it('names chains as upstream does', () => {
    assert.equal(clusterChain('default/kubernetes:https', 'tcp'), 'KUBE-SVC-NPX46M4PTMTKRN6Y');
  });

  it('writes a ClusterIP service with one endpoint exactly as upstream', () => {
    const out = rules(
      [svc('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] })],
      [
        slice('ns1', 'svc1', { name: 'p80', port: 80 }, [
          { addresses: ['10.180.0.1'], conditions: { ready: true } },
        ]),
      ],
    );
    for (const line of [
      ':KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]',
      ':KUBE-SEP-SXIVWICOYRO3J4NJ - [0:0]',
      '-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O',
      '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
      '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ',
      '-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ',
      '-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80',
      '-A KUBE-POSTROUTING -m mark ! --mark 0x00004000/0x00004000 -j RETURN',
      '-A KUBE-POSTROUTING -j MARK --xor-mark 0x00004000',
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
      '-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000',
      '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    ])
      assert.ok(out.includes(line), `missing: ${line}`);
    // the node-ports jump is the last rule of KUBE-SERVICES
    const services = out.filter((l) => l.startsWith('-A KUBE-SERVICES'));
    assert.match(services[services.length - 1], /must be the last rule/);
  });

  it('balances over endpoints with 1/n probabilities, ready ones only', () => {
    const out = rules(
      [svc('ns', 'web', { clusterIP: '10.43.0.20', ports: [{ name: 'http', port: 80 }] })],
      [
        slice('ns', 'web', { name: 'http', port: 8080 }, [
          { addresses: ['10.42.0.5'], conditions: { ready: true } },
          { addresses: ['10.42.0.6'], conditions: { ready: true } },
          { addresses: ['10.42.0.7'], conditions: { ready: true } },
          { addresses: ['10.42.0.8'], conditions: { ready: false, serving: false } },
        ]),
      ],
    );
    const chain = clusterChain('ns/web:http', 'tcp');
    const jumps = out.filter((l) => l.startsWith(`-A ${chain} -m comment --comment "ns/web:http ->`));
    assert.equal(jumps.length, 3);
    assert.match(jumps[0], /-m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-/);
    assert.match(jumps[1], /-m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-/);
    assert.doesNotMatch(jumps[2], /statistic/);
    assert.ok(!out.some((l) => l.includes('10.42.0.8')));
  });

  it('rejects traffic to a service without endpoints, in the filter table', () => {
    const out = rules(
      [svc('ns5', 'svc5', { clusterIP: '172.30.0.45', ports: [{ name: 'p80', port: 80 }] })],
      [],
    );
    const filter = out.slice(0, out.indexOf('*nat'));
    assert.ok(
      filter.includes(
        '-A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.45 --dport 80 -j REJECT',
      ),
    );
    assert.ok(!out.some((l) => l.includes('KUBE-SVC-') && l.startsWith(':')));
  });

  it('uses serving terminating endpoints only when none is ready', () => {
    const out = rules(
      [svc('ns', 'old', { clusterIP: '10.43.0.30', ports: [{ name: '', port: 80 }] })],
      [
        slice('ns', 'old', { name: '', port: 80 }, [
          { addresses: ['10.42.1.1'], conditions: { ready: false, serving: true, terminating: true } },
        ]),
      ],
    );
    assert.ok(out.some((l) => l.endsWith('-j DNAT --to-destination 10.42.1.1:80')));
  });

  it('NodePort with externalTrafficPolicy Local: node ports to KUBE-EXT, external traffic to local endpoints only', () => {
    const out = rules(
      [
        svc('ns', 'np', {
          type: 'NodePort',
          clusterIP: '10.43.0.40',
          externalTrafficPolicy: 'Local',
          ports: [{ name: 'http', port: 80, nodePort: 30080 }],
        }),
      ],
      [
        slice('ns', 'np', { name: 'http', port: 80 }, [
          { addresses: ['10.42.0.5'], conditions: { ready: true }, nodeName: 'node1' },
          { addresses: ['10.42.1.5'], conditions: { ready: true }, nodeName: 'node2' },
        ]),
      ],
    );
    const ext = out.find((l) => l.startsWith('-A KUBE-NODEPORTS'))!;
    assert.match(
      ext,
      /^-A KUBE-NODEPORTS -m comment --comment ns\/np:http -m tcp -p tcp --dport 30080 -j KUBE-EXT-/,
    );
    const extChain = ext.split(' ').pop()!;
    assert.ok(
      out.includes(
        `-A ${extChain} -m comment --comment "pod traffic for ns/np:http external destinations" -s 10.0.0.0/8 -j ${clusterChain('ns/np:http', 'tcp')}`,
      ),
    );
    const svl = out.find((l) => l.startsWith(`-A ${extChain} -j KUBE-SVL-`))!;
    const svlChain = svl.split(' ').pop()!;
    const local = out.filter((l) => l.startsWith(`-A ${svlChain} `));
    assert.equal(local.length, 1);
    assert.match(local[0], /-> 10\.42\.0\.5:80/);
  });

  it('ClientIP affinity: recent-module checks before the random choice', () => {
    const out = rules(
      [
        svc('ns', 'sticky', {
          clusterIP: '10.43.0.50',
          sessionAffinity: 'ClientIP',
          ports: [{ name: 'p', port: 80 }],
        }),
      ],
      [
        slice('ns', 'sticky', { name: 'p', port: 80 }, [
          { addresses: ['10.42.0.5'], conditions: { ready: true } },
        ]),
      ],
    );
    assert.ok(
      out.some((l) => /-m recent --name KUBE-SEP-\S+ --rcheck --seconds 10800 --reap -j KUBE-SEP-/.test(l)),
    );
    assert.ok(
      out.some((l) =>
        /-m recent --name KUBE-SEP-\S+ --set -m tcp -p tcp -j DNAT --to-destination 10.42.0.5:80/.test(l),
      ),
    );
  });

  it('flushes and deletes stale service chains in the same restore', () => {
    const ports = servicePorts(
      svc('a', 'b', { clusterIP: '10.43.0.2', ports: [{ name: 'p', port: 1 }] }),
      'IPv4',
    );
    const text = buildRules(ports, new Map(), { nodeName: 'n', family: 'IPv4' }).render(['KUBE-SVC-OLD']);
    const nat = text.slice(text.indexOf('*nat'));
    assert.ok(nat.indexOf(':KUBE-SVC-OLD - [0:0]') < nat.indexOf('-A '));
    assert.match(nat, /-X KUBE-SVC-OLD\nCOMMIT\n$/);
  });
});
