// Deployments as kubectl users see them: upstream's ReplicaSet names, rollouts with history,
// undo, pause/resume/restart, scaling, conditions and events. Pods are made ready by the test.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';
import { eventually, keepPodsReady, livePods } from './pod-status-writer.js';

interface DeploymentView {
  metadata: { generation: number; annotations?: Record<string, string> };
  spec: { replicas: number };
  status: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}

describe('deployment controller', () => {
  let s: TestServer;
  let stopKubelet: () => Promise<void>;
  const ns = 'dep';
  before(async () => {
    s = await startServer();
    assert.equal((await s.kubectl(['create', 'namespace', ns])).code, 0);
    stopKubelet = keepPodsReady(s, ns);
  });
  after(async () => {
    await stopKubelet();
    await s.stop();
    cleanup(s);
  });

  const get = async (name: string): Promise<DeploymentView> =>
    JSON.parse(
      (await s.api('GET', `/apis/apps/v1/namespaces/${ns}/deployments/${name}`)).body,
    ) as DeploymentView;
  const complete = (name: string, replicas: number) =>
    eventually(
      `${name} rolled out`,
      async () => {
        const d = await get(name);
        const st = d.status;
        return st.observedGeneration === d.metadata.generation &&
          st.updatedReplicas === replicas &&
          st.replicas === replicas &&
          st.availableReplicas === replicas
          ? d
          : undefined;
      },
      30,
    );
  const events = async (reason: string) =>
    (
      await s.kubectl([
        '-n',
        ns,
        'get',
        'events',
        '--field-selector',
        `reason=${reason}`,
        '-o',
        'jsonpath={range .items[*]}{.message}{"\\n"}{end}',
      ])
    ).stdout;

  it('names the ReplicaSet and pods with upstream pod-template-hash and reports success', async () => {
    const r = await s.kubectl(['-n', ns, 'create', 'deployment', 'nginx', '--image=nginx', '--replicas=3']);
    assert.equal(r.stdout.trim(), 'deployment.apps/nginx created');
    const d = await complete('nginx', 3);
    const rs = await s.kubectl([
      '-n',
      ns,
      'get',
      'rs',
      '--no-headers',
      '-o',
      'custom-columns=N:.metadata.name,D:.spec.replicas,H:.metadata.labels.pod-template-hash',
    ]);
    assert.match(rs.stdout.trim(), /^nginx-676b6c5bbc\s+3\s+676b6c5bbc$/);
    for (const p of await livePods(s, ns, 'app=nginx'))
      assert.match(p.metadata.name, /^nginx-676b6c5bbc-[a-z0-9]{5}$/);
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    const byType = Object.fromEntries((d.status.conditions ?? []).map((c) => [c.type, c]));
    assert.equal(byType.Available.reason, 'MinimumReplicasAvailable');
    assert.equal(byType.Available.message, 'Deployment has minimum availability.');
    assert.equal(byType.Progressing.reason, 'NewReplicaSetAvailable');
    assert.equal(byType.Progressing.message, 'ReplicaSet "nginx-676b6c5bbc" has successfully progressed.');
    const status = await s.kubectl(['-n', ns, 'rollout', 'status', 'deployment/nginx', '--timeout=20s']);
    assert.equal(status.stdout.trim(), 'deployment "nginx" successfully rolled out');
    assert.match(await events('ScalingReplicaSet'), /^Scaled up replica set nginx-676b6c5bbc from 0 to 3$/m);
    const g = await s.kubectl(['-n', ns, 'get', 'deployment', 'nginx', '--no-headers']);
    assert.match(g.stdout, /^nginx\s+3\/3\s+3\s+3\s+/);
  });

  it('rolls out a new template within maxSurge/maxUnavailable and keeps history', async () => {
    assert.equal(
      (await s.kubectl(['-n', ns, 'set', 'image', 'deployment/nginx', 'nginx=nginx:1.27'])).code,
      0,
    );
    const d = await complete('nginx', 3);
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    const rs = await s.kubectl([
      '-n',
      ns,
      'get',
      'rs',
      '--no-headers',
      '-o',
      'custom-columns=N:.metadata.name,D:.spec.replicas,R:.metadata.annotations.deployment\\.kubernetes\\.io/revision',
    ]);
    const rows = rs.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/));
    assert.equal(rows.length, 2);
    const old = rows.find((r) => r[0] === 'nginx-676b6c5bbc')!;
    const cur = rows.find((r) => r[0] !== 'nginx-676b6c5bbc')!;
    assert.deepEqual(old.slice(1), ['0', '1']);
    assert.deepEqual(cur.slice(1), ['3', '2']);
    // 25% of 3: surge rounds up to 1, unavailable rounds down to 0: one new pod at a time
    const ev = await events('ScalingReplicaSet');
    assert.match(ev, new RegExp(`^Scaled up replica set ${cur[0]} from 0 to 1$`, 'm'));
    assert.match(ev, /^Scaled down replica set nginx-676b6c5bbc from 3 to 2$/m);
    const h = await s.kubectl(['-n', ns, 'rollout', 'history', 'deployment/nginx']);
    assert.match(h.stdout, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  });

  it('undoes to the previous revision with kubectl rollout undo', async () => {
    const r = await s.kubectl(['-n', ns, 'rollout', 'undo', 'deployment/nginx']);
    assert.equal(r.stdout.trim(), 'deployment.apps/nginx rolled back');
    const d = await complete('nginx', 3);
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
    const rs = JSON.parse(
      (await s.api('GET', `/apis/apps/v1/namespaces/${ns}/replicasets/nginx-676b6c5bbc`)).body,
    );
    assert.equal(rs.spec.replicas, 3);
    assert.equal(rs.metadata.annotations['deployment.kubernetes.io/revision'], '3');
    assert.equal(rs.metadata.annotations['deployment.kubernetes.io/revision-history'], '1');
    const img = await s.kubectl([
      '-n',
      ns,
      'get',
      'deploy',
      'nginx',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ]);
    assert.equal(img.stdout, 'nginx');
  });

  it('undoes to a chosen revision with --to-revision', async () => {
    const r = await s.kubectl(['-n', ns, 'rollout', 'undo', 'deployment/nginx', '--to-revision=2']);
    assert.equal(r.stdout.trim(), 'deployment.apps/nginx rolled back');
    await complete('nginx', 3);
    const img = await s.kubectl([
      '-n',
      ns,
      'get',
      'deploy',
      'nginx',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ]);
    assert.equal(img.stdout, 'nginx:1.27');
    assert.equal((await get('nginx')).metadata.annotations?.['deployment.kubernetes.io/revision'], '4');
    // and back to the first template for what follows
    await s.kubectl(['-n', ns, 'rollout', 'undo', 'deployment/nginx', '--to-revision=3']);
    await complete('nginx', 3);
    const back = await s.kubectl([
      '-n',
      ns,
      'get',
      'deploy',
      'nginx',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ]);
    assert.equal(back.stdout, 'nginx');
  });

  it('scales proportionally and says so', async () => {
    assert.equal(
      (await s.kubectl(['-n', ns, 'scale', 'deployment/nginx', '--replicas=5'])).stdout.trim(),
      'deployment.apps/nginx scaled',
    );
    await complete('nginx', 5);
    // the tenth distinct ScalingReplicaSet message within 10 minutes is combined, as client-go's
    // EventAggregator does
    assert.match(
      await events('ScalingReplicaSet'),
      /^(\(combined from similar events\): )?Scaled up replica set nginx-676b6c5bbc from 3 to 5$/m,
    );
    const rs = JSON.parse(
      (await s.api('GET', `/apis/apps/v1/namespaces/${ns}/replicasets/nginx-676b6c5bbc`)).body,
    );
    assert.equal(rs.metadata.annotations['deployment.kubernetes.io/desired-replicas'], '5');
    assert.equal(rs.metadata.annotations['deployment.kubernetes.io/max-replicas'], '7');
  });

  it('holds a paused rollout, reports it, and goes on after resume; restart makes a new revision', async () => {
    assert.equal(
      (await s.kubectl(['-n', ns, 'rollout', 'pause', 'deployment/nginx'])).stdout.trim(),
      'deployment.apps/nginx paused',
    );
    await s.kubectl(['-n', ns, 'set', 'image', 'deployment/nginx', 'nginx=nginx:1.26']);
    const paused = await eventually('paused condition', async () => {
      const d = await get('nginx');
      const c = d.status.conditions?.find((x) => x.type === 'Progressing');
      return c?.reason === 'DeploymentPaused' ? c : undefined;
    });
    assert.equal(paused.status, 'Unknown');
    assert.equal(paused.message, 'Deployment is paused');
    const sets = (await s.kubectl(['-n', ns, 'get', 'rs', '-o', 'name'])).stdout.trim().split('\n');
    assert.equal(sets.length, 2, 'no new ReplicaSet while paused');
    assert.equal(
      (await s.kubectl(['-n', ns, 'rollout', 'resume', 'deployment/nginx'])).stdout.trim(),
      'deployment.apps/nginx resumed',
    );
    await complete('nginx', 5);
    assert.equal((await get('nginx')).metadata.annotations?.['deployment.kubernetes.io/revision'], '6');
    assert.equal(
      (await s.kubectl(['-n', ns, 'rollout', 'restart', 'deployment/nginx'])).stdout.trim(),
      'deployment.apps/nginx restarted',
    );
    await complete('nginx', 5);
    assert.equal((await get('nginx')).metadata.annotations?.['deployment.kubernetes.io/revision'], '7');
  });

  it('reports ProgressDeadlineExceeded when pods never become ready, and rollout status fails', async () => {
    await s.kubectl(['create', 'namespace', 'stuck']);
    const yaml = `apiVersion: apps/v1
kind: Deployment
metadata: {name: stuck}
spec:
  replicas: 1
  progressDeadlineSeconds: 2
  selector: {matchLabels: {app: stuck}}
  template:
    metadata: {labels: {app: stuck}}
    spec: {containers: [{name: c, image: nginx}]}
`;
    await s.kubectl(['-n', 'stuck', 'apply', '-f', '-'], yaml);
    const c = await eventually(
      'deadline exceeded',
      async () => {
        const d = JSON.parse(
          (await s.api('GET', '/apis/apps/v1/namespaces/stuck/deployments/stuck')).body,
        ) as DeploymentView;
        const p = d.status.conditions?.find((x) => x.type === 'Progressing');
        return p?.reason === 'ProgressDeadlineExceeded' ? p : undefined;
      },
      30,
    );
    assert.equal(c.status, 'False');
    assert.match(c.message, /^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/);
    const r = await s.kubectl(['-n', 'stuck', 'rollout', 'status', 'deployment/stuck', '--timeout=10s']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: deployment "stuck" exceeded its progress deadline/);
  });

  it('Recreate scales the old set to zero before the new one comes up', async () => {
    const yaml = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: rec}
spec:
  replicas: 2
  strategy: {type: Recreate}
  selector: {matchLabels: {app: rec}}
  template:
    metadata: {labels: {app: rec}}
    spec: {containers: [{name: c, image: ${image}}]}
`;
    await s.kubectl(['-n', ns, 'apply', '-f', '-'], yaml('nginx'));
    await complete('rec', 2);
    await s.kubectl(['-n', ns, 'apply', '-f', '-'], yaml('nginx:1.27'));
    await complete('rec', 2);
    const ev = (await events('ScalingReplicaSet')).split('\n').filter((l) => / rec-/.test(l));
    const down = ev.findIndex((l) => /^Scaled down replica set rec-\w+ from 2 to 0$/.test(l));
    const up = ev.findIndex((l, i) => i > 0 && /^Scaled up replica set rec-\w+ from 0 to 2$/.test(l));
    assert.ok(down >= 0 && up > down, ev.join('\n'));
  });
});
