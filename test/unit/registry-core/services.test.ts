import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/types.js';
import { coreV1Strategies } from '../../../src/apiserver/registry/core/index.js';
import { FakeAllocators, context, create, createErrors, row, strategy, update } from './helpers.js';

const services = strategy(coreV1Strategies, 'services');

const svc = (spec: Record<string, unknown>, name = 'web'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec,
});

describe('service defaults and allocation', () => {
  it('fills a ClusterIP service as `kubectl get svc -o yaml` shows it', () => {
    const alloc = new FakeAllocators();
    const s = create(services, svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }), context(alloc));
    assert.deepEqual(s.spec, {
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      sessionAffinity: 'None',
      type: 'ClusterIP',
      internalTrafficPolicy: 'Cluster',
      clusterIP: '10.43.0.10',
      clusterIPs: ['10.43.0.10'],
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
    assert.deepEqual(s.status, { loadBalancer: {} });
    assert.deepEqual([...alloc.ips], ['10.43.0.10']);
  });

  it('allocates node ports for NodePort and LoadBalancer services, with their traffic policies', () => {
    const alloc = new FakeAllocators();
    const np = create(
      services,
      svc({
        type: 'NodePort',
        ports: [
          { port: 80, nodePort: 30080 },
          { name: 'b', port: 81 },
        ].map((p, i) => ({ name: `p${i}`, ...p })),
      }),
      context(alloc),
    );
    const sp = np.spec as Record<string, unknown>;
    assert.equal(sp.externalTrafficPolicy, 'Cluster');
    assert.deepEqual(
      (sp.ports as { nodePort: number }[]).map((p) => p.nodePort),
      [30080, 30000],
    );
    const lb = create(services, svc({ type: 'LoadBalancer', ports: [{ port: 443 }] }, 'lb'), context(alloc));
    const lbs = lb.spec as Record<string, unknown>;
    assert.equal(lbs.allocateLoadBalancerNodePorts, true);
    assert.equal(lbs.externalTrafficPolicy, 'Cluster');
    assert.equal((lbs.ports as { nodePort: number }[])[0].nodePort, 30001);
    assert.deepEqual([...alloc.ports].sort(), [30000, 30001, 30080]);
  });

  it('allocates nothing for headless and ExternalName services', () => {
    const alloc = new FakeAllocators();
    const h = create(
      services,
      svc({ clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] }),
      context(alloc),
    );
    assert.deepEqual((h.spec as Record<string, unknown>).clusterIPs, ['None']);
    assert.equal((h.spec as Record<string, unknown>).ipFamilyPolicy, 'SingleStack');
    const e = create(
      services,
      svc({ type: 'ExternalName', externalName: 'db.example.com' }, 'ext'),
      context(alloc),
    );
    assert.equal((e.spec as Record<string, unknown>).clusterIP, undefined);
    assert.equal((e.spec as Record<string, unknown>).internalTrafficPolicy, undefined);
    assert.equal(alloc.ips.size, 0);
  });

  it('sets the ClientIP affinity timeout to three hours', () => {
    const s = create(services, svc({ sessionAffinity: 'ClientIP', ports: [{ port: 80 }] }));
    assert.deepEqual((s.spec as Record<string, unknown>).sessionAffinityConfig, {
      clientIP: { timeoutSeconds: 10800 },
    });
  });

  it('keeps the cluster IP and node ports across an update, and frees them on release', () => {
    const alloc = new FakeAllocators();
    const ctx = context(alloc);
    const old = create(services, svc({ type: 'NodePort', ports: [{ port: 80 }] }), ctx);
    const next = svc({ type: 'NodePort', ports: [{ port: 80 }], selector: { app: 'new' } });
    const { obj, errors } = update(services, next, old, ctx);
    assert.deepEqual(errors, []);
    assert.equal((obj.spec as Record<string, unknown>).clusterIP, '10.43.0.10');
    assert.equal((obj.spec as { ports: { nodePort: number }[] }).ports[0].nodePort, 30000);
    assert.deepEqual([...alloc.ports], [30000]);
    services.release!(obj, ctx);
    assert.equal(alloc.ips.size, 0);
    assert.equal(alloc.ports.size, 0);
  });

  it('drops node ports when a NodePort service becomes ClusterIP', () => {
    const alloc = new FakeAllocators();
    const ctx = context(alloc);
    const old = create(services, svc({ type: 'NodePort', ports: [{ port: 80 }] }), ctx);
    const next = structuredClone(old);
    (next.spec as Record<string, unknown>).type = 'ClusterIP';
    const { obj, errors } = update(services, next, old, ctx);
    assert.deepEqual(errors, []);
    assert.equal((obj.spec as { ports: { nodePort?: number }[] }).ports[0].nodePort, undefined);
    assert.equal((obj.spec as Record<string, unknown>).externalTrafficPolicy, undefined);
    assert.equal(alloc.ports.size, 0);
  });

  it('refuses to change the cluster IP', () => {
    const ctx = context();
    const old = create(services, svc({ ports: [{ port: 80 }] }), ctx);
    const next = structuredClone(old);
    Object.assign(next.spec as object, { clusterIP: '10.43.0.99', clusterIPs: ['10.43.0.99'] });
    assert.deepEqual(update(services, next, old, ctx).errors, [
      'spec.clusterIPs[0]: Invalid value: []string{"10.43.0.99"}: may not change once set',
    ]);
  });
});

