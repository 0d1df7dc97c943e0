// PersistentVolume binding, protection and reclaim through the real kubectl (seed 004 §3.22,
// "Configure a Pod to Use a PersistentVolume"): claims bind to the smallest fitting volume of
// their class, volumes are Released (Retain) or deleted/Failed (Delete) once their claim goes,
// and claims in use by a pod are kept Terminating until the pod is gone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, startServer, type TestServer } from './harness.js';
import { eventually, kubectlOk } from './controllers-util.js';

const pv = (name: string, size: string, extra = '', policy = 'Retain', path = '/mnt/data') => `apiVersion: v1
kind: PersistentVolume
metadata:
  name: ${name}
  labels: {type: local}
spec:
  storageClassName: manual
  capacity: {storage: ${size}}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: ${policy}
  hostPath: {path: "${path}"}
${extra ? extra + '\n' : ''}`;

const pvc = (name: string, size: string, cls = 'manual') => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
  storageClassName: "${cls}"
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: ${size}}}
`;

describe('persistent volumes: binder, protection, reclaim', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('binds a claim to the smallest volume that fits, both ways, as kubectl shows', async () => {
    await kubectlOk(
      s,
      ['apply', '-f', '-'],
      [pv('big', '20Gi'), pv('task-pv-volume', '10Gi'), pv('small', '1Gi')].join('---\n'),
    );
    await kubectlOk(s, ['apply', '-f', '-'], pvc('task-pv-claim', '3Gi'));
    const line = await eventually(s, ['get', 'pvc', 'task-pv-claim', '--no-headers'], /Bound/);
    assert.match(line, /^task-pv-claim\s+Bound\s+task-pv-volume\s+10Gi\s+RWO\s+manual\s+<unset>\s+\d+s\n$/);
    const pvLine = await kubectlOk(s, ['get', 'pv', 'task-pv-volume', '--no-headers']);
    assert.match(
      pvLine,
      /^task-pv-volume\s+10Gi\s+RWO\s+Retain\s+Bound\s+default\/task-pv-claim\s+manual\s+<unset>\s+\d+s\n$/,
    );
    assert.match(await kubectlOk(s, ['get', 'pv', 'big', '--no-headers']), /\sAvailable\s/);
    const claim = JSON.parse(await kubectlOk(s, ['get', 'pvc', 'task-pv-claim', '-o', 'json'])) as {
      metadata: { annotations: Record<string, string>; finalizers: string[] };
    };
    assert.equal(claim.metadata.annotations['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(claim.metadata.annotations['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.deepEqual(claim.metadata.finalizers, ['kubernetes.io/pvc-protection']);
    const vol = JSON.parse(await kubectlOk(s, ['get', 'pv', 'task-pv-volume', '-o', 'json'])) as {
      metadata: { finalizers: string[] };
      spec: { claimRef: Record<string, string> };
    };
    assert.deepEqual(vol.metadata.finalizers, ['kubernetes.io/pv-protection']);
    assert.equal(vol.spec.claimRef.kind, 'PersistentVolumeClaim');
    assert.equal(vol.spec.claimRef.name, 'task-pv-claim');
  });

  it('keeps a claim used by a pod Terminating until the pod is gone; Retain leaves the volume Released', async () => {
    await kubectlOk(
      s,
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: Pod
metadata: {name: task-pv-pod}
spec:
  nodeName: nowhere
  volumes: [{name: storage, persistentVolumeClaim: {claimName: task-pv-claim}}]
  containers: [{name: web, image: nginx, volumeMounts: [{mountPath: /usr/share/nginx/html, name: storage}]}]
`,
    );
    await kubectlOk(s, ['delete', 'pvc', 'task-pv-claim', '--wait=false']);
    // the pod holds it: still there, Terminating, for a while
    await new Promise((r) => setTimeout(r, 1500));
    assert.match(
      await kubectlOk(s, ['get', 'pvc', 'task-pv-claim', '--no-headers']),
      /^task-pv-claim\s+Terminating\s/,
    );
    await kubectlOk(s, ['delete', 'pod', 'task-pv-pod', '--grace-period=0', '--force']);
    await eventually(s, ['get', 'pvc', '-o', 'name'], (out) => !out.includes('task-pv-claim'));
    await eventually(
      s,
      ['get', 'pv', 'task-pv-volume', '--no-headers'],
      /\sRetain\s+Released\s+default\/task-pv-claim\s/,
    );
  });

  it('Delete: a hostPath volume under /tmp is removed with its directory, others turn Failed', async () => {
    const dir = join(s.dir, 'vol-tmp');
    mkdirSync(dir);
    assert.ok(dir.startsWith('/tmp/'));
    await kubectlOk(
      s,
      ['apply', '-f', '-'],
      pv('tmp-vol', '2Gi', '', 'Delete', dir) + '---\n' + pvc('tmp-claim', '2Gi'),
    );
    await eventually(s, ['get', 'pvc', 'tmp-claim', '--no-headers'], /\sBound\s+tmp-vol\s/);
    await kubectlOk(s, ['delete', 'pvc', 'tmp-claim']);
    await eventually(s, ['get', 'pv', '-o', 'name'], (out) => !out.includes('tmp-vol'));
    assert.equal(existsSync(dir), false);

    await kubectlOk(
      s,
      ['apply', '-f', '-'],
      pv('mnt-vol', '2Gi', '', 'Delete', '/mnt/k8ts-never') + '---\n' + pvc('mnt-claim', '2Gi'),
    );
    await eventually(s, ['get', 'pvc', 'mnt-claim', '--no-headers'], /\sBound\s+mnt-vol\s/);
    await kubectlOk(s, ['delete', 'pvc', 'mnt-claim']);
    await eventually(s, ['get', 'pv', 'mnt-vol', '--no-headers'], /\sDelete\s+Failed\s/);
    const events = await eventually(
      s,
      [
        'get',
        'events',
        '--field-selector',
        'involvedObject.name=mnt-vol',
        '-o',
        'custom-columns=R:.reason,M:.message',
        '--no-headers',
      ],
      /VolumeFailedDelete/,
    );
    assert.match(
      events,
      /VolumeFailedDelete\s+failed to create deleter for volume "mnt-vol": host_path deleter only supports \/tmp\/\.\+ but received provided \/mnt\/k8ts-never/,
    );
  });

  it('explains pending claims with upstream events', async () => {
    await kubectlOk(
      s,
      ['apply', '-f', '-'],
      pvc('no-class', '1Gi', '') + '---\n' + pvc('missing-class', '1Gi', 'nope'),
    );
    await kubectlOk(
      s,
      ['apply', '-f', '-'],
      `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: later}
provisioner: example.com/nfs
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: external}
provisioner: example.com/nfs
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: standard}
provisioner: kubernetes.io/gce-pd
---
` +
        pvc('gce-claim', '1Gi', 'standard') +
        '---\n' +
        pvc('waits', '1Gi', 'later') +
        '---\n' +
        pvc('external-claim', '1Gi', 'external'),
    );
    const reasons = (name: string, want: RegExp) =>
      eventually(
        s,
        [
          'get',
          'events',
          '--field-selector',
          `involvedObject.name=${name}`,
          '-o',
          'custom-columns=R:.reason,M:.message',
          '--no-headers',
        ],
        want,
      );
    await reasons(
      'no-class',
      /FailedBinding\s+no persistent volumes available for this claim and no storage class is set/,
    );
    await reasons('missing-class', /ProvisioningFailed\s+storageclass.storage.k8s.io "nope" not found/);
    await reasons('waits', /WaitForFirstConsumer\s+waiting for first consumer to be created before binding/);
    await reasons(
      'external-claim',
      /ExternalProvisioning\s+Waiting for a volume to be created either by the external provisioner 'example.com\/nfs' or manually by the system administrator\. If volume creation is delayed, please verify that the provisioner is running and correctly registered\./,
    );
    // seed 004 §3.10's gce-pd class: CSI migration hands it to the CSI driver, as v1.31 does
    await reasons(
      'gce-claim',
      /ExternalProvisioning\s+Waiting for a volume to be created either by the external provisioner 'pd.csi.storage.gke.io' or manually/,
    );
    const ann = await kubectlOk(s, [
      'get',
      'pvc',
      'external-claim',
      '-o',
      'jsonpath={.metadata.annotations}',
    ]);
    assert.match(ann, /"volume.kubernetes.io\/storage-provisioner":"example.com\/nfs"/);
    assert.match(await kubectlOk(s, ['get', 'pvc', 'no-class', '--no-headers']), /^no-class\s+Pending\s/);
  });

  it('binds a claim that names its volume, and a volume pre-bound to a claim', async () => {
    await kubectlOk(
      s,
      ['apply', '-f', '-'],
      pv('named', '5Gi') +
        `---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: wants-named}
spec:
  storageClassName: manual
  volumeName: named
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
` +
        pv('reserved', '1Gi', '  claimRef: {namespace: default, name: gets-reserved}') +
        '---\n' +
        pvc('gets-reserved', '1Gi'),
    );
    await eventually(s, ['get', 'pvc', 'wants-named', '--no-headers'], /\sBound\s+named\s+5Gi\s/);
    await eventually(s, ['get', 'pvc', 'gets-reserved', '--no-headers'], /\sBound\s+reserved\s+1Gi\s/);
    const ann = await kubectlOk(s, ['get', 'pvc', 'wants-named', '-o', 'jsonpath={.metadata.annotations}']);
    assert.doesNotMatch(ann, /bound-by-controller/);
  });
});

