// NetworkPolicies compiled into iptables chains for one node: who is selected, default deny,
// peers by pod/namespace selector and ipBlock with except, ports with endPort and named ports.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/types.js';
import { podInfo, type World } from '../../../src/netpol/model.js';
import { compile } from '../../../src/netpol/rules.js';

function pod(
  ns: string,
  name: string,
  ip: string,
  node: string,
  labels: Record<string, string>,
  ports: object[] = [],
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: ns, name, labels },
    spec: { nodeName: node, containers: [{ name: 'c', ports }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  };
}

const np = (ns: string, name: string, spec: object): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { namespace: ns, name },
  spec,
});

const world = (pods: KubeObject[], namespaces: Record<string, Record<string, string>> = {}): World => ({
  pods: pods.map((p) => podInfo(p)!),
  namespaces: new Map(Object.entries(namespaces)),
});

const nginx = pod('default', 'nginx', '10.42.0.5', 'n1', { app: 'nginx' }, [
  { name: 'http', containerPort: 80 },
]);
const client = pod('default', 'client', '10.42.1.7', 'n2', { access: 'true' });
const other = pod('default', 'other', '10.42.1.8', 'n2', {});
const seed = np('default', 'access-nginx', {
  podSelector: { matchLabels: { app: 'nginx' } },
  ingress: [{ from: [{ podSelector: { matchLabels: { access: 'true' } } }] }],
});

describe('network policy chains', () => {
  it('seed 004 §3.12: nginx admits only pods labelled access=true, the rest is dropped', () => {
    const r = compile('n1', [seed], world([nginx, client, other]));
    const lines = r.text.split('\n');
    const jump = lines.find((l) => l.includes('-d 10.42.0.5/32'))!;
    assert.match(
      jump,
      /^-A K8TS-NETPOL -d 10\.42\.0\.5\/32 -m comment --comment "default\/nginx ingress" -j (K8TS-PI-\w+)$/,
    );
    const chain = /-j (K8TS-PI-\w+)$/.exec(jump)![1];
    assert.deepEqual(
      lines.filter((l) => l.startsWith(`-A ${chain} `)),
      [
        `-A ${chain} -j MARK --set-xmark 0x0/0x10000`,
        `-A ${chain} -s 10.42.1.7/32 -m comment --comment "default/access-nginx" -j RETURN`,
        `-A ${chain} -m mark --mark 0x10000/0x10000 -j RETURN`,
        `-A ${chain} -m comment --comment "default deny default/nginx ingress" -j DROP`,
      ],
    );
    assert.ok(lines.includes('-A K8TS-NETPOL -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN'));
    assert.equal(r.pods, 1);
  });

  it('only this node pods get chains; unselected pods none (allowed)', () => {
    assert.equal(compile('n2', [seed], world([nginx, client, other])).pods, 0);
    assert.equal(compile('n1', [], world([nginx])).chains.length, 1, 'just K8TS-NETPOL');
  });

  it('ingress [] is deny-all, ingress [{}] allows everything', () => {
    const deny = compile(
      'n1',
      [np('default', 'd', { podSelector: {}, policyTypes: ['Ingress'] })],
      world([nginx]),
    );
    assert.ok(
      !/-j RETURN$/m.test(
        deny.text
          .split('\n')
          .filter((l) => l.startsWith('-A K8TS-PI-') && !l.includes('mark'))
          .join('\n'),
      ),
    );
    const allow = compile('n1', [np('default', 'a', { podSelector: {}, ingress: [{}] })], world([nginx]));
    assert.match(allow.text, /^-A K8TS-PI-\w+ -m comment --comment "default\/a" -j RETURN$/m);
  });

  it('namespaceSelector with podSelector, ipBlock with except, ports with endPort and named ports', () => {
    const mon = pod('monitoring', 'prom', '10.42.2.2', 'n3', { app: 'prom' });
    const policy = np('default', 'mixed', {
      podSelector: { matchLabels: { app: 'nginx' } },
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { team: 'ops' } },
              podSelector: { matchLabels: { app: 'prom' } },
            },
            { ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } },
          ],
          ports: [
            { protocol: 'TCP', port: 'http' },
            { protocol: 'UDP', port: 5000, endPort: 5010 },
          ],
        },
      ],
    });
    const r = compile(
      'n1',
      [policy],
      world([nginx, mon, other], { monitoring: { team: 'ops' }, default: {} }),
    );
    assert.match(
      r.text,
      /-s 10\.42\.2\.2\/32 -p tcp -m tcp --dport 80 -m comment --comment "default\/mixed" -j RETURN/,
    );
    assert.match(r.text, /-s 10\.42\.2\.2\/32 -p udp -m udp --dport 5000:5010 /);
    const nb = /-p tcp -m tcp --dport 80 -m comment --comment "default\/mixed" -j (K8TS-NB-\w+)/.exec(r.text);
    assert.ok(nb, r.text);
    assert.match(r.text, new RegExp(`^-A ${nb[1]} -s 172\\.17\\.1\\.0/24 -j RETURN$`, 'm'));
    assert.match(
      r.text,
      new RegExp(`^-A ${nb[1]} -s 172\\.17\\.0\\.0/16 -j MARK --set-xmark 0x10000/0x10000$`, 'm'),
    );
    assert.ok(!r.text.includes('10.42.1.8'), 'a pod in default is not in the ops namespace');
  });

  it('egress: named ports resolve on each destination pod; stale chains are flushed and deleted', () => {
    const egress = np('default', 'out', {
      podSelector: { matchLabels: { access: 'true' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'nginx' } } }], ports: [{ port: 'http' }] }],
    });
    const local = pod('default', 'client', '10.42.0.9', 'n1', { access: 'true' });
    const r = compile('n1', [egress], world([nginx, local]), ['K8TS-PI-OLD']);
    assert.match(r.text, /^-A K8TS-NETPOL -s 10\.42\.0\.9\/32 .* -j K8TS-PE-\w+$/m);
    assert.match(r.text, /^-A K8TS-PE-\w+ -d 10\.42\.0\.5\/32 -p tcp -m tcp --dport 80 .* -j RETURN$/m);
    assert.match(r.text, /^:K8TS-PI-OLD - \[0:0\]$/m);
    assert.match(r.text, /^-X K8TS-PI-OLD$/m);
  });
});
