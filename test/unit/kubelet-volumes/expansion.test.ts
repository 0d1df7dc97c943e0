// The kubelet's node step of volume expansion against a fake API: it finishes only claims that
// are Bound, carry FileSystemResizePending and whose hostPath/local volume is larger than the
// claim's status.capacity; it then writes status.capacity, drops the resize conditions (others
// stay) and records FileSystemResizeSuccessful on the pod and the claim. Missing objects and
// other volume types are left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../src/api/errors.js';
import type { KubeObject } from '../../../src/api/types.js';
import type { EventRecorder } from '../../../src/client/events.js';
import type { RestClient } from '../../../src/client/rest.js';
import { NodeVolumeExpander } from '../../../src/kubelet/volumes/expansion.js';
import type { Pod } from '../../../src/kubelet/runtime/types.js';

function fakeApi(objects: Record<string, KubeObject>) {
  const writes: { path: string; body: KubeObject }[] = [];
  const client = {
    request(method: string, path: string, body?: unknown) {
      if (method === 'GET') {
        const o = objects[path];
        if (!o) return Promise.reject(new StatusError(404, 'NotFound', 'not found'));
        return Promise.resolve(structuredClone(o));
      }
      writes.push({ path, body: body as KubeObject });
      return Promise.resolve(body);
    },
  } as unknown as RestClient;
  const events: string[] = [];
  const recorder = {
    event: (o: KubeObject, type: string, reason: string, message: string) =>
      events.push(`${o.kind}/${o.metadata.name} ${type} ${reason} ${message}`),
  } as unknown as EventRecorder;
  return { client, writes, events, recorder };
}

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'app', namespace: 'ns', uid: 'u1' },
  spec: {
    containers: [{ name: 'c', image: 'busybox' }],
    volumes: [
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
      { name: 'tmp', emptyDir: {} },
    ],
  },
} as Pod;

const claim = (conditions: unknown[], phase = 'Bound'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'ns', resourceVersion: '7' },
  spec: { volumeName: 'pv1', resources: { requests: { storage: '2Gi' } } },
  status: { phase, capacity: { storage: '1Gi' }, conditions },
});
const volume = (source: Record<string, unknown>, storage = '2Gi'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'pv1' },
  spec: { capacity: { storage }, ...source },
});
const PENDING = { type: 'FileSystemResizePending', status: 'True', message: 'm' };
const OTHER = { type: 'ModifyingVolume', status: 'True' };
const PVC = '/api/v1/namespaces/ns/persistentvolumeclaims/data';
const PV = '/api/v1/persistentvolumes/pv1';

async function run(objects: Record<string, KubeObject>) {
  const api = fakeApi(objects);
  const ex = new NodeVolumeExpander(api.client, 'node-a', api.recorder, 60_000);
  ex.track(pod);
  await ex.tick();
  ex.stop();
  return api;
}

test('finishes a pending expansion: capacity from the volume, resize conditions gone, two events', async () => {
  const api = await run({ [PVC]: claim([OTHER, PENDING]), [PV]: volume({ hostPath: { path: '/x' } }) });
  assert.equal(api.writes.length, 1);
  assert.equal(api.writes[0].path, `${PVC}/status`);
  const st = api.writes[0].body.status as { capacity: unknown; conditions: unknown; phase: string };
  assert.deepEqual(st.capacity, { storage: '2Gi' });
  assert.deepEqual(st.conditions, [OTHER]);
  assert.equal(st.phase, 'Bound');
  assert.equal(api.writes[0].body.metadata.resourceVersion, '7'); // optimistic concurrency
  const msg = 'MountVolume.NodeExpandVolume succeeded for volume "pv1" node-a';
  assert.deepEqual(api.events, [
    `Pod/app Normal FileSystemResizeSuccessful ${msg}`,
    `PersistentVolumeClaim/data Normal FileSystemResizeSuccessful ${msg}`,
  ]);
});

test('the last resize condition gone leaves no empty conditions list; local volumes count too', async () => {
  const api = await run({ [PVC]: claim([PENDING]), [PV]: volume({ local: { path: '/x' } }) });
  assert.equal((api.writes[0].body.status as { conditions?: unknown }).conditions, undefined);
});

test('nothing to do: no pending condition, not Bound, volume not larger, other types, missing objects', async () => {
  const cases: Record<string, KubeObject>[] = [
    { [PVC]: claim([]), [PV]: volume({ hostPath: { path: '/x' } }) },
    { [PVC]: claim([PENDING], 'Lost'), [PV]: volume({ hostPath: { path: '/x' } }) },
    { [PVC]: claim([PENDING]), [PV]: volume({ hostPath: { path: '/x' } }, '1Gi') },
    { [PVC]: claim([PENDING]), [PV]: volume({ csi: { driver: 'd', volumeHandle: 'h' } }) },
    { [PVC]: claim([PENDING]) },
    {},
  ];
  for (const objects of cases) {
    const api = await run(objects);
    assert.deepEqual(api.writes, []);
    assert.deepEqual(api.events, []);
  }
});

test('pods without claims are not tracked (no polling for them)', async () => {
  const api = fakeApi({});
  const ex = new NodeVolumeExpander(api.client, 'node-a', api.recorder, 60_000);
  ex.track({ ...pod, spec: { containers: pod.spec.containers } } as Pod);
  await ex.tick();
  ex.stop();
  assert.deepEqual(api.writes, []);
});
