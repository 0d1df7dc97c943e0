import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { coreV1Strategies } from '../../../src/apiserver/registry/core/index.js';
import { create, createErrors, row, strategy } from './helpers.js';

const pvs = strategy(coreV1Strategies, 'persistentvolumes');
const pvcs = strategy(coreV1Strategies, 'persistentvolumeclaims');
const rcs = strategy(coreV1Strategies, 'replicationcontrollers');
const podtemplates = strategy(coreV1Strategies, 'podtemplates');

describe('persistentvolumes', () => {
  const pv = {
    metadata: { name: 'pv1' },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteMany', 'ReadWriteOnce'],
      hostPath: { path: '/data' },
    },
  };

  it('defaults the reclaim policy, volume mode and Pending phase with its time', () => {
    const v = create(pvs, pv);
    assert.equal((v.spec as Record<string, unknown>).persistentVolumeReclaimPolicy, 'Retain');
    assert.equal((v.spec as Record<string, unknown>).volumeMode, 'Filesystem');
    assert.deepEqual(v.status, { phase: 'Pending', lastPhaseTransitionTime: '2024-06-01T12:00:00Z' });
  });

  it('requires access modes, capacity and a volume source', () => {
    assert.deepEqual(createErrors(pvs, { metadata: { name: 'pv1' }, spec: {} }), [
      'spec.accessModes: Required value',
      'spec.capacity: Required value',
      'spec: Required value: must specify a volume type',
    ]);
  });

  it('prints the upstream columns', () => {
    const v = create(pvs, pv);
    (v.spec as Record<string, unknown>).claimRef = { namespace: 'default', name: 'data' };
    v.status = { phase: 'Bound' };
    assert.deepEqual(row(pvs, v), {
      Name: 'pv1',
      Capacity: '1Gi',
      'Access Modes': 'RWO,RWX',
      'Reclaim Policy': 'Retain',
      Status: 'Bound',
      Claim: 'default/data',
      StorageClass: '',
      VolumeAttributesClass: '<unset>',
      Reason: '',
      Age: '60m',
      VolumeMode: 'Filesystem',
    });
  });
});

describe('persistentvolumeclaims', () => {
  const pvc = {
    metadata: { name: 'data' },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
      storageClassName: 'local-path',
    },
  };

  it('defaults the volume mode and starts Pending', () => {
    const c = create(pvcs, pvc);
    assert.equal((c.spec as Record<string, unknown>).volumeMode, 'Filesystem');
    assert.deepEqual(c.status, { phase: 'Pending' });
  });

  it('requires access modes and a storage request', () => {
    assert.deepEqual(createErrors(pvcs, { metadata: { name: 'd' }, spec: {} }), [
      'spec.accessModes: Required value: at least 1 access mode is required',
      'spec.resources[storage]: Required value',
    ]);
  });

  it('shows capacity and access modes only once bound', () => {
    const c = create(pvcs, pvc);
    assert.deepEqual(row(pvcs, c), {
      Name: 'data',
      Status: 'Pending',
      Volume: '',
      Capacity: '',
      'Access Modes': '',
      StorageClass: 'local-path',
      VolumeAttributesClass: '<unset>',
      Age: '60m',
      VolumeMode: 'Filesystem',
    });
    (c.spec as Record<string, unknown>).volumeName = 'pv1';
    c.status = { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] };
    const r = row(pvcs, c);
    assert.equal(r.Capacity, '1Gi');
    assert.equal(r['Access Modes'], 'RWO');
  });
});

describe('replicationcontrollers', () => {
  const rc = {
    metadata: { name: 'web' },
    spec: {
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] },
      },
    },
  };

  it('defaults replicas, selector and labels from the template', () => {
    const r = create(rcs, rc);
    const spec = r.spec as Record<string, unknown>;
    assert.equal(spec.replicas, 1);
    assert.deepEqual(spec.selector, { app: 'web' });
    assert.deepEqual(r.metadata.labels, { app: 'web' });
    assert.equal(spec.minReadySeconds, undefined);
    assert.deepEqual(r.status, { replicas: 0 });
    const tpl = spec.template as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    assert.equal(tpl.metadata.creationTimestamp, null);
    assert.equal(tpl.spec.restartPolicy, 'Always');
    assert.equal(tpl.spec.enableServiceLinks, undefined);
  });

  it('requires the selector to match the template labels', () => {
    assert.deepEqual(createErrors(rcs, { ...rc, spec: { ...rc.spec, selector: { app: 'other' } } }), [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ]);
  });

  it('prints NAME DESIRED CURRENT READY AGE and the wide columns', () => {
    const r = create(rcs, rc);
    assert.deepEqual(row(rcs, r), {
      Name: 'web',
      Desired: 1,
      Current: 0,
      Ready: 0,
      Age: '60m',
      Containers: 'nginx',
      Images: 'nginx:1.27',
      Selector: 'app=web',
    });
    assert.equal(rcs.scale!.selector!(r), 'app=web');
  });
});

describe('podtemplates', () => {
  it('defaults the template and prints NAME CONTAINERS IMAGES POD LABELS', () => {
    const pt = create(podtemplates, {
      metadata: { name: 'pt' },
      template: {
        metadata: { labels: { b: '2', a: '1' } },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      },
    });
    assert.equal((pt.template as { spec: { dnsPolicy: string } }).spec.dnsPolicy, 'ClusterFirst');
    assert.deepEqual(row(podtemplates, pt), {
      Name: 'pt',
      Containers: 'c',
      Images: 'busybox',
      'Pod Labels': 'a=1,b=2',
    });
  });
});

describe('core/v1 discovery attributes', () => {
  it('lists every resource with upstream short names, categories and kinds', () => {
    const table = coreV1Strategies.map((s) => [
      s.resource,
      s.kind,
      s.namespaced,
      s.shortNames ?? [],
      s.categories ?? [],
    ]);
    assert.deepEqual(table, [
      ['configmaps', 'ConfigMap', true, ['cm'], []],
      ['endpoints', 'Endpoints', true, ['ep'], []],
      ['events', 'Event', true, ['ev'], []],
      ['limitranges', 'LimitRange', true, ['limits'], []],
      ['namespaces', 'Namespace', false, ['ns'], []],
      ['nodes', 'Node', false, ['no'], []],
      ['persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc'], []],
      ['persistentvolumes', 'PersistentVolume', false, ['pv'], []],
      ['pods', 'Pod', true, ['po'], ['all']],
      ['podtemplates', 'PodTemplate', true, [], []],
      ['replicationcontrollers', 'ReplicationController', true, ['rc'], ['all']],
      ['resourcequotas', 'ResourceQuota', true, ['quota'], []],
      ['secrets', 'Secret', true, [], []],
      ['serviceaccounts', 'ServiceAccount', true, ['sa'], []],
      ['services', 'Service', true, ['svc'], ['all']],
    ]);
    for (const s of coreV1Strategies) assert.equal(s.definition, `io.k8s.api.core.v1.${s.kind}`);
    assert.deepEqual(strategy(coreV1Strategies, 'namespaces').verbs, [
      'create',
      'delete',
      'get',
      'list',
      'patch',
      'update',
      'watch',
    ]);
  });
});
