// The local-path provisioner's objects, as k3s's local-path-provisioner makes them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/types.js';
import { storageClassObject, volumeFor } from '../../../src/controllers/local-path/controller.js';

describe('local-path provisioner objects', () => {
  it('the default StorageClass: rancher.io/local-path, Delete, WaitForFirstConsumer', () => {
    assert.deepEqual(storageClassObject(), {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: 'local-path',
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: 'rancher.io/local-path',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
  });

  it('a hostPath PV pvc-<uid> under the storage dir, pinned to the node, claimed by the PVC', () => {
    const pvc = {
      metadata: { name: 'data', namespace: 'web', uid: 'u-1', resourceVersion: '7' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '2Gi' } },
        storageClassName: 'local-path',
      },
    } as unknown as KubeObject & { spec: object };
    const pv = volumeFor(pvc as never, 'node-a', '/var/lib/k8ts/storage');
    assert.equal(pv.metadata.name, 'pvc-u-1');
    assert.equal(pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'rancher.io/local-path');
    assert.deepEqual((pv.spec as Record<string, unknown>).hostPath, {
      path: '/var/lib/k8ts/storage/pvc-u-1_web_data',
      type: 'DirectoryOrCreate',
    });
    assert.deepEqual((pv.spec as Record<string, unknown>).capacity, { storage: '2Gi' });
    assert.deepEqual(pv.spec.claimRef, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      namespace: 'web',
      name: 'data',
      uid: 'u-1',
      resourceVersion: '7',
    });
    assert.deepEqual((pv.spec as Record<string, unknown>).nodeAffinity, {
      required: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-a'] }] },
        ],
      },
    });
    assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Delete');
  });
});