describe('persistent volume claims: update rules', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(['--disable-controller-manager']);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('refuses spec changes of a claim but lets the binder set volumeName; Bound claims of an expandable class grow', async () => {
    await kubectlOk(s, ['apply', '-f', '-'], pvc('fixed', '1Gi'));
    const r = await s.kubectl(['patch', 'pvc', 'fixed', '-p', '{"spec":{"accessModes":["ReadOnlyMany"]}}']);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /The PersistentVolumeClaim "fixed" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims/,
    );
    // unbound: no resize either
    const grow = await s.kubectl([
      'patch',
      'pvc',
      'fixed',
      '-p',
      '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}',
    ]);
    assert.notEqual(grow.code, 0);
    // the same size in other units is no change
    await kubectlOk(s, [
      'patch',
      'pvc',
      'fixed',
      '-p',
      '{"spec":{"resources":{"requests":{"storage":"1024Mi"}}}}',
    ]);
    await kubectlOk(s, ['patch', 'pvc', 'fixed', '-p', '{"spec":{"volumeName":"some-pv"}}']);
    const growPatch = [
      'patch',
      'pvc',
      'fixed',
      '-p',
      '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}',
    ];
    // upstream asks the phase, not volumeName: still Pending, still immutable
    assert.match((await s.kubectl(growPatch)).stderr, /spec: Forbidden: spec is immutable after creation/);
    await kubectlOk(s, [
      'patch',
      'pvc',
      'fixed',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"phase":"Bound","capacity":{"storage":"1Gi"}}}',
    ]);
    // Bound, but class "manual" does not exist (nor allow expansion): PersistentVolumeClaimResize
    const refused = await s.kubectl(growPatch);
    assert.equal(
      refused.stderr.trim(),
      'Error from server (Forbidden): persistentvolumeclaims "fixed" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
    );
    await kubectlOk(
      s,
      ['apply', '-f', '-'],
      'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: manual}\nprovisioner: kubernetes.io/no-provisioner\nallowVolumeExpansion: true\n',
    );
    await kubectlOk(s, growPatch);
    const again = await s.kubectl(['patch', 'pvc', 'fixed', '-p', '{"spec":{"volumeName":"other-pv"}}']);
    assert.notEqual(again.code, 0);
  });
});
