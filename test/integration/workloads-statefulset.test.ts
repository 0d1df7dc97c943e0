// StatefulSets against a real server: ordered creation with stable names and claims,
// revisions, RollingUpdate with a partition, ordered scale-down, and Parallel management.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';
import { eventually, livePods, writePodStatus, keepPodsReady } from './pod-status-writer.js';

const sts = (name: string, extra = '', image = 'nginx') => `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ${name}}
spec:
  serviceName: ${name}-svc
  replicas: 3
  selector: {matchLabels: {app: ${name}}}
${extra}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: ${image}}]}
`;

describe('statefulset controller', () => {
  let s: TestServer;
  const ns = 'sts';
  before(async () => {
    s = await startServer();
    assert.equal((await s.kubectl(['create', 'namespace', ns])).code, 0);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  const names = async (sel: string) => (await livePods(s, ns, sel)).map((p) => p.metadata.name).sort();
  const set = async (name: string) =>
    JSON.parse((await s.api('GET', `/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`)).body) as {
      status: Record<string, unknown>;
    };

  it('creates pods one by one in ordinal order, each with its identity and claim', async () => {
    const claims = `  volumeClaimTemplates:
  - metadata: {name: www}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}`;
    assert.equal(
      (await s.kubectl(['-n', ns, 'apply', '-f', '-'], sts('web', claims))).stdout.trim(),
      'statefulset.apps/web created',
    );
    await eventually('web-0', async () => ((await names('app=web')).length === 1 ? true : undefined));
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(await names('app=web'), ['web-0'], 'web-1 waits for web-0 to be ready');
    const [p0] = await livePods(s, ns, 'app=web');
    assert.equal(p0.metadata.labels?.['statefulset.kubernetes.io/pod-name'], 'web-0');
    assert.equal(p0.metadata.labels?.['apps.kubernetes.io/pod-index'], '0');
    assert.match(p0.metadata.labels?.['controller-revision-hash'] ?? '', /^web-[a-z0-9]+$/);
    assert.equal(p0.spec.hostname, 'web-0');
    assert.equal(p0.spec.subdomain, 'web-svc');
    const vols =
      (p0.spec as { volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[] }).volumes ??
      [];
    assert.deepEqual(vols.find((v) => v.name === 'www')?.persistentVolumeClaim, { claimName: 'www-web-0' });
    const pvc = await s.kubectl([
      '-n',
      ns,
      'get',
      'pvc',
      'www-web-0',
      '-o',
      'jsonpath={.metadata.labels.app}',
    ]);
    assert.equal(pvc.stdout, 'web');
    await writePodStatus(s, ns, 'web-0');
    await eventually('web-1', async () => ((await names('app=web')).includes('web-1') ? true : undefined));
    await writePodStatus(s, ns, 'web-1');
    await eventually('web-2', async () => ((await names('app=web')).includes('web-2') ? true : undefined));
    await writePodStatus(s, ns, 'web-2');
    const st = await eventually('status', async () => {
      const v = await set('web');
      return v.status.readyReplicas === 3 ? v.status : undefined;
    });
    assert.equal(st.replicas, 3);
    assert.equal(st.currentRevision, p0.metadata.labels?.['controller-revision-hash']);
    assert.equal(st.updateRevision, st.currentRevision);
    const cr = await s.kubectl([
      '-n',
      ns,
      'get',
      'controllerrevision',
      String(st.currentRevision),
      '-o',
      'jsonpath={.revision}',
    ]);
    assert.equal(cr.stdout, '1');
    const ev = await s.kubectl([
      '-n',
      ns,
      'get',
      'events',
      '--field-selector',
      'reason=SuccessfulCreate',
      '-o',
      'jsonpath={range .items[*]}{.message}{"\\n"}{end}',
    ]);
    assert.match(ev.stdout, /^create Claim www-web-0 Pod web-0 in StatefulSet web success$/m);
    assert.match(ev.stdout, /^create Pod web-0 in StatefulSet web successful$/m);
  });

  it('rolls out a new revision from the highest ordinal down to the partition', async () => {
    const stop = keepPodsReady(s, ns, 'app=web');
    try {
      const before = (await set('web')).status.currentRevision as string;
      await s.kubectl([
        '-n',
        ns,
        'patch',
        'sts',
        'web',
        '--type=merge',
        '-p',
        '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}',
      ]);
      await s.kubectl(['-n', ns, 'set', 'image', 'sts/web', 'c=nginx:1.27']);
      const update = await eventually(
        'web-2 updated',
        async () => {
          const st = (await set('web')).status;
          const p2 = (await livePods(s, ns, 'app=web')).find((p) => p.metadata.name === 'web-2');
          return st.updateRevision !== before &&
            p2?.metadata.labels?.['controller-revision-hash'] === st.updateRevision &&
            st.updatedReplicas === 1
            ? (st.updateRevision as string)
            : undefined;
        },
        30,
      );
      const revs = Object.fromEntries(
        (await livePods(s, ns, 'app=web')).map((p) => [
          p.metadata.name,
          p.metadata.labels?.['controller-revision-hash'],
        ]),
      );
      assert.deepEqual(revs, { 'web-0': before, 'web-1': before, 'web-2': update });
      await s.kubectl([
        '-n',
        ns,
        'patch',
        'sts',
        'web',
        '--type=merge',
        '-p',
        '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}',
      ]);
      const done = await eventually(
        'all updated',
        async () => {
          const st = (await set('web')).status;
          return st.updatedReplicas === 3 && st.readyReplicas === 3 && st.currentRevision === update
            ? st
            : undefined;
        },
        30,
      );
      assert.equal(done.currentReplicas, 3);
      const del = await s.kubectl([
        '-n',
        ns,
        'get',
        'events',
        '--field-selector',
        'reason=SuccessfulDelete',
        '-o',
        'jsonpath={range .items[*]}{.message}{"\\n"}{end}',
      ]);
      const order = del.stdout
        .trim()
        .split('\n')
        .map((l) => /Pod (web-\d)/.exec(l)?.[1]);
      assert.deepEqual(order, ['web-2', 'web-1', 'web-0']);
    } finally {
      await stop();
    }
  });

  it('scales down from the highest ordinal and keeps the claims', async () => {
    await s.kubectl(['-n', ns, 'scale', 'sts', 'web', '--replicas=1']);
    await eventually(
      'one left',
      async () => ((await names('app=web')).join() === 'web-0' ? true : undefined),
      30,
    );
    const pvcs = await s.kubectl(['-n', ns, 'get', 'pvc', '-o', 'name']);
    assert.deepEqual(pvcs.stdout.trim().split('\n').sort(), [
      'persistentvolumeclaim/www-web-0',
      'persistentvolumeclaim/www-web-1',
      'persistentvolumeclaim/www-web-2',
    ]);
  });

  it('makes the set, and on scale-down the pod, owner of the claims as the retention policy says', async () => {
    const spec = `  podManagementPolicy: Parallel
  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete, whenScaled: Delete}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}`;
    await s.kubectl(['-n', ns, 'apply', '-f', '-'], sts('db', spec));
    const uid = await eventually(
      'db uid',
      async () =>
        (await set('db')).status &&
        (JSON.parse((await s.api('GET', `/apis/apps/v1/namespaces/${ns}/statefulsets/db`)).body).metadata
          .uid as string),
    );
    const owners = (claim: string) =>
      s.kubectl([
        '-n',
        ns,
        'get',
        'pvc',
        claim,
        '-o',
        'jsonpath={range .metadata.ownerReferences[*]}{.kind}/{.name}/{.uid} {end}',
      ]);
    await eventually('claims owned by the set', async () =>
      (await owners('data-db-2')).stdout.includes(`StatefulSet/db/${uid}`) ? true : undefined,
    );
    const stop = keepPodsReady(s, ns, 'app=db');
    try {
      await eventually('ready', async () =>
        (await set('db')).status.readyReplicas === 3 ? true : undefined,
      );
      const pod2 = (await livePods(s, ns, 'app=db')).find((p) => p.metadata.name === 'db-2')!;
      await s.kubectl(['-n', ns, 'scale', 'sts', 'db', '--replicas=2']);
      // the claim goes with the pod (the garbage collector follows the pod owner reference)
      await eventually(
        'claim of db-2 removed with its pod',
        async () => {
          const r = await s.api('GET', `/api/v1/namespaces/${ns}/persistentvolumeclaims/data-db-2`);
          if (r.status === 404) return true;
          const claim = JSON.parse(r.body) as {
            metadata: { deletionTimestamp?: string; ownerReferences?: { uid: string }[] };
          };
          return claim.metadata.deletionTimestamp &&
            claim.metadata.ownerReferences?.some((o) => o.uid === pod2.metadata.uid)
            ? true
            : undefined;
        },
        30,
      );
      const kept = JSON.parse(
        (await s.api('GET', `/api/v1/namespaces/${ns}/persistentvolumeclaims/data-db-0`)).body,
      ) as {
        metadata: { deletionTimestamp?: string };
      };
      assert.equal(kept.metadata.deletionTimestamp, undefined);
    } finally {
      await stop();
    }
  });

  it('OnDelete: a new template reaches only the pods users delete', async () => {
    const spec = '  podManagementPolicy: Parallel\n  updateStrategy: {type: OnDelete}';
    await s.kubectl(['-n', ns, 'apply', '-f', '-'], sts('od', spec));
    await eventually('3 pods', async () => ((await names('app=od')).length === 3 ? true : undefined));
    const first = (await livePods(s, ns, 'app=od'))[0].metadata.labels?.['controller-revision-hash'];
    await s.kubectl(['-n', ns, 'apply', '-f', '-'], sts('od', spec, 'nginx:1.27'));
    const update = await eventually('new update revision', async () => {
      const st = (await set('od')).status;
      return st.updateRevision && st.updateRevision !== first ? (st.updateRevision as string) : undefined;
    });
    await new Promise((r) => setTimeout(r, 1000));
    for (const p of await livePods(s, ns, 'app=od'))
      assert.equal(p.metadata.labels?.['controller-revision-hash'], first);
    await s.kubectl(['-n', ns, 'delete', 'pod', 'od-1']);
    await eventually('od-1 back at the new revision', async () => {
      const p = (await livePods(s, ns, 'app=od')).find((x) => x.metadata.name === 'od-1');
      return p?.metadata.labels?.['controller-revision-hash'] === update ? true : undefined;
    });
    const others = (await livePods(s, ns, 'app=od')).filter((p) => p.metadata.name !== 'od-1');
    for (const p of others) assert.equal(p.metadata.labels?.['controller-revision-hash'], first);
  });

  it('creates every pod at once with podManagementPolicy Parallel', async () => {
    await s.kubectl(['-n', ns, 'apply', '-f', '-'], sts('par', '  podManagementPolicy: Parallel'));
    await eventually('3 pods without waiting', async () =>
      (await names('app=par')).join() === 'par-0,par-1,par-2' ? true : undefined,
    );
  });
});
