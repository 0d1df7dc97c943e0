// PersistentVolumeClaimResize and the claim's update validation as a client sees them: growing
// an unbound claim, or a claim whose class does not allow expansion, is 403 Forbidden with
// upstream's texts; shrinking is 422 with upstream's field error (RecoverVolumeExpansionFailure
// off, as in v1.31); growing a bound claim of an expandable class is accepted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, type Cluster } from './fixture.js';
import { persistentVolumeClaimResize } from '../../../src/apiserver/admission/persistent-volume-claim-resize.js';
import { StatusError } from '../../../src/api/errors.js';
import type { KubeObject } from '../../../src/api/types.js';

let c: Cluster;
before(async () => {
  c = await cluster((deps) => [persistentVolumeClaimResize(deps)]);
  const sc = (name: string, allow?: boolean) => ({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name },
    provisioner: 'rancher.io/local-path',
    ...(allow === undefined ? {} : { allowVolumeExpansion: allow }),
  });
  await c.create('storageclasses', sc('grow', true), '', 'storage.k8s.io');
  await c.create('storageclasses', sc('fixed'), '', 'storage.k8s.io');
  await c.create('storageclasses', sc('off', false), '', 'storage.k8s.io');
});
after(() => c.close());

async function claim(name: string, cls: string, bound: boolean): Promise<void> {
  await c.create('persistentvolumeclaims', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name },
    spec: {
      storageClassName: cls,
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
      ...(bound ? { volumeName: `pv-${name}` } : {}),
    },
  });
  if (bound)
    await c
      .store('persistentvolumeclaims')
      .update(
        'ns',
        name,
        c.ctx('ns'),
        (cur) => ({ ...cur, status: { phase: 'Bound', capacity: { storage: '1Gi' } } }),
        {
          subresource: 'status',
        },
      );
}

/** PUT of the claim with a new storage request; the StatusError it gets, or the stored claim. */
async function resize(name: string, storage: string): Promise<StatusError | KubeObject> {
  try {
    return await c.store('persistentvolumeclaims').update('ns', name, c.ctx('ns'), (cur) => {
      const next = structuredClone(cur);
      (next.spec as { resources: { requests: Record<string, string> } }).resources.requests.storage = storage;
      return next;
    });
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
}

const refusal = (r: StatusError | KubeObject) => {
  assert.ok(r instanceof StatusError, 'expected a refusal');
  return { code: r.code, message: r.message };
};

test('growing an unbound claim: validation answers first (422), the plugin alone says 403', async () => {
  await claim('pending', 'grow', false);
  assert.deepEqual(refusal(await resize('pending', '2Gi')), {
    code: 422,
    message:
      'PersistentVolumeClaim "pending" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
  });
  const old = await c.store('persistentvolumeclaims').get('ns', 'pending');
  const next = structuredClone(old);
  (next.spec as { resources: { requests: Record<string, string> } }).resources.requests.storage = '2Gi';
  const plugin = persistentVolumeClaimResize(c.deps);
  const req = {
    operation: 'UPDATE',
    group: '',
    version: 'v1',
    resource: 'persistentvolumeclaims',
    subresource: '',
    kind: 'PersistentVolumeClaim',
    namespace: 'ns',
    name: 'pending',
    object: next,
    oldObject: old,
    user: { name: 'alice', groups: [] },
    dryRun: false,
    ctx: c.ctx('ns'),
  } as const;
  await assert.rejects(
    async () => plugin.validate!({ ...req, user: { ...req.user, groups: [] } }),
    (err: StatusError) =>
      err.code === 403 &&
      err.message ===
        'persistentvolumeclaims "pending" is forbidden: Only bound persistent volume claims can be expanded',
  );
});

test('growing a claim whose class lacks allowVolumeExpansion (unset or false) is forbidden', async () => {
  const why =
    'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize';
  await claim('fixed-claim', 'fixed', true);
  await claim('off-claim', 'off', true);
  await claim('no-class', '', true);
  await claim('missing-class', 'nope', true);
  for (const name of ['fixed-claim', 'off-claim', 'no-class', 'missing-class'])
    assert.deepEqual(refusal(await resize(name, '2Gi')), {
      code: 403,
      message: `persistentvolumeclaims "${name}" is forbidden: ${why}`,
    });
});

test('growing a bound claim of an expandable class is accepted; the same size in other units too', async () => {
  await claim('grows', 'grow', true);
  const grown = await resize('grows', '2Gi');
  assert.ok(!(grown instanceof StatusError));
  assert.equal(
    (grown.spec as { resources: { requests: { storage: string } } }).resources.requests.storage,
    '2Gi',
  );
  assert.ok(!((await resize('grows', '2048Mi')) instanceof StatusError));
});

test('shrinking is invalid, with upstream field path and text', async () => {
  await claim('shrinks', 'grow', true);
  const r = refusal(await resize('shrinks', '512Mi'));
  assert.equal(r.code, 422);
  assert.equal(
    r.message,
    'PersistentVolumeClaim "shrinks" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than previous value',
  );
  // on a claim of a class that does not allow expansion too: validation, not admission, answers
  await claim('shrinks-fixed', 'fixed', true);
  assert.equal(refusal(await resize('shrinks-fixed', '1M')).code, 422);
});

test('status allocatedResources and allocatedResourceStatuses are dropped (RecoverVolumeExpansionFailure off)', async () => {
  await claim('alloc', 'grow', true);
  const st = c.store('persistentvolumeclaims');
  const out = await st.update(
    'ns',
    'alloc',
    c.ctx('ns'),
    (cur) => ({
      ...cur,
      status: {
        ...(cur.status as object),
        allocatedResources: { storage: '2Gi' },
        allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' },
      },
    }),
    { subresource: 'status' },
  );
  assert.deepEqual(out.status, { phase: 'Bound', capacity: { storage: '1Gi' } });
});
