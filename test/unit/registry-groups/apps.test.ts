import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  columnNames,
  create,
  createErrors,
  defaultedTemplate,
  row,
  strategy,
  updateErrors,
} from './helpers.js';

const deployments = strategy('apps', 'v1', 'deployments');
const replicasets = strategy('apps', 'v1', 'replicasets');
const statefulsets = strategy('apps', 'v1', 'statefulsets');
const daemonsets = strategy('apps', 'v1', 'daemonsets');
const controllerrevisions = strategy('apps', 'v1', 'controllerrevisions');

const template = (labels: Record<string, string>) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'nginx', image: 'nginx' }] },
});
const minimal = (name: string, labels: Record<string, string> = { app: name }) => ({
  metadata: { name },
  spec: { selector: { matchLabels: labels }, template: template(labels) },
});

describe('apps/v1 defaults (what kubectl get -o yaml shows after create)', () => {
  it('Deployment: RollingUpdate 25%/25%, 10 revisions, 600s progress deadline, 1 replica', () => {
    const d = create(deployments, minimal('nginx'));
    assert.deepEqual(d.spec, {
      progressDeadlineSeconds: 600,
      replicas: 1,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: 'nginx' } },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
      template: defaultedTemplate({ app: 'nginx' }, 'nginx', 'nginx'),
    });
    assert.deepEqual(d.status, {});
  });

  it('Deployment: Recreate gets no rollingUpdate', () => {
    const d = create(deployments, {
      ...minimal('r'),
      spec: { ...minimal('r').spec, strategy: { type: 'Recreate' } },
    });
    assert.deepEqual((d.spec as { strategy: unknown }).strategy, { type: 'Recreate' });
  });

  it('StatefulSet: OrderedReady, RollingUpdate partition 0, Retain/Retain, 10 revisions', () => {
    const s = create(statefulsets, {
      ...minimal('web'),
      spec: { ...minimal('web').spec, serviceName: 'web' },
    });
    assert.deepEqual(s.spec, {
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      podManagementPolicy: 'OrderedReady',
      replicas: 1,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: 'web' } },
      serviceName: 'web',
      template: defaultedTemplate({ app: 'web' }, 'nginx', 'nginx'),
      updateStrategy: { rollingUpdate: { partition: 0 }, type: 'RollingUpdate' },
    });
  });

  it('DaemonSet: RollingUpdate maxUnavailable 1 maxSurge 0, 10 revisions, no replicas', () => {
    const ds = create(daemonsets, minimal('agent'));
    assert.deepEqual(ds.spec, {
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: 'agent' } },
      template: defaultedTemplate({ app: 'agent' }, 'nginx', 'nginx'),
      updateStrategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' },
    });
  });

  it('ReplicaSet: 1 replica only', () => {
    const rs = create(replicasets, minimal('rs'));
    assert.equal((rs.spec as { replicas: number }).replicas, 1);
    assert.equal((rs.spec as Record<string, unknown>).revisionHistoryLimit, undefined);
  });

  it('workloads track generation and serve scale with the selector string', () => {
    for (const s of [deployments, replicasets, statefulsets]) {
      assert.equal(s.generation, true);
      assert.equal(s.scale?.specReplicasPath, '.spec.replicas');
      assert.equal(s.scale?.selector?.(create(s, minimal('x', { app: 'x', tier: 'web' }))), 'app=x,tier=web');
    }
    assert.equal(daemonsets.scale, undefined);
  });

  it('short names and the all category', () => {
    assert.deepEqual(deployments.shortNames, ['deploy']);
    assert.deepEqual(replicasets.shortNames, ['rs']);
    assert.deepEqual(statefulsets.shortNames, ['sts']);
    assert.deepEqual(daemonsets.shortNames, ['ds']);
    for (const s of [deployments, replicasets, statefulsets, daemonsets])
      assert.deepEqual(s.categories, ['all']);
    assert.equal(controllerrevisions.categories, undefined);
  });
});