describe('service validation', () => {
  it('requires ports and names them when there are several', () => {
    assert.deepEqual(createErrors(services, svc({ selector: { app: 'a' } })), ['spec.ports: Required value']);
    assert.deepEqual(createErrors(services, svc({ ports: [{ port: 80 }, { port: 443 }] })), [
      'spec.ports[0].name: Required value',
      'spec.ports[1].name: Required value',
    ]);
  });

  it('checks port numbers, protocols, types and node ports on ClusterIP services', () => {
    assert.deepEqual(createErrors(services, svc({ type: 'Fancy', ports: [{ port: 0, protocol: 'ICMP' }] })), [
      'spec.type: Unsupported value: "Fancy": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      // the target port defaults to the port, so it is invalid too (as upstream reports)
      'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
    ]);
    assert.deepEqual(createErrors(services, svc({ ports: [{ port: 80, nodePort: 30001 }] })), [
      "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    ]);
  });

  it('requires an external name for ExternalName services', () => {
    assert.deepEqual(createErrors(services, svc({ type: 'ExternalName' })), [
      'spec.externalName: Required value',
    ]);
  });

  it('uses DNS-1035 labels for names', () => {
    const errs = createErrors(services, svc({ ports: [{ port: 80 }] }, '9web'));
    assert.equal(errs.length, 1);
    assert.ok(errs[0].startsWith('metadata.name: Invalid value: "9web": a DNS-1035 label must consist of'));
  });
});

describe('services table', () => {
  const base = { metadata: { name: 'web', creationTimestamp: '2024-06-01T09:00:00Z' } };
  it('prints ClusterIP, NodePort and LoadBalancer rows as upstream does', () => {
    assert.deepEqual(
      row(services, {
        ...base,
        spec: {
          type: 'ClusterIP',
          clusterIPs: ['10.43.0.10'],
          ports: [{ port: 80, protocol: 'TCP' }],
          selector: { b: '2', a: '1' },
        },
      }),
      {
        Name: 'web',
        Type: 'ClusterIP',
        'Cluster-IP': '10.43.0.10',
        'External-IP': '<none>',
        'Port(s)': '80/TCP',
        Age: '3h',
        Selector: 'a=1,b=2',
      },
    );
    const np = row(services, {
      ...base,
      spec: {
        type: 'NodePort',
        clusterIPs: ['10.43.0.11'],
        ports: [
          { port: 80, nodePort: 30080, protocol: 'TCP' },
          { port: 53, protocol: 'UDP', nodePort: 30053 },
        ],
      },
    });
    assert.equal(np['Port(s)'], '80:30080/TCP,53:30053/UDP');
    assert.equal(np.Selector, '<none>');
    const lb = row(services, {
      ...base,
      spec: { type: 'LoadBalancer', clusterIPs: ['10.43.0.12'], ports: [] },
    });
    assert.equal(lb['External-IP'], '<pending>');
    assert.equal(lb['Port(s)'], '<none>');
    const lbReady = row(services, {
      ...base,
      spec: { type: 'LoadBalancer', clusterIPs: ['10.43.0.12'], externalIPs: ['1.2.3.4'] },
      status: { loadBalancer: { ingress: [{ ip: '192.168.1.240' }] } },
    });
    assert.equal(lbReady['External-IP'], '192.168.1.240,1.2.3.4');
    const ext = row(services, { ...base, spec: { type: 'ExternalName', externalName: 'db.example.com' } });
    assert.equal(ext['Cluster-IP'], '<none>');
    assert.equal(ext['External-IP'], 'db.example.com');
  });
});
