// DaemonSets against a real server with Node objects made by the test: one pod per fitting
// node pinned by node affinity, default tolerations, taints and nodeSelector, status, and a
// rolling update within maxUnavailable.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';
import { eventually, keepPodsReady, livePods, writePodStatus, type PodView } from './pod-status-writer.js';

const node = (name: string, extra = '') => `apiVersion: v1
kind: Node
metadata: {name: ${name}, labels: {kubernetes.io/hostname: ${name}${name === 'n3' ? ', disk: ssd' : ''}}}
spec: {${extra}}
`;
const ds = (name: string, spec = '', image = 'nginx') => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ${name}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
${spec}
      containers: [{name: c, image: ${image}}]
`;

const pinnedTo = (p: PodView) =>
  (
    p.spec as {
      affinity?: {
        nodeAffinity?: {
          requiredDuringSchedulingIgnoredDuringExecution?: {
            nodeSelectorTerms: { matchFields?: { values: string[] }[] }[];
          };
        };
      };
    }
  ).affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]
    ?.matchFields?.[0]?.values[0];

describe('daemonset controller', () => {
  let s: TestServer;
  const ns = 'ds';
  before(async () => {
    s = await startServer();
    assert.equal((await s.kubectl(['create', 'namespace', ns])).code, 0);
    for (const n of [
      node('n1'),
      node('n2', 'taints: [{key: dedicated, value: gpu, effect: NoSchedule}]'),
      node('n3'),
    ])
      assert.equal((await s.kubectl(['apply', '-f', '-'], n)).code, 0);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  const nodesOf = async (sel: string) => (await livePods(s, ns, sel)).map(pinnedTo).sort();

  it('runs one pod per untainted node, pinned by matchFields metadata.name, with the default tolerations', async () => {
    assert.equal(
      (await s.kubectl(['-n', ns, 'apply', '-f', '-'], ds('agent', '      hostNetwork: true'))).stdout.trim(),
      'daemonset.apps/agent created',
    );
    await eventually('pods on n1 and n3', async () =>
      (await nodesOf('app=agent')).join() === 'n1,n3' ? true : undefined,
    );
    const [p] = await livePods(s, ns, 'app=agent');
    assert.match(p.metadata.name, /^agent-[a-z0-9]{5}$/);
    assert.match(p.metadata.labels?.['controller-revision-hash'] ?? '', /^[a-z0-9]+$/);
    assert.equal(p.metadata.labels?.['pod-template-generation'], '1');
    const ann = await s.kubectl(['-n', ns, 'get', 'ds', 'agent', '-o', 'yaml']);
    assert.match(ann.stdout, /deprecated\.daemonset\.template\.generation: "1"/);
    const tolerations =
      (p.spec as { tolerations?: { key: string; operator: string; effect: string }[] }).tolerations ?? [];
    assert.deepEqual(
      tolerations.map((t) => `${t.key}:${t.operator}:${t.effect}`),
      [
        'node.kubernetes.io/not-ready:Exists:NoExecute',
        'node.kubernetes.io/unreachable:Exists:NoExecute',
        'node.kubernetes.io/disk-pressure:Exists:NoSchedule',
        'node.kubernetes.io/memory-pressure:Exists:NoSchedule',
        'node.kubernetes.io/pid-pressure:Exists:NoSchedule',
        'node.kubernetes.io/unschedulable:Exists:NoSchedule',
        'node.kubernetes.io/network-unavailable:Exists:NoSchedule',
      ],
    );
    const st = await eventually('status', async () => {
      const g = await s.kubectl(['-n', ns, 'get', 'ds', 'agent', '-o', 'jsonpath={.status}']);
      const v = JSON.parse(g.stdout || '{}');
      return v.desiredNumberScheduled === 2 && v.currentNumberScheduled === 2 ? v : undefined;
    });
    assert.equal(st.numberMisscheduled, 0);
    assert.equal(st.numberReady, 0);
    assert.equal(st.numberUnavailable, 2);
  });

  it('follows tolerations and nodeSelector, and removes pods from nodes that stop fitting', async () => {
    await s.kubectl(
      ['-n', ns, 'apply', '-f', '-'],
      ds('tolerant', '      tolerations: [{operator: Exists}]'),
    );
    await eventually('all three nodes', async () =>
      (await nodesOf('app=tolerant')).join() === 'n1,n2,n3' ? true : undefined,
    );
    await s.kubectl(['-n', ns, 'apply', '-f', '-'], ds('picky', '      nodeSelector: {disk: ssd}'));
    await eventually('only n3', async () =>
      (await nodesOf('app=picky')).join() === 'n3' ? true : undefined,
    );
    // n1 gets a NoExecute taint the agent does not tolerate: its pod goes
    await s.kubectl(['taint', 'node', 'n1', 'evict=now:NoExecute']);
    await eventually('agent left n1', async () =>
      (await nodesOf('app=agent')).join() === 'n3' ? true : undefined,
    );
  });

  it('rolls a new template out node by node within maxUnavailable', async () => {
    const stop = keepPodsReady(s, ns, 'app=tolerant');
    try {
      await eventually('ready', async () => {
        const v = JSON.parse(
          (await s.kubectl(['-n', ns, 'get', 'ds', 'tolerant', '-o', 'jsonpath={.status}'])).stdout || '{}',
        );
        return v.numberReady === 3 ? true : undefined;
      });
      const before = new Set(
        (await livePods(s, ns, 'app=tolerant')).map((p) => p.metadata.labels?.['controller-revision-hash']),
      );
      await s.kubectl(['-n', ns, 'set', 'image', 'ds/tolerant', 'c=nginx:1.27']);
      const done = await eventually(
        'updated on every node',
        async () => {
          const v = JSON.parse(
            (await s.kubectl(['-n', ns, 'get', 'ds', 'tolerant', '-o', 'jsonpath={.status}'])).stdout || '{}',
          );
          return v.updatedNumberScheduled === 3 && v.numberAvailable === 3 ? v : undefined;
        },
        30,
      );
      assert.equal(done.desiredNumberScheduled, 3);
      const after = await livePods(s, ns, 'app=tolerant');
      assert.equal(after.length, 3);
      for (const p of after) {
        assert.ok(!before.has(p.metadata.labels?.['controller-revision-hash']));
        assert.equal(p.metadata.labels?.['pod-template-generation'], '2');
      }
      const revs = await s.kubectl(['-n', ns, 'get', 'controllerrevisions', '-o', 'name']);
      assert.equal(
        revs.stdout
          .trim()
          .split('\n')
          .filter((l) => l.includes('tolerant-')).length,
        2,
      );
    } finally {
      await stop();
    }
  });
  it('with maxSurge starts the new pod beside the old one before removing it', async () => {
    const spec = (image: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: surge}
spec:
  selector: {matchLabels: {app: surge}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: surge}}
    spec:
      nodeSelector: {disk: ssd}
      containers: [{name: c, image: ${image}}]
`;
    await s.kubectl(['-n', ns, 'apply', '-f', '-'], spec('nginx'));
    const [old] = await eventually('old pod', async () => {
      const p = await livePods(s, ns, 'app=surge');
      return p.length === 1 ? p : undefined;
    });
    await writePodStatus(s, ns, old.metadata.name);
    await eventually('old pod available', async () => {
      const v = JSON.parse(
        (await s.kubectl(['-n', ns, 'get', 'ds', 'surge', '-o', 'jsonpath={.status}'])).stdout || '{}',
      );
      return v.numberAvailable === 1 ? true : undefined;
    });
    await s.kubectl(['-n', ns, 'apply', '-f', '-'], spec('nginx:1.27'));
    // the new pod comes up beside the old one, which stays while the new one is not ready
    const fresh = await eventually('both on n3', async () => {
      const p = await livePods(s, ns, 'app=surge');
      return p.length === 2 ? p.find((x) => x.metadata.name !== old.metadata.name) : undefined;
    });
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok((await livePods(s, ns, 'app=surge')).some((p) => p.metadata.name === old.metadata.name));
    await writePodStatus(s, ns, fresh.metadata.name);
    await eventually(
      'old one gone',
      async () => {
        const p = await livePods(s, ns, 'app=surge');
        return p.length === 1 && p[0].metadata.name === fresh.metadata.name ? true : undefined;
      },
      30,
    );
  });
});