describe('apps/v1 validation messages', () => {
  it('selector that does not match the template labels', () => {
    const d = minimal('nginx');
    d.spec.selector = { matchLabels: { app: 'other' } };
    assert.deepEqual(createErrors(deployments, d), [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"nginx"}: `selector` does not match template `labels`',
    ]);
  });

  it('missing selector: required, and nothing matches', () => {
    const d = minimal('nginx') as { metadata: unknown; spec: Record<string, unknown> };
    delete d.spec.selector;
    assert.deepEqual(createErrors(deployments, d), [
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"nginx"}: `selector` does not match template `labels`',
    ]);
  });

  it('empty selector, with the kind word upstream uses (ReplicaSet says deployment)', () => {
    const empty = (name: string) => ({ ...minimal(name), spec: { ...minimal(name).spec, selector: {} } });
    const value =
      'v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}';
    assert.deepEqual(createErrors(deployments, empty('a')), [
      `spec.selector: Invalid value: ${value}: empty selector is invalid for deployment`,
    ]);
    assert.deepEqual(createErrors(replicasets, empty('a')), [
      `spec.selector: Invalid value: ${value}: empty selector is invalid for deployment`,
    ]);
    assert.deepEqual(createErrors(daemonsets, empty('a')), [
      `spec.selector: Invalid value: ${value}: empty selector is invalid for daemonset`,
    ]);
    assert.deepEqual(
      createErrors(statefulsets, { ...empty('a'), spec: { ...empty('a').spec, serviceName: 'a' } }),
      [`spec.selector: Invalid value: ${value}: empty selector is invalid for statefulset`],
    );
  });

  it('negative replicas', () => {
    const d = { ...minimal('nginx'), spec: { ...minimal('nginx').spec, replicas: -1 } };
    assert.deepEqual(createErrors(deployments, d), [
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });

  it('restartPolicy other than Always', () => {
    const d = minimal('nginx') as { spec: { template: { spec: Record<string, unknown> } } };
    d.spec.template.spec.restartPolicy = 'OnFailure';
    assert.deepEqual(createErrors(deployments, d), [
      'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    ]);
  });

  it('maxUnavailable and maxSurge both 0', () => {
    const d = {
      ...minimal('nginx'),
      spec: {
        ...minimal('nginx').spec,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } },
      },
    };
    assert.deepEqual(createErrors(deployments, d), [
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
    ]);
  });

  it('progressDeadlineSeconds not above minReadySeconds', () => {
    const d = { ...minimal('nginx'), spec: { ...minimal('nginx').spec, minReadySeconds: 700 } };
    assert.deepEqual(createErrors(deployments, d), [
      'spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds',
    ]);
  });

  it('selector is immutable, printed as Go does', () => {
    const old = create(deployments, minimal('nginx'));
    const next = structuredClone(old) as unknown as {
      spec: { selector: unknown; template: { metadata: { labels: unknown } } };
    };
    next.spec.selector = { matchLabels: { app: 'nginx', tier: 'web' } };
    next.spec.template.metadata.labels = { app: 'nginx', tier: 'web' };
    assert.deepEqual(updateErrors(deployments, old, next as never), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"nginx", "tier":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });

  it('StatefulSet updates may only touch the allowed spec fields', () => {
    const old = create(statefulsets, {
      ...minimal('web'),
      spec: { ...minimal('web').spec, serviceName: 'web' },
    });
    const scaled = structuredClone(old) as unknown as { spec: Record<string, unknown> };
    scaled.spec.replicas = 3;
    assert.deepEqual(updateErrors(statefulsets, old, scaled as never), []);
    const renamed = structuredClone(old) as unknown as { spec: Record<string, unknown> };
    renamed.spec.serviceName = 'other';
    assert.deepEqual(updateErrors(statefulsets, old, renamed as never), [
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });

  it('DaemonSet rolling update with both maxSurge and maxUnavailable', () => {
    const ds = {
      ...minimal('agent'),
      spec: {
        ...minimal('agent').spec,
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      },
    };
    assert.deepEqual(createErrors(daemonsets, ds), [
      'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero',
    ]);
  });

  it('ControllerRevision data is required and immutable', () => {
    assert.deepEqual(createErrors(controllerrevisions, { metadata: { name: 'r' }, revision: 1 }), [
      'data: Required value: data is mandatory',
    ]);
  });
});

describe('apps/v1 tables', () => {
  const status = { replicas: 3, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1 };

  it('Deployment: NAME READY UP-TO-DATE AVAILABLE AGE, wide CONTAINERS IMAGES SELECTOR', () => {
    assert.deepEqual(columnNames(deployments), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    assert.deepEqual(columnNames(deployments, true).slice(5), ['CONTAINERS', 'IMAGES', 'SELECTOR']);
    const d = create(deployments, { ...minimal('nginx'), spec: { ...minimal('nginx').spec, replicas: 3 } });
    d.status = status;
    assert.deepEqual(row(deployments, d), {
      Name: 'nginx',
      Ready: '1/3',
      'Up-to-date': 2,
      Available: 1,
      Age: '60m',
      Containers: 'nginx',
      Images: 'nginx',
      Selector: 'app=nginx',
    });
  });

  it('ReplicaSet: NAME DESIRED CURRENT READY AGE', () => {
    assert.deepEqual(columnNames(replicasets), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    const rs = create(replicasets, minimal('rs'));
    rs.status = status;
    assert.deepEqual(Object.values(row(replicasets, rs)).slice(0, 5), ['rs', 1, 3, 1, '60m']);
  });

  it('StatefulSet: NAME READY AGE, wide CONTAINERS IMAGES', () => {
    assert.deepEqual(columnNames(statefulsets), ['NAME', 'READY', 'AGE']);
    assert.deepEqual(columnNames(statefulsets, true), ['NAME', 'READY', 'AGE', 'CONTAINERS', 'IMAGES']);
    const s = create(statefulsets, minimal('web'));
    assert.equal(row(statefulsets, s).Ready, '0/1');
  });

  it('DaemonSet: NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE', () => {
    assert.deepEqual(columnNames(daemonsets), [
      'NAME',
      'DESIRED',
      'CURRENT',
      'READY',
      'UP-TO-DATE',
      'AVAILABLE',
      'NODE SELECTOR',
      'AGE',
    ]);
    const ds = create(daemonsets, minimal('agent'));
    (ds.spec as { template: { spec: Record<string, unknown> } }).template.spec.nodeSelector = {
      'kubernetes.io/os': 'linux',
    };
    assert.equal(row(daemonsets, ds)['Node Selector'], 'kubernetes.io/os=linux');
    assert.equal(row(daemonsets, create(daemonsets, minimal('b')))['Node Selector'], '<none>');
  });

  it('ControllerRevision: CONTROLLER is kind.group/name', () => {
    const cr = create(controllerrevisions, {
      metadata: {
        name: 'web-7d4b9c',
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u', controller: true },
        ],
      },
      data: {},
      revision: 2,
    });
    assert.deepEqual(Object.values(row(controllerrevisions, cr)), [
      'web-7d4b9c',
      'statefulset.apps/web',
      2,
      '60m',
    ]);
  });
});
