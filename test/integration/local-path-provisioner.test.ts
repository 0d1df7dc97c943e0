// k3s's storage experience on simulated nodes: the default StorageClass `local-path`; a pod's
// claim waits for the scheduler (WaitForFirstConsumer), the scheduler picks the node and sets
// volume.kubernetes.io/selected-node, the provisioner makes `pvc-<uid>` pinned to that node
// (through a helper pod), the binder binds it, the pod runs; deleting the claim deletes the
// volume (reclaim policy Delete) through a second helper pod.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';
import { eventually, kubectlOk } from './controllers-util.js';

describe('local-path provisioner, VolumeBinding, expansion and Recycle on simulated nodes', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(['--enable-agent', '--runtime', 'sim']);
    await eventually(s, ['get', 'nodes', '--no-headers'], /\sReady\s/, 30_000);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('ships the default StorageClass local-path, as k3s', async () => {
    const out = await kubectlOk(s, ['get', 'storageclass', '--no-headers']);
    assert.match(
      out,
      /^local-path \(default\)\s+rancher.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s+\d+s\n$/,
    );
  });

  it('provisions a volume on the node the pod is scheduled to, and deletes it with its claim', async () => {
    await kubectlOk(
      s,
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 128Mi}}
`,
    );
    await eventually(
      s,
      [
        'get',
        'events',
        '--field-selector',
        'involvedObject.name=data',
        '-o',
        'custom-columns=R:.reason',
        '--no-headers',
      ],
      /WaitForFirstConsumer/,
    );
    assert.match(
      await kubectlOk(s, ['get', 'pvc', 'data', '--no-headers']),
      /^data\s+Pending\s+local-path\s/,
    );
    await kubectlOk(
      s,
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: Pod
metadata: {name: uses-data}
spec:
  volumes: [{name: v, persistentVolumeClaim: {claimName: data}}]
  containers: [{name: c, image: busybox, command: [sleep, "3600"], volumeMounts: [{name: v, mountPath: /data}]}]
`,
    );
    const line = await eventually(s, ['get', 'pvc', 'data', '--no-headers'], /\sBound\s/, 30_000);
    const uid = await kubectlOk(s, ['get', 'pvc', 'data', '-o', 'jsonpath={.metadata.uid}']);
    assert.match(line, new RegExp(`^data\\s+Bound\\s+pvc-${uid}\\s+128Mi\\s+RWO\\s+local-path\\s`));
    const node = await kubectlOk(s, [
      'get',
      'pvc',
      'data',
      '-o',
      "jsonpath={.metadata.annotations['volume\\.kubernetes\\.io/selected-node']}",
    ]);
    assert.ok(node.length > 0);
    const pv = JSON.parse(await kubectlOk(s, ['get', 'pv', `pvc-${uid}`, '-o', 'json'])) as {
      metadata: { annotations: Record<string, string> };
      spec: { hostPath: { path: string }; persistentVolumeReclaimPolicy: string; nodeAffinity: unknown };
    };
    assert.equal(pv.metadata.annotations['pv.kubernetes.io/provisioned-by'], 'rancher.io/local-path');
    assert.match(pv.spec.hostPath.path, new RegExp(`/storage/pvc-${uid}_default_data$`));
    assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Delete');
    assert.deepEqual(pv.spec.nodeAffinity, {
      required: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] },
        ],
      },
    });
    await eventually(s, ['get', 'pod', 'uses-data', '--no-headers'], /\sRunning\s/, 30_000);
    assert.equal(await kubectlOk(s, ['get', 'pod', 'uses-data', '-o', 'jsonpath={.spec.nodeName}']), node);
    const events = await kubectlOk(s, [
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=data',
      '-o',
      'custom-columns=R:.reason,M:.message',
      '--no-headers',
    ]);
    assert.match(
      events,
      /ExternalProvisioning\s+Waiting for a volume to be created either by the external provisioner 'rancher.io\/local-path'/,
    );
    assert.match(
      events,
      /Provisioning\s+External provisioner is provisioning volume for claim "default\/data"/,
    );
    assert.match(events, new RegExp(`ProvisioningSucceeded\\s+Successfully provisioned volume pvc-${uid}`));
    // the helper pod is gone once the volume exists
    await eventually(
      s,
      ['get', 'pods', '-n', 'kube-system', '-o', 'name'],
      (out) => !out.includes('helper-pod-create'),
    );

    await kubectlOk(s, ['delete', 'pod', 'uses-data', '--grace-period=0', '--force']);
    await kubectlOk(s, ['delete', 'pvc', 'data']);
    await eventually(s, ['get', 'pv', '-o', 'name'], (out) => !out.includes(`pvc-${uid}`), 30_000);
  });

  it('expands a claim of a local-path class that allows it; the default class refuses, as k3s', async () => {
    await kubectlOk(
      s,
      ['apply', '-f', '-'],
      `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: local-path-expandable}
provisioner: rancher.io/local-path
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Delete
allowVolumeExpansion: true
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: grows}
spec:
  storageClassName: local-path-expandable
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: fixed}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: uses-both}
spec:
  volumes:
  - {name: a, persistentVolumeClaim: {claimName: grows}}
  - {name: b, persistentVolumeClaim: {claimName: fixed}}
  containers: [{name: c, image: busybox, command: [sleep, "3600"], volumeMounts: [{name: a, mountPath: /a}, {name: b, mountPath: /b}]}]
`,
    );
    await eventually(s, ['get', 'pod', 'uses-both', '--no-headers'], /\sRunning\s/, 30_000);
    assert.match(
      await kubectlOk(s, ['get', 'storageclass', 'local-path-expandable', '--no-headers']),
      /\strue\s/,
    );
    const patch = (size: string) => [
      'patch',
      'pvc',
      '-p',
      `{"spec":{"resources":{"requests":{"storage":"${size}"}}}}`,
    ];

    // the packaged class has no allowVolumeExpansion, as k3s's: the admission plugin says no
    const refused = await s.kubectl([...patch('2Gi'), 'fixed']);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr.trim(),
      'Error from server (Forbidden): persistentvolumeclaims "fixed" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
    );
    // shrinking is invalid whatever the class
    const shrink = await s.kubectl([...patch('512Mi'), 'grows']);
    assert.equal(shrink.code, 1);
    assert.equal(
      shrink.stderr.trim(),
      'The PersistentVolumeClaim "grows" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than previous value',
    );

    const uid = await kubectlOk(s, ['get', 'pvc', 'grows', '-o', 'jsonpath={.metadata.uid}']);
    await kubectlOk(s, [...patch('2Gi'), 'grows']);
    // the resizer grows the volume, the kubelet of the pod's node finishes: the claim shows 2Gi
    await eventually(
      s,
      ['get', 'pvc', 'grows', '--no-headers'],
      new RegExp(`^grows\\s+Bound\\s+pvc-${uid}\\s+2Gi\\s`),
      30_000,
    );
    assert.match(await kubectlOk(s, ['get', 'pv', `pvc-${uid}`, '--no-headers']), /^pvc-\S+\s+2Gi\s/);
    const claim = JSON.parse(await kubectlOk(s, ['get', 'pvc', 'grows', '-o', 'json'])) as {
      status: { capacity: { storage: string }; conditions?: unknown[]; allocatedResources?: unknown };
    };
    assert.deepEqual(claim.status.capacity, { storage: '2Gi' });
    assert.equal(claim.status.conditions, undefined);
    // RecoverVolumeExpansionFailure is off in v1.31: no allocatedResources
    assert.equal(claim.status.allocatedResources, undefined);
    // the pre-resize annotation is gone once the node step is done
    await eventually(
      s,
      [
        'get',
        'pv',
        `pvc-${uid}`,
        '-o',
        "jsonpath={.metadata.annotations['volume\\.alpha\\.kubernetes\\.io/pre-resize-capacity']}",
      ],
      (out) => out === '',
    );
    const node = await kubectlOk(s, ['get', 'pod', 'uses-both', '-o', 'jsonpath={.spec.nodeName}']);
    const events = await kubectlOk(s, [
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=grows',
      '-o',
      'custom-columns=R:.reason,S:.source.component,M:.message',
      '--no-headers',
    ]);
    assert.match(
      events,
      /ExternalExpanding\s+volume_expand\s+waiting for an external controller to expand this PVC/,
    );
    assert.match(
      events,
      new RegExp(
        `Resizing\\s+external-resizer rancher.io/local-path\\s+External resizer is resizing volume pvc-${uid}`,
      ),
    );
    assert.match(
      events,
      /FileSystemResizeRequired\s+external-resizer rancher.io\/local-path\s+Require file system resize of volume on node/,
    );
    assert.match(
      events,
      new RegExp(
        `FileSystemResizeSuccessful\\s+kubelet\\s+MountVolume.NodeExpandVolume succeeded for volume "pvc-${uid}" ${node}`,
      ),
    );
    const describe = await kubectlOk(s, ['describe', 'pvc', 'grows']);
    assert.match(describe, /Capacity:\s+2Gi/);
    assert.match(
      describe,
      /Normal\s+FileSystemResizeSuccessful\s+\S+\s+kubelet\s+MountVolume.NodeExpandVolume succeeded/,
    );
    const podEvents = await kubectlOk(s, ['describe', 'pod', 'uses-both']);
    assert.match(podEvents, /FileSystemResizeSuccessful/);
    await kubectlOk(s, ['delete', 'pod', 'uses-both', '--grace-period=0', '--force']);
    await kubectlOk(s, ['delete', 'pvc', 'grows', 'fixed']);
  });

  it('Recycle: a recycler pod scrubs a released hostPath volume, which is Available again; others fail', async () => {
    const vol = (name: string, source: string) => `apiVersion: v1
kind: PersistentVolume
metadata: {name: ${name}}
spec:
  storageClassName: manual
  capacity: {storage: 3Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Recycle
  ${source}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}-claim}
spec:
  storageClassName: manual
  volumeName: ${name}
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
`;
    await kubectlOk(
      s,
      ['apply', '-f', '-'],
      vol('recycled', `hostPath: {path: "${s.dir}/recycled"}`) +
        '---\n' +
        vol(
          'unrecyclable',
          `local: {path: "${s.dir}/local"}\n  nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: Exists}]}]}}`,
        ),
    );
    await eventually(
      s,
      ['get', 'pvc', 'recycled-claim', 'unrecyclable-claim', '--no-headers'],
      (out) => (out.match(/\sBound\s/g) ?? []).length === 2,
    );
    await kubectlOk(s, ['delete', 'pvc', 'recycled-claim', 'unrecyclable-claim']);

    // hostPath: the recycler pod runs in default, completes, is deleted; the volume is free again
    await eventually(
      s,
      ['get', 'pv', 'recycled', '--no-headers'],
      /^recycled\s+3Gi\s+RWO\s+Recycle\s+Available\s+manual\s/,
      30_000,
    );
    assert.equal(await kubectlOk(s, ['get', 'pv', 'recycled', '-o', 'jsonpath={.spec.claimRef}']), '');
    await eventually(
      s,
      ['get', 'pods', '-n', 'default', '-o', 'name'],
      (out) => !out.includes('recycler-for-recycled'),
    );
    const events = await kubectlOk(s, [
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=recycled',
      '-o',
      'custom-columns=T:.type,R:.reason,M:.message',
      '--no-headers',
    ]);
    assert.match(
      events,
      /Normal\s+RecyclerPod\s+Recycler pod: Successfully assigned default\/recycler-for-recycled to /,
    );
    assert.match(events, /Normal\s+RecyclerPod\s+Recycler pod: Started container pv-recycler/);
    assert.match(events, /Normal\s+VolumeRecycled\s+Volume recycled/);

    // a local volume has no recycler plugin: Failed with upstream's message
    await eventually(s, ['get', 'pv', 'unrecyclable', '--no-headers'], /\sFailed\s/, 30_000);
    assert.equal(
      await kubectlOk(s, ['get', 'pv', 'unrecyclable', '-o', 'jsonpath={.status.message}']),
      'No recycler plugin found for the volume!',
    );
    assert.match(
      await kubectlOk(s, ['describe', 'pv', 'unrecyclable']),
      /Warning\s+VolumeFailedRecycle\s+\S+\s+persistentvolume-controller\s+No recycler plugin found for the volume!/,
    );
    await kubectlOk(s, ['delete', 'pv', 'recycled', 'unrecyclable']);
  });

  it('a pod whose claim names a missing class or no claim at all stays Pending with the reason', async () => {
    await kubectlOk(
      s,
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: Pod
metadata: {name: no-claim}
spec:
  volumes: [{name: v, persistentVolumeClaim: {claimName: nope}}]
  containers: [{name: c, image: busybox}]
`,
    );
    const cond = await eventually(
      s,
      ['get', 'pod', 'no-claim', '-o', 'jsonpath={.status.conditions[0].message}'],
      /persistentvolumeclaim/,
    );
    assert.match(cond, /^0\/1 nodes are available: persistentvolumeclaim "nope" not found\./);
  });
});
