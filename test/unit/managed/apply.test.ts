import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverSideApply, type ApplyOptions } from '../../../src/api/managed/apply.js';
import { updateManagedFields } from '../../../src/api/managed/managed-fields.js';
import { StatusError } from '../../../src/api/errors.js';
import type { KubeObject } from '../../../src/api/types.js';
import { DEPLOYMENT, T0, T1, T2, config, defs, stored } from './fixture.js';

const opts = (manager: string, time: string, force = false): ApplyOptions => ({
  manager,
  force,
  apiVersion: 'apps/v1',
  time,
  definitionName: DEPLOYMENT,
  definitions: defs,
});

const spec = (o: KubeObject) => o.spec as Record<string, unknown>;
const containers = (o: KubeObject) =>
  (spec(o).template as { spec: { containers: Record<string, unknown>[] } }).spec.containers;

function conflictOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  assert.fail('expected a conflict');
}

test('apply creates the object and records one Apply entry with what was applied', () => {
  const { object, managedFields } = serverSideApply(undefined, config({ replicas: 2 }), opts('kubectl', T0));
  assert.equal(spec(object).replicas, 2);
  assert.equal(managedFields.length, 1);
  assert.deepEqual(managedFields[0], {
    manager: 'kubectl',
    operation: 'Apply',
    apiVersion: 'apps/v1',
    time: T0,
    fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
        },
      },
    },
  });
  assert.deepEqual(object.metadata.managedFields, managedFields);
});

test('re-applying the same configuration changes nothing, not even the time', () => {
  const first = serverSideApply(undefined, config({ replicas: 2 }), opts('kubectl', T0));
  const again = serverSideApply(stored(first.object), config({ replicas: 2 }), opts('kubectl', T1));
  assert.deepEqual(again.managedFields, first.managedFields);
  assert.deepEqual(spec(again.object), spec(first.object));
});

test('a field the manager no longer applies is removed', () => {
  const first = serverSideApply(
    undefined,
    config({ replicas: 2, labels: { team: 'a' } }),
    opts('kubectl', T0),
  );
  const next = serverSideApply(stored(first.object), config({}), opts('kubectl', T1));
  assert.equal(spec(next.object).replicas, undefined);
  assert.equal(next.object.metadata.labels, undefined);
  assert.equal(next.managedFields[0].time, T1);
});

test('a dropped field another manager also owns stays', () => {
  const a = serverSideApply(undefined, config({ replicas: 2 }), opts('alice', T0));
  const b = serverSideApply(stored(a.object), config({ replicas: 2 }), opts('bob', T1));
  const c = serverSideApply(stored(b.object), config({}), opts('alice', T2));
  assert.equal(spec(c.object).replicas, 2);
  const bob = c.managedFields.find((e) => e.manager === 'bob');
  assert.ok(bob && JSON.stringify(bob.fieldsV1).includes('f:replicas'));
  const alice = c.managedFields.find((e) => e.manager === 'alice');
  assert.ok(alice && !JSON.stringify(alice.fieldsV1).includes('f:replicas'));
});

test('two managers applying the same value share the field without conflict', () => {
  const a = serverSideApply(undefined, config({ replicas: 3 }), opts('alice', T0));
  const b = serverSideApply(stored(a.object), config({ replicas: 3 }), opts('bob', T1));
  assert.deepEqual(
    b.managedFields.map((e) => [e.manager, JSON.stringify(e.fieldsV1).includes('f:replicas')]),
    [
      ['alice', true],
      ['bob', true],
    ],
  );
});

test('changing a value another manager updated is a 409 with upstream message and causes', () => {
  const a = serverSideApply(undefined, config({ replicas: 2 }), opts('kubectl', T0));
  const live = stored(a.object);
  const scaled = { ...structuredClone(live), spec: { ...spec(live), replicas: 5 } };
  scaled.metadata.managedFields = updateManagedFields(live, scaled, {
    manager: 'kubectl-client-side-apply',
    apiVersion: 'apps/v1',
    time: T1,
    definitionName: DEPLOYMENT,
    definitions: defs,
  });
  const err = conflictOf(() => serverSideApply(scaled, config({ replicas: 3 }), opts('other', T2)));
  assert.equal(err.code, 409);
  assert.equal(err.reason, 'Conflict');
  assert.equal(
    err.message,
    'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
  );
  assert.deepEqual(err.details, {
    causes: [
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "kubectl-client-side-apply" using apps/v1',
        field: '.spec.replicas',
      },
    ],
  });
});

