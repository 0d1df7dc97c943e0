// Node IPAM, node lifecycle and taint eviction against a real server. The controller manager
// runs on its own (as `k8ts controller-manager --kubeconfig X` against any server) with a short
// --node-monitor-grace-period, so that a silent node goes Unknown within seconds; the test
// plays the kubelet: it registers nodes, posts their status and renews one node's Lease.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { cleanup, ROOT, startServer, type TestServer } from './harness.js';
import { apiOk, eventually, kubectlOk } from './controllers-util.js';

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const NS = 'nodes';

interface NodeView {
  spec: {
    podCIDR?: string;
    podCIDRs?: string[];
    taints?: { key: string; effect: string; timeAdded?: string }[];
  };
  status: { conditions: { type: string; status: string; reason?: string; message?: string }[] };
}

describe('node controllers', () => {
  let s: TestServer;
  let cm: ChildProcess;
  let renew: NodeJS.Timeout;

  async function node(name: string) {
    await apiOk(s, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name } });
    const n = await apiOk<Record<string, unknown>>(s, 'GET', `/api/v1/nodes/${name}`);
    const ready = (type: string, status: string) => ({
      type,
      status,
      reason: 'KubeletReady',
      lastHeartbeatTime: now(),
      lastTransitionTime: now(),
    });
    await apiOk(s, 'PUT', `/api/v1/nodes/${name}/status`, {
      ...n,
      status: {
        conditions: [
          ready('MemoryPressure', 'False'),
          ready('DiskPressure', 'False'),
          ready('PIDPressure', 'False'),
          ready('Ready', 'True'),
        ],
      },
    });
    await apiOk(s, 'POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name },
      spec: {
        holderIdentity: name,
        leaseDurationSeconds: 40,
        renewTime: new Date().toISOString().replace('Z', '000Z'),
      },
    });
  }

  async function pod(name: string, nodeName: string, tolerations?: unknown[]) {
    await apiOk(s, 'POST', `/api/v1/namespaces/${NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: { nodeName, tolerations, containers: [{ name: 'c', image: 'nginx' }] },
    });
    await apiOk(
      s,
      'PATCH',
      `/api/v1/namespaces/${NS}/pods/${name}/status`,
      { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
      'application/merge-patch+json',
    );
  }

  const nodeView = (name: string) => apiOk<NodeView>(s, 'GET', `/api/v1/nodes/${name}`);

  before(async () => {
    s = await startServer(['--disable-controller-manager']);
    await kubectlOk(s, ['create', 'namespace', NS]);
    await node('alive');
    await node('silent');
    for (const [n, t] of [
      ['evict-now', undefined],
      [
        'evict-later',
        [
          {
            key: 'node.kubernetes.io/unreachable',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 2,
          },
        ],
      ],
      ['stay', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }]],
    ] as const)
      await pod(n, 'silent', t as unknown[] | undefined);
    // the kubelet of `alive` keeps renewing its Lease
    renew = setInterval(() => {
      void s
        .api('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/alive')
        .then((r) => {
          const lease = JSON.parse(r.body) as { spec: Record<string, unknown> };
          lease.spec.renewTime = new Date().toISOString().replace('Z', '000Z');
          return s.api(
            'PUT',
            '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/alive',
            JSON.stringify(lease),
          );
        })
        .catch(() => undefined);
    }, 300);
    cm = spawn(
      join(ROOT, 'bin', 'k8ts'),
      [
        'controller-manager',
        '--kubeconfig',
        s.kubeconfig,
        '--controllers',
        'nodeipam,nodelifecycle,taint-eviction-controller',
        '--cluster-cidr',
        '10.42.0.0/16',
        '--node-monitor-grace-period',
        '3s',
      ],
      { stdio: 'ignore' },
    );
  });
  after(async () => {
    clearInterval(renew);
    cm.kill();
    await s.stop();
    cleanup(s);
  });

  it('gives every node a /24 of the cluster CIDR as its pod CIDR', async () => {
    await eventually(s, ['get', 'nodes', '-o', 'jsonpath={.items[*].spec.podCIDR}'], /^\S+ \S+$/);
    const cidrs = [(await nodeView('alive')).spec, (await nodeView('silent')).spec];
    for (const c of cidrs) {
      assert.match(c.podCIDR!, /^10\.42\.\d+\.0\/24$/);
      assert.deepEqual(c.podCIDRs, [c.podCIDR]);
    }
    assert.notEqual(cidrs[0].podCIDR, cidrs[1].podCIDR);
    assert.deepEqual(cidrs.map((c) => c.podCIDR).sort(), ['10.42.0.0/24', '10.42.1.0/24']);
  });

  it('sets the conditions of a silent node Unknown and taints it unreachable', async () => {
    await eventually(s, ['get', 'node', 'silent', '--no-headers'], /^silent\s+NotReady\s/);
    const n = await nodeView('silent');
    for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      const c = n.status.conditions.find((x) => x.type === type)!;
      assert.deepEqual(
        [c.status, c.reason, c.message],
        ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'],
      );
    }
    const taints = await eventually(
      s,
      ['get', 'node', 'silent', '-o', 'jsonpath={range .spec.taints[*]}{.key}:{.effect} {end}'],
      /NoExecute/,
    );
    assert.deepEqual(taints.trim().split(' ').sort(), [
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/unreachable:NoSchedule',
    ]);
    const t = (await nodeView('silent')).spec.taints!.find((x) => x.effect === 'NoExecute')!;
    assert.match(t.timeAdded ?? '', /^\d{4}-/);
    const alive = await kubectlOk(s, ['get', 'node', 'alive', '--no-headers']);
    assert.match(alive, /^alive\s+Ready\s/);
  });

  it('evicts pods that do not tolerate the taint, and later those tolerating it for a while', async () => {
    const gone = (name: string) =>
      eventually(
        s,
        ['-n', NS, 'get', 'pod', name, '--ignore-not-found', '-o', 'jsonpath={.metadata.deletionTimestamp}'],
        (o) => o === '' || /\d{4}-/.test(o),
      );
    await gone('evict-now');
    await gone('evict-later');
    const events = await eventually(
      s,
      [
        '-n',
        NS,
        'get',
        'events',
        '--field-selector',
        'reason=TaintManagerEviction',
        '-o',
        'jsonpath={.items[*].message}',
      ],
      /evict-now/,
    );
    assert.match(events, /Marking for deletion Pod nodes\/evict-now/);
    const stay = await kubectlOk(s, [
      '-n',
      NS,
      'get',
      'pod',
      'stay',
      '-o',
      'jsonpath={.metadata.deletionTimestamp}',
    ]);
    assert.equal(stay, '', 'a pod tolerating the taint for ever stays');
  });

  it('marks the pods of an unreachable node not ready', async () => {
    const out = await eventually(
      s,
      ['-n', NS, 'get', 'pod', 'stay', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'],
      /^False$/,
    );
    assert.equal(out, 'False');
  });

  it('taints a cordoned node unschedulable and untaints it when uncordoned', async () => {
    assert.equal(await kubectlOk(s, ['cordon', 'alive']), 'node/alive cordoned\n');
    await eventually(
      s,
      ['get', 'node', 'alive', '-o', 'jsonpath={.spec.taints[*].key}'],
      /^node\.kubernetes\.io\/unschedulable$/,
    );
    await kubectlOk(s, ['uncordon', 'alive']);
    await eventually(s, ['get', 'node', 'alive', '-o', 'jsonpath={.spec.taints}'], /^$/);
  });

  it('taints a node under memory pressure NoSchedule', async () => {
    const n = await apiOk<{
      status: { conditions: { type: string; status: string; lastHeartbeatTime?: string }[] };
    }>(s, 'GET', '/api/v1/nodes/alive');
    for (const c of n.status.conditions) {
      if (c.type === 'MemoryPressure') c.status = 'True';
      c.lastHeartbeatTime = now();
    }
    await apiOk(s, 'PUT', '/api/v1/nodes/alive/status', n);
    await eventually(s, ['get', 'node', 'alive', '-o', 'jsonpath={.spec.taints[*].key}'], /memory-pressure/);
  });
});
