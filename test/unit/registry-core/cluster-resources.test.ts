import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { coreV1Strategies } from '../../../src/apiserver/registry/core/index.js';
import { endpointsText } from '../../../src/apiserver/registry/core/endpoints.js';
import { NOW, create, createErrors, row, strategy, update } from './helpers.js';

const nodes = strategy(coreV1Strategies, 'nodes');
const events = strategy(coreV1Strategies, 'events');
const endpoints = strategy(coreV1Strategies, 'endpoints');
const limitranges = strategy(coreV1Strategies, 'limitranges');
const quotas = strategy(coreV1Strategies, 'resourcequotas');

describe('nodes', () => {
  const node = {
    metadata: {
      name: 'node-1',
      creationTimestamp: '2024-05-31T12:00:00Z',
      labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': 'true' },
    },
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [
        { type: 'InternalIP', address: '192.168.1.10' },
        { type: 'Hostname', address: 'node-1' },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.31.0',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        kernelVersion: '6.1.0',
        containerRuntimeVersion: 'containerd://1.7.0',
      },
    },
  };

  it('prints status, roles, version and the wide columns', () => {
    assert.deepEqual(row(nodes, node), {
      Name: 'node-1',
      Status: 'Ready,SchedulingDisabled',
      Roles: 'control-plane,master',
      Age: '24h',
      Version: 'v1.31.0',
      'Internal-IP': '192.168.1.10',
      'External-IP': '<none>',
      'OS-Image': 'Debian GNU/Linux 12 (bookworm)',
      'Kernel-Version': '6.1.0',
      'Container-Runtime': 'containerd://1.7.0',
    });
  });

  it('is Unknown without a Ready condition and NotReady when it is false', () => {
    assert.equal(row(nodes, { metadata: { name: 'n' } }).Status, 'Unknown');
    assert.equal(
      row(nodes, { metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } })
        .Status,
      'NotReady',
    );
    assert.equal(row(nodes, { metadata: { name: 'n' } }).Roles, '<none>');
  });

  it('keeps status on create, defaults allocatable from capacity and selects by spec.unschedulable', () => {
    const n = create(nodes, { metadata: { name: 'n' }, status: { capacity: { cpu: '4', pods: '110' } } });
    assert.deepEqual(n.status, {
      capacity: { cpu: '4', pods: '110' },
      allocatable: { cpu: '4', pods: '110' },
    });
    assert.equal(nodes.fieldSelectors!['spec.unschedulable'](node), 'true');
  });

  it('lets podCIDRs be set once only', () => {
    const old = create(nodes, {
      metadata: { name: 'n' },
      spec: { podCIDR: '10.42.0.0/24', podCIDRs: ['10.42.0.0/24'] },
    });
    const next = { ...structuredClone(old), spec: { podCIDR: '10.42.1.0/24', podCIDRs: ['10.42.1.0/24'] } };
    assert.deepEqual(update(nodes, next, old).errors, [
      'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
    ]);
  });
});

describe('events', () => {
  const ev = {
    metadata: { name: 'web.17a', namespace: 'default', creationTimestamp: '2024-06-01T11:00:00Z' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', fieldPath: 'spec.containers{nginx}' },
    reason: 'Pulled',
    message: 'Container image "nginx" already present on machine\n',
    type: 'Normal',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: '2024-06-01T11:00:00Z',
    lastTimestamp: '2024-06-01T11:58:00Z',
    count: 3,
  };

  it('prints LAST SEEN TYPE REASON OBJECT MESSAGE and the wide columns', () => {
    assert.deepEqual(row(events, ev), {
      'Last Seen': '2m',
      Type: 'Normal',
      Reason: 'Pulled',
      Object: 'pod/web',
      Subobject: 'spec.containers{nginx}',
      Source: 'kubelet, node-1',
      Message: 'Container image "nginx" already present on machine',
      'First Seen': '60m',
      Count: 3,
      Name: 'web.17a',
    });
  });

  it('falls back to the first timestamp, and to the reporting component', () => {
    const r = row(events, {
      ...ev,
      lastTimestamp: undefined,
      count: undefined,
      source: undefined,
      reportingComponent: 'scheduler',
    });
    assert.equal(r['Last Seen'], '60m');
    assert.equal(r.Count, 1);
    assert.equal(r.Source, 'scheduler');
  });

  it("requires the event to sit in its object's namespace", () => {
    assert.deepEqual(
      createErrors(events, { ...ev, involvedObject: { kind: 'Pod', name: 'web', namespace: 'other' } }),
      ['involvedObject.namespace: Invalid value: "other": does not match event.namespace'],
    );
  });

  it('offers upstream field selectors', () => {
    const f = events.fieldSelectors!;
    assert.equal(f['involvedObject.kind'](ev), 'Pod');
    assert.equal(f['involvedObject.name'](ev), 'web');
    assert.equal(f.reason(ev), 'Pulled');
    assert.equal(f.source(ev), 'kubelet');
    assert.equal(f.type(ev), 'Normal');
  });
});

describe('endpoints', () => {
  it('prints at most three addresses, ports outermost, then how many more', () => {
    const subsets = [
      { addresses: [{ ip: '10.42.0.5' }, { ip: '10.42.0.6' }], ports: [{ port: 80 }, { port: 443 }] },
      { addresses: [{ ip: 'fd00::1' }], ports: [{ port: 53 }] },
    ];
    assert.equal(endpointsText(subsets), '10.42.0.5:80,10.42.0.6:80,10.42.0.5:443 + 2 more...');
    assert.equal(endpointsText([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 53 }] }]), '[fd00::1]:53');
    assert.equal(endpointsText([]), '<none>');
    assert.equal(
      endpointsText([{ notReadyAddresses: [{ ip: '10.42.0.9' }], ports: [{ port: 80 }] } as never]),
      '',
    );
  });

  it('defaults port protocols to TCP', () => {
    const ep = create(endpoints, {
      metadata: { name: 'web' },
      subsets: [{ addresses: [{ ip: '10.42.0.5' }], ports: [{ port: 80 }] }],
    });
    assert.deepEqual(ep.subsets, [
      { addresses: [{ ip: '10.42.0.5' }], ports: [{ port: 80, protocol: 'TCP' }] },
    ]);
    assert.equal(row(endpoints, ep).Endpoints, '10.42.0.5:80');
  });
});

describe('limitranges and resourcequotas', () => {
  it('fills container defaults from max, default and min', () => {
    const lr = create(limitranges, {
      metadata: { name: 'lr' },
      spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] },
    });
    assert.deepEqual(lr.spec, {
      limits: [
        {
          type: 'Container',
          max: { cpu: '2' },
          min: { memory: '64Mi' },
          default: { cpu: '2' },
          defaultRequest: { cpu: '2', memory: '64Mi' },
        },
      ],
    });
    assert.deepEqual(
      limitranges.table!.columns.map((c) => c.name),
      ['Name', 'Created At'],
    );
  });

  it('prints quota usage split into requests and limits', () => {
    const q = create(quotas, { metadata: { name: 'q' }, spec: { hard: { pods: '10' } } });
    assert.deepEqual(q.status, {});
    q.status = {
      hard: { pods: '10', 'requests.cpu': '1', 'limits.memory': '1Gi' },
      used: { pods: '2', 'requests.cpu': '500m' },
    };
    assert.deepEqual(row(quotas, q, NOW), {
      Name: 'q',
      Age: '60m',
      Request: 'pods: 2/10, requests.cpu: 500m/1',
      Limit: 'limits.memory: 0/1Gi',
    });
  });
});
