// Endpoints subsets and EndpointSlice planning, as pure functions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/types.js';
import { desiredSubsets } from '../../../src/controllers/endpoints/controller.js';
import { findPort, TriggerTimeTracker } from '../../../src/controllers/endpoints/podutil.js';
import { repackSubsets } from '../../../src/controllers/endpoints/subsets.js';
import {
  planSlices,
  type Slice,
  type SliceEndpoint,
  type SliceMeta,
} from '../../../src/controllers/endpointslice/plan.js';
import { mirroredGroups } from '../../../src/controllers/endpointslicemirroring/controller.js';

function pod(name: string, ip: string, ready = true, port = 8080): KubeObject {
  return {
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'a' } },
    spec: { nodeName: 'n1', containers: [{ ports: [{ name: 'web', containerPort: port }] }] },
    status: {
      phase: 'Running',
      podIP: ip,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}
const svc = (spec: Record<string, unknown>): KubeObject => ({
  metadata: { name: 'svc', namespace: 'ns', uid: 'svc-uid', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { selector: { app: 'a' }, ipFamilies: ['IPv4'], ...spec },
});

describe('endpoints subsets', () => {
  it('groups ports served by the same addresses and sorts addresses by IP', () => {
    const s = svc({
      ports: [
        { name: 'http', port: 80, targetPort: 'web' },
        { name: 'metrics', port: 9100, targetPort: 9100 },
      ],
    });
    const subsets = desiredSubsets(s, [
      pod('b', '10.0.0.9'),
      pod('a', '10.0.0.10'),
      pod('c', '10.0.0.11', false),
    ]);
    assert.equal(subsets.length, 1);
    assert.deepEqual(
      subsets[0].addresses!.map((a) => a.ip),
      ['10.0.0.10', '10.0.0.9'],
    );
    assert.deepEqual(
      subsets[0].notReadyAddresses!.map((a) => a.ip),
      ['10.0.0.11'],
    );
    // ports in the order of the MD5 of their go-spew text, as upstream's SortSubsets
    assert.deepEqual(
      subsets[0].ports!.map((p) => `${p.name}:${p.port}`),
      ['metrics:9100', 'http:8080'],
    );
  });

  it("orders kube-dns's ports as upstream does: dns-tcp, dns, metrics", () => {
    const dns = (name: string, ip: string): KubeObject => ({
      ...pod(name, ip),
      spec: {
        nodeName: 'n1',
        containers: [
          {
            ports: [
              { name: 'dns', containerPort: 53, protocol: 'UDP' },
              { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
              { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
            ],
          },
        ],
      },
    });
    const s = svc({
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    });
    const subsets = desiredSubsets(s, [dns('coredns-b', '10.42.0.3'), dns('coredns-a', '10.42.0.2')]);
    assert.deepEqual(
      subsets[0].ports!.map((p) => `${p.name}:${p.port}/${p.protocol}`),
      ['dns-tcp:53/TCP', 'dns:53/UDP', 'metrics:9153/TCP'],
    );
  });

  it('orders subsets by their hash, not by address', () => {
    const s = svc({ ports: [{ name: 'http', port: 80, targetPort: 'web' }] });
    const subsets = desiredSubsets(s, [pod('a', '10.0.0.1', true, 8080), pod('b', '10.0.0.2', true, 9090)]);
    assert.deepEqual(
      subsets.map((x) => `${x.addresses![0].ip}:${x.ports![0].port}`),
      ['10.0.0.2:9090', '10.0.0.1:8080'],
    );
  });

  it('files an address seen both ready and not ready as not ready (upstream mapAddressByPort)', () => {
    const addr = { ip: '10.0.0.1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'u' } };
    const port = { port: 80, protocol: 'TCP' };
    for (const pieces of [
      [
        { addresses: [addr], ports: [port] },
        { notReadyAddresses: [addr], ports: [port] },
      ],
      [
        { notReadyAddresses: [addr], ports: [port] },
        { addresses: [addr], ports: [port] },
      ],
    ]) {
      const [only, ...rest] = repackSubsets(pieces);
      assert.deepEqual(rest, []);
      assert.equal(only.addresses, undefined);
      assert.deepEqual(only.notReadyAddresses, [addr]);
    }
  });

  it('skips a pod without the named port, without an IP, or terminal', () => {
    const s = svc({ ports: [{ name: 'http', port: 80, targetPort: 'nope' }] });
    assert.deepEqual(desiredSubsets(s, [pod('a', '10.0.0.1')]), []);
    const noIP = pod('b', '');
    const done = pod('c', '10.0.0.3');
    (done.status as { phase: string }).phase = 'Succeeded';
    assert.deepEqual(desiredSubsets(svc({ ports: [{ port: 80 }] }), [noIP, done]), []);
  });

  it('resolves a named port only for the same protocol', () => {
    const p = pod('a', '10.0.0.1');
    assert.equal(findPort(p, { port: 80, targetPort: 'web' }), 8080);
    assert.equal(findPort(p, { port: 80, targetPort: 'web', protocol: 'UDP' }), undefined);
    assert.equal(findPort(p, { port: 80 }), 80);
  });

  it('gives the oldest unwritten change as trigger time, then only news', () => {
    const t = new TriggerTimeTracker();
    const p = pod('a', '10.0.0.1');
    (p.status as { conditions: { lastTransitionTime?: string }[] }).conditions[0].lastTransitionTime =
      '2026-01-02T00:00:00Z';
    assert.equal(t.compute('k', svc({}), [p]), '2026-01-01T00:00:00Z');
    assert.equal(t.compute('k', svc({}), [p]), undefined);
    (p.status as { conditions: { lastTransitionTime?: string }[] }).conditions[0].lastTransitionTime =
      '2026-01-03T00:00:00Z';
    assert.equal(t.compute('k', svc({}), [p]), '2026-01-03T00:00:00Z');
  });
});

describe('endpointslice planning', () => {
  const meta: SliceMeta = {
    namespace: 'ns',
    generateName: 'svc-',
    labels: { 'kubernetes.io/service-name': 'svc' },
    ownerReferences: [],
    placeholderType: 'IPv4',
  };
  const ep = (i: number): SliceEndpoint => ({
    addresses: [`10.0.${Math.floor(i / 250)}.${i % 250}`],
    conditions: { ready: true },
    targetRef: { kind: 'Pod', namespace: 'ns', name: `p${i}`, uid: `u${i}` },
  });
  const group = (n: number, from = 0) => ({
    addressType: 'IPv4',
    ports: [{ name: '', port: 80, protocol: 'TCP' }],
    endpoints: Array.from({ length: n }, (_, i) => ep(i + from)),
  });

  it('makes slices of at most 100 endpoints', () => {
    const plan = planSlices([group(250)], [], meta);
    assert.deepEqual(
      plan.create.map((s) => s.endpoints!.length),
      [100, 100, 50],
    );
    assert.equal(plan.create[0].metadata.generateName, 'svc-');
  });

  it('changes nothing when the slices already hold what is wanted', () => {
    const first = planSlices([group(3)], [], meta).create.map((s, i) => ({
      ...s,
      metadata: { ...s.metadata, name: `svc-${i}` },
    }));
    const again = planSlices([group(3)], first, meta);
    assert.deepEqual([again.create.length, again.update.length, again.delete.length], [0, 0, 0]);
  });

  it('puts new endpoints into free room and deletes slices left empty', () => {
    const named = (s: Slice, name: string): Slice => ({ ...s, metadata: { ...s.metadata, name } });
    const a = named(planSlices([group(100)], [], meta).create[0], 'svc-a');
    const b = named(planSlices([group(10, 100)], [], meta).create[0], 'svc-b');
    // the 10 of b go away, 5 new ones come: they fill b's room instead of a new slice
    const plan = planSlices(
      [{ ...group(100), endpoints: [...group(100).endpoints, ...group(5, 200).endpoints] }],
      [a, b],
      meta,
    );
    assert.equal(plan.create.length, 0);
    assert.deepEqual(
      plan.update.map((s) => [s.metadata.name, s.endpoints!.length]),
      [['svc-b', 5]],
    );
    const emptied = planSlices([group(100)], [a, b], meta);
    assert.deepEqual(
      emptied.delete.map((s) => s.metadata.name),
      ['svc-b'],
    );
  });

  it('keeps a single placeholder for a service without endpoints', () => {
    const plan = planSlices([], [], meta);
    assert.equal(plan.create.length, 1);
    assert.equal(plan.create[0].endpoints, null);
    assert.equal(plan.create[0].addressType, 'IPv4');
  });

  it('mirrors ready and not-ready addresses, per address family', () => {
    const groups = mirroredGroups({
      metadata: { name: 'e' },
      subsets: [
        {
          addresses: [{ ip: '192.0.2.1' }, { ip: '2001:db8::1' }],
          notReadyAddresses: [{ ip: '192.0.2.2' }],
          ports: [{ port: 80 }],
        },
      ],
    });
    assert.deepEqual(
      groups.map((g) => [g.addressType, g.endpoints.map((e) => `${e.addresses[0]}=${e.conditions.ready}`)]),
      [
        ['IPv4', ['192.0.2.1=true', '192.0.2.2=false']],
        ['IPv6', ['2001:db8::1=true']],
      ],
    );
  });
});
