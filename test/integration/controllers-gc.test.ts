// The garbage collector against a real server: background, foreground and orphan propagation,
// dangling references, with hand-made owners and dependents (kubectl as a user drives it).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';
import { apiOk, eventually, kubectlOk } from './controllers-util.js';

const NS = 'gc';

interface Meta {
  metadata: {
    uid: string;
    name: string;
    deletionTimestamp?: string;
    finalizers?: string[];
    ownerReferences?: unknown[];
  };
}

describe('garbage collector', () => {
  let s: TestServer;

  const configMap = async (
    name: string,
    owners: { name: string; uid: string; block?: boolean }[] = [],
    finalizers?: string[],
  ) =>
    apiOk<Meta>(s, 'POST', `/api/v1/namespaces/${NS}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        finalizers,
        ownerReferences: owners.map((o) => ({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          name: o.name,
          uid: o.uid,
          ...(o.block ? { blockOwnerDeletion: true } : {}),
        })),
      },
    });
  const gone = (name: string) =>
    eventually(s, ['-n', NS, 'get', 'configmap', name, '--ignore-not-found', '-o', 'name'], /^$/);

  before(async () => {
    s = await startServer();
    await kubectlOk(s, ['create', 'namespace', NS]);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('deletes dependents in the background when their owner is deleted', async () => {
    const owner = await configMap('bg-owner');
    await configMap('bg-dep1', [owner.metadata]);
    await configMap('bg-dep2', [owner.metadata]);
    const out = await kubectlOk(s, ['-n', NS, 'delete', 'configmap', 'bg-owner']);
    assert.equal(out, 'configmap "bg-owner" deleted\n');
    await gone('bg-dep1');
    await gone('bg-dep2');
  });

  it('deletes a dependent whose owner never existed, or exists with another uid', async () => {
    await configMap('never-owner-dep', [{ name: 'nobody', uid: '00000000-0000-0000-0000-000000000001' }]);
    await configMap('namesake');
    await configMap('namesake-dep', [{ name: 'namesake', uid: '00000000-0000-0000-0000-000000000002' }]);
    await gone('never-owner-dep');
    await gone('namesake-dep');
    await kubectlOk(s, ['-n', NS, 'get', 'configmap', 'namesake']);
  });

  it('keeps a dependent with a live owner and drops its dangling reference', async () => {
    const live = await configMap('live-owner');
    await configMap('two-owners-dep', [
      live.metadata,
      { name: 'ghost', uid: '00000000-0000-0000-0000-000000000003' },
    ]);
    const out = await eventually(
      s,
      ['-n', NS, 'get', 'configmap', 'two-owners-dep', '-o', 'jsonpath={.metadata.ownerReferences[*].name}'],
      /^live-owner$/,
    );
    assert.equal(out, 'live-owner');
  });

  it('foreground deletion keeps the owner until its blocking dependents are gone', async () => {
    const owner = await configMap('fg-owner');
    await configMap('fg-blocker', [{ ...owner.metadata, block: true }], ['example.com/hold']);
    await configMap('fg-plain', [owner.metadata]);
    const del = await kubectlOk(s, [
      '-n',
      NS,
      'delete',
      'configmap',
      'fg-owner',
      '--cascade=foreground',
      '--wait=false',
    ]);
    assert.equal(del, 'configmap "fg-owner" deleted\n');
    // the non-blocking dependent goes; the blocking one is held by its own finalizer
    await gone('fg-plain');
    await eventually(
      s,
      ['-n', NS, 'get', 'configmap', 'fg-blocker', '-o', 'jsonpath={.metadata.deletionTimestamp}'],
      /\d{4}-/,
    );
    const held = await apiOk<Meta>(s, 'GET', `/api/v1/namespaces/${NS}/configmaps/fg-owner`);
    assert.ok(held.metadata.deletionTimestamp, 'owner is visible with a deletionTimestamp');
    assert.deepEqual(held.metadata.finalizers, ['foregroundDeletion']);
    await kubectlOk(s, [
      '-n',
      NS,
      'patch',
      'configmap',
      'fg-blocker',
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":null}}',
    ]);
    await gone('fg-blocker');
    await gone('fg-owner');
  });

  it('kubectl delete --cascade=foreground waits and returns once dependents and owner are gone', async () => {
    const owner = await configMap('fgw-owner');
    for (let i = 0; i < 5; i++) await configMap(`fgw-dep${i}`, [{ ...owner.metadata, block: true }]);
    await kubectlOk(s, ['-n', NS, 'delete', 'configmap', 'fgw-owner', '--cascade=foreground']);
    const left = await kubectlOk(s, ['-n', NS, 'get', 'configmaps', '-o', 'name']);
    assert.doesNotMatch(left, /fgw-/);
  });

  it('orphan deletion removes the owner reference and keeps the dependent', async () => {
    const owner = await configMap('or-owner');
    const other = await configMap('or-other');
    await configMap('or-dep', [owner.metadata, other.metadata]);
    await configMap('or-dep-only', [owner.metadata]);
    await kubectlOk(s, ['-n', NS, 'delete', 'configmap', 'or-owner', '--cascade=orphan']);
    await gone('or-owner');
    const refs = await kubectlOk(s, [
      '-n',
      NS,
      'get',
      'configmap',
      'or-dep',
      '-o',
      'jsonpath={.metadata.ownerReferences[*].name}',
    ]);
    assert.equal(refs, 'or-other');
    const none = await kubectlOk(s, [
      '-n',
      NS,
      'get',
      'configmap',
      'or-dep-only',
      '-o',
      'jsonpath={.metadata.ownerReferences}',
    ]);
    assert.equal(none, '');
  });

  it('deletes the pods of a ReplicaSet deleted in the foreground, then the ReplicaSet', async () => {
    const rs = await apiOk<Meta>(s, 'POST', `/apis/apps/v1/namespaces/${NS}/replicasets`, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web', labels: { app: 'gc-web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'gc-web' } },
        template: {
          metadata: { labels: { app: 'gc-web' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
    });
    for (const name of ['web-a', 'web-b']) {
      await apiOk(s, 'POST', `/api/v1/namespaces/${NS}/pods`, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          labels: { app: 'gc-web' },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: 'web',
              uid: rs.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      });
    }
    const out = await kubectlOk(s, ['-n', NS, 'delete', 'rs', 'web', '--cascade=foreground']);
    assert.equal(out, 'replicaset.apps "web" deleted\n');
    await eventually(s, ['-n', NS, 'get', 'rs,pods', '-l', 'app=gc-web', '-o', 'name'], /^$/);
  });

  it('deletes the pods of a ReplicaSet deleted in the background', async () => {
    const rs = await apiOk<Meta>(s, 'POST', `/apis/apps/v1/namespaces/${NS}/replicasets`, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'bg-web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'gc-bg-web' } },
        template: {
          metadata: { labels: { app: 'gc-bg-web' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
    });
    await apiOk(s, 'POST', `/api/v1/namespaces/${NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'bg-web-a',
        labels: { app: 'gc-bg-web' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'bg-web',
            uid: rs.metadata.uid,
            controller: true,
          },
        ],
      },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
    await kubectlOk(s, ['-n', NS, 'delete', 'rs', 'bg-web', '--cascade=background']);
    await eventually(s, ['-n', NS, 'get', 'pods', '-l', 'app=gc-bg-web', '-o', 'name'], /^$/);
  });

  it('never collects a cluster-scoped dependent naming a namespaced owner, and reports it', async () => {
    await apiOk(s, 'POST', '/apis/scheduling.k8s.io/v1/priorityclasses', {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: {
        name: 'owned-by-a-configmap',
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: '00000000-0000-0000-0000-000000000009' },
        ],
      },
      value: 10,
    });
    await eventually(
      s,
      [
        '-n',
        'default',
        'get',
        'events',
        '--field-selector',
        'reason=OwnerRefInvalidNamespace',
        '-o',
        'jsonpath={.items[*].involvedObject.name}',
      ],
      /owned-by-a-configmap/,
    );
    await kubectlOk(s, ['get', 'priorityclass', 'owned-by-a-configmap']);
  });
});
