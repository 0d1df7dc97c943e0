// The recycler pod as upstream's hostPath and NFS recyclers make it (template, name, deadline
// from the --pv-recycler-* flags), upstream's CalculateTimeoutForVolume, and the resize
// conditions merge the expansion steps share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  recyclerPod,
  recyclerTimeouts,
  timeoutForVolume,
} from '../../../src/controllers/persistentvolume/recycler.js';
import { mergeResizeConditions, resizeCondition } from '../../../src/api/volume-resize.js';
import type { KubeObject } from '../../../src/api/types.js';

const pv = (storage: string, source: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'v' },
  spec: { capacity: { storage }, ...source },
});

test('timeouts: whole GiB times the increment, at least the minimum; flags override defaults', () => {
  assert.equal(timeoutForVolume(60, 30, pv('1Gi', {})), 60);
  assert.equal(timeoutForVolume(60, 30, pv('10Gi', {})), 300);
  assert.equal(timeoutForVolume(60, 30, pv('2500Mi', {})), 60); // 2 whole GiB: 60
  assert.equal(timeoutForVolume(60, 30, pv('3Gi', {})), 90);
  assert.deepEqual(recyclerTimeouts({}), {
    minimumHostPath: 60,
    incrementHostPath: 30,
    minimumNFS: 300,
    incrementNFS: 30,
  });
  assert.deepEqual(
    recyclerTimeouts({
      'pv-recycler-minimum-timeout-hostpath': '5',
      'pv-recycler-timeout-increment-hostpath': '7',
      'pv-recycler-minimum-timeout-nfs': 'x', // not a number: the default
    }),
    { minimumHostPath: 5, incrementHostPath: 7, minimumNFS: 300, incrementNFS: 30 },
  );
});

test('hostPath and NFS volumes get the recycler pod; other types have no recycler', () => {
  const t = recyclerTimeouts({});
  const pod = recyclerPod(pv('20Gi', { hostPath: { path: '/data/x', type: 'Directory' } }), t)!;
  assert.equal(pod.metadata.name, 'recycler-for-v');
  assert.equal(pod.metadata.namespace, 'default');
  const spec = pod.spec as {
    activeDeadlineSeconds: number;
    restartPolicy: string;
    volumes: unknown[];
    containers: { name: string; command: string[]; args: string[]; volumeMounts: unknown[] }[];
  };
  assert.equal(spec.activeDeadlineSeconds, 600);
  assert.equal(spec.restartPolicy, 'Never');
  assert.deepEqual(spec.volumes, [{ name: 'vol', hostPath: { path: '/data/x' } }]);
  assert.equal(spec.containers[0].name, 'pv-recycler');
  assert.deepEqual(spec.containers[0].command, ['/bin/sh']);
  assert.deepEqual(spec.containers[0].args, [
    '-c',
    'test -e /scrub && find /scrub -mindepth 1 -delete && test -z "$(ls -A /scrub)" || exit 1',
  ]);
  assert.deepEqual(spec.containers[0].volumeMounts, [{ name: 'vol', mountPath: '/scrub' }]);
  const nfs = recyclerPod(pv('1Gi', { nfs: { server: 'srv', path: '/exports' } }), t)!;
  assert.equal((nfs.spec as { activeDeadlineSeconds: number }).activeDeadlineSeconds, 300);
  assert.deepEqual((nfs.spec as { volumes: unknown[] }).volumes, [
    { name: 'vol', nfs: { server: 'srv', path: '/exports', readOnly: false } },
  ]);
  assert.equal(recyclerPod(pv('1Gi', { local: { path: '/x' } }), t), undefined);
  assert.equal(recyclerPod(pv('1Gi', { csi: { driver: 'd', volumeHandle: 'h' } }), t), undefined);
});

test('resize conditions replace each other; other conditions and same-type transition times stay', () => {
  const t0 = new Date('2024-01-01T00:00:00Z');
  const t1 = new Date('2024-01-01T00:01:00Z');
  const pvc = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'c' },
    status: {
      conditions: [{ type: 'ModifyingVolume', status: 'True' }, resizeCondition('Resizing', t0)],
    },
  } as KubeObject;
  assert.deepEqual(mergeResizeConditions(pvc, [resizeCondition('Resizing', t1)]), [
    { type: 'ModifyingVolume', status: 'True' },
    { type: 'Resizing', status: 'True', lastProbeTime: null, lastTransitionTime: '2024-01-01T00:00:00Z' },
  ]);
  assert.deepEqual(mergeResizeConditions(pvc, [resizeCondition('FileSystemResizePending', t1, 'm')]), [
    { type: 'ModifyingVolume', status: 'True' },
    {
      type: 'FileSystemResizePending',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: '2024-01-01T00:01:00Z',
      message: 'm',
    },
  ]);
  assert.deepEqual(mergeResizeConditions(pvc, []), [{ type: 'ModifyingVolume', status: 'True' }]);
});