test('several conflicts are grouped per manager, Apply owners named without a version', () => {
  const a = serverSideApply(undefined, config({ replicas: 2, image: 'nginx:1' }), opts('alice', T0));
  const err = conflictOf(() =>
    serverSideApply(stored(a.object), config({ replicas: 4, image: 'nginx:2' }), opts('bob', T1)),
  );
  assert.equal(
    err.message,
    'Apply failed with 2 conflicts: conflicts with "alice":\n' +
      '- .spec.replicas\n' +
      '- .spec.template.spec.containers[name="web"].image',
  );
  assert.deepEqual(
    err.details?.causes?.map((c) => c.field),
    ['.spec.replicas', '.spec.template.spec.containers[name="web"].image'],
  );
});

test('force takes the conflicting fields over', () => {
  const a = serverSideApply(undefined, config({ replicas: 2 }), opts('alice', T0));
  const b = serverSideApply(stored(a.object), config({ replicas: 4 }), opts('bob', T1, true));
  assert.equal(spec(b.object).replicas, 4);
  const alice = b.managedFields.find((e) => e.manager === 'alice');
  assert.ok(alice && !JSON.stringify(alice.fieldsV1).includes('f:replicas'));
  const bob = b.managedFields.find((e) => e.manager === 'bob');
  assert.ok(bob && JSON.stringify(bob.fieldsV1).includes('f:replicas'));
});

test('containers merge by name: other managers keep their containers, live-only fields survive', () => {
  const a = serverSideApply(
    undefined,
    config({ containers: [{ name: 'web', image: 'nginx' }] }),
    opts('alice', T0),
  );
  const live = stored(a.object);
  containers(live)[0].imagePullPolicy = 'Always'; // a default nobody applied
  const b = serverSideApply(
    live,
    config({ containers: [{ name: 'sidecar', image: 'envoy' }] }),
    opts('bob', T1),
  );
  assert.deepEqual(containers(b.object), [
    { name: 'web', image: 'nginx', imagePullPolicy: 'Always' },
    { name: 'sidecar', image: 'envoy' },
  ]);
  // alice stops applying her container: it goes, defaults with it
  const c = serverSideApply(stored(b.object), config({ containers: [] }), opts('alice', T2));
  assert.deepEqual(containers(c.object), [{ name: 'sidecar', image: 'envoy' }]);
});

test('kubectl --server-side takes over fields client-side apply set, per the last-applied annotation', () => {
  const lastApplied = config({ replicas: 2 });
  const created: KubeObject = stored({
    ...config({ replicas: 2 }),
    metadata: {
      name: 'web',
      namespace: 'default',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(lastApplied) + '\n' },
    },
  });
  created.metadata.managedFields = updateManagedFields(undefined, created, {
    manager: 'kubectl-client-side-apply',
    apiVersion: 'apps/v1',
    time: T0,
    definitionName: DEPLOYMENT,
    definitions: defs,
  });
  const res = serverSideApply(created, config({ replicas: 3 }), opts('kubectl', T1));
  assert.equal(spec(res.object).replicas, 3);
  const csa = res.managedFields.find((e) => e.manager === 'kubectl-client-side-apply');
  assert.ok(!csa || !JSON.stringify(csa.fieldsV1).includes('f:replicas'));
  // the annotation now records what was applied server-side
  const annotation = res.object.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  assert.equal(annotation, JSON.stringify(JSON.parse(annotation ?? '{}')) + '\n');
  assert.equal(
    (JSON.parse(annotation ?? '{}') as KubeObject & { spec: { replicas: number } }).spec.replicas,
    3,
  );
  // another manager gets no such allowance
  const err = conflictOf(() => serverSideApply(created, config({ replicas: 3 }), opts('helm', T1)));
  assert.match(
    err.message,
    /^Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps\/v1: \.spec\.replicas$/,
  );
});
