// PodDisruptionBudget status and the eviction subresource against a real server, and
// `kubectl drain` on top of them. Pods are owned by a hand-made ReplicaSet and made ready by
// writing pods/status (spec.nodeName set at create).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';
import { apiOk, eventually, kubectlOk } from './controllers-util.js';

const NS = 'pdb';

interface PDB {
  status: {
    currentHealthy: number;
    desiredHealthy: number;
    expectedPods: number;
    disruptionsAllowed: number;
    disruptedPods?: Record<string, string>;
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}

describe('disruption budgets and eviction', () => {
  let s: TestServer;
  let rsUid = '';

  async function pod(
    name: string,
    nodeName: string,
    labels: Record<string, string>,
    phase = 'Running',
    owned = true,
  ) {
    await apiOk(s, 'POST', `/api/v1/namespaces/${NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        labels,
        ownerReferences: owned
          ? [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: 'web',
                uid: rsUid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ]
          : undefined,
      },
      spec: { nodeName, containers: [{ name: 'c', image: 'nginx' }] },
    });
    await apiOk(
      s,
      'PATCH',
      `/api/v1/namespaces/${NS}/pods/${name}/status`,
      { status: { phase, conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False' }] } },
      'application/merge-patch+json',
    );
  }
  const pdb = (name: string) =>
    apiOk<PDB>(s, 'GET', `/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets/${name}`);
  const evict = (name: string, body?: unknown) =>
    s.api(
      'POST',
      `/api/v1/namespaces/${NS}/pods/${name}/eviction`,
      JSON.stringify(
        body ?? { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: NS } },
      ),
    );

  before(async () => {
    s = await startServer();
    await kubectlOk(s, ['create', 'namespace', NS]);
    for (const n of ['n1', 'n2'])
      await apiOk(s, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: n } });
    const rs = await apiOk<{ metadata: { uid: string } }>(
      s,
      'POST',
      `/apis/apps/v1/namespaces/${NS}/replicasets`,
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'c', image: 'nginx' }] },
          },
        },
      },
    );
    rsUid = rs.metadata.uid;
    for (const p of ['web-1', 'web-2', 'web-3']) await pod(p, 'n1', { app: 'web' });
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('reports a budget with minAvailable: healthy, desired, expected, allowed', async () => {
    await kubectlOk(s, [
      '-n',
      NS,
      'create',
      'poddisruptionbudget',
      'web-pdb',
      '--selector=app=web',
      '--min-available=2',
    ]);
    const out = await eventually(
      s,
      ['-n', NS, 'get', 'pdb', 'web-pdb', '--no-headers'],
      /^web-pdb\s+2\s+N\/A\s+1\s/,
    );
    assert.match(out, /^web-pdb\s+2\s+N\/A\s+1\s/);
    const st = (await pdb('web-pdb')).status;
    assert.deepEqual(
      [st.currentHealthy, st.desiredHealthy, st.expectedPods, st.disruptionsAllowed],
      [3, 2, 3, 1],
    );
    const c = st.conditions!.find((x) => x.type === 'DisruptionAllowed')!;
    assert.deepEqual([c.status, c.reason], ['True', 'SufficientPods']);
  });

  it('evicts while the budget allows, then answers 429 with the DisruptionBudget cause', async () => {
    const ok = await evict('web-1');
    assert.equal(ok.status, 201, ok.body);
    assert.equal((JSON.parse(ok.body) as { status: string }).status, 'Success');
    const gone = await apiOk<{ metadata: { deletionTimestamp?: string } }>(
      s,
      'GET',
      `/api/v1/namespaces/${NS}/pods/web-1`,
    );
    assert.ok(gone.metadata.deletionTimestamp, 'the evicted pod is being deleted');
    // the message quotes status.currentHealthy: let the controller count the eviction first
    await eventually(
      s,
      ['-n', NS, 'get', 'pdb', 'web-pdb', '-o', 'jsonpath={.status.currentHealthy}'],
      /^2$/,
    );
    const refused = await evict('web-2');
    assert.equal(refused.status, 429, refused.body);
    const status = JSON.parse(refused.body) as {
      reason: string;
      message: string;
      details: { causes: { reason: string; message: string }[] };
    };
    assert.equal(status.reason, 'TooManyRequests');
    assert.equal(status.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(status.details.causes, [
      {
        reason: 'DisruptionBudget',
        message: 'The disruption budget web-pdb needs 2 healthy pods and has 2 currently',
      },
    ]);
    await kubectlOk(s, ['-n', NS, 'get', 'pod', 'web-2']);
    const st = await eventually(
      s,
      ['-n', NS, 'get', 'pdb', 'web-pdb', '-o', 'jsonpath={.status.conditions[0].reason}'],
      /InsufficientPods/,
    );
    assert.equal(st, 'InsufficientPods');
  });

  it('kubectl drain retries and reports the budget violation', async () => {
    const r = await s.kubectl(['drain', 'n1', '--timeout=3s']);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout, /node\/n1 cordoned/);
    assert.match(
      r.stderr,
      /error when evicting pods\/"web-\d" -n "pdb" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./,
    );
    await kubectlOk(s, ['uncordon', 'n1']);
  });

  it('kubectl drain evicts what no budget protects and reports the node drained', async () => {
    await pod('done-1', 'n2', { app: 'batch' }, 'Succeeded');
    const r = await s.kubectl(['drain', 'n2', '--timeout=20s']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pod\/done-1 evicted/);
    assert.match(r.stdout, /node\/n2 drained/);
  });

  it('takes maxUnavailable of the controller scale', async () => {
    await kubectlOk(s, [
      '-n',
      NS,
      'create',
      'poddisruptionbudget',
      'web-max',
      '--selector=app=web',
      '--max-unavailable=50%',
    ]);
    await eventually(s, ['-n', NS, 'get', 'pdb', 'web-max', '-o', 'jsonpath={.status.expectedPods}'], /^3$/);
    const st = (await pdb('web-max')).status;
    // 50% of 3 rounds up to 2 unavailable: 1 must stay healthy
    assert.equal(st.desiredHealthy, 1);
  });

  it('fails safe when pods have no controller and a percentage needs one', async () => {
    await pod('lone', 'n1', { app: 'lone' }, 'Running', false);
    await kubectlOk(s, [
      '-n',
      NS,
      'create',
      'poddisruptionbudget',
      'lone-pdb',
      '--selector=app=lone',
      '--min-available=50%',
    ]);
    const reason = await eventually(
      s,
      ['-n', NS, 'get', 'pdb', 'lone-pdb', '-o', 'jsonpath={.status.conditions[0].reason}'],
      /SyncFailed/,
    );
    assert.equal(reason, 'SyncFailed');
    const msg = await kubectlOk(s, [
      '-n',
      NS,
      'get',
      'pdb',
      'lone-pdb',
      '-o',
      'jsonpath={.status.conditions[0].message}',
    ]);
    assert.equal(msg, 'found no controller ref for pod "lone"');
  });

  it('refuses an eviction whose name does not match the URL', async () => {
    const r = await evict('web-2', {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'other' },
    });
    assert.equal(r.status, 400);
    assert.match(r.body, /name in URL does not match name in Eviction object/);
  });

  it('answers 404 for a pod that is not there', async () => {
    const r = await evict('nope');
    assert.equal(r.status, 404);
    assert.match(r.body, /pods \\"nope\\" not found/);
  });

  it('refuses to pick between two budgets for one pod', async () => {
    await kubectlOk(s, [
      '-n',
      NS,
      'create',
      'poddisruptionbudget',
      'lone-2',
      '--selector=app=lone',
      '--min-available=0',
    ]);
    const r = await evict('lone');
    assert.equal(r.status, 500);
    assert.match(
      r.body,
      /This pod has more than one PodDisruptionBudget, which the eviction subresource does not support\./,
    );
  });
});
