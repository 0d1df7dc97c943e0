import { test } from 'node:test';
import assert from 'node:assert/strict';
import { updateManagedFields, type ManagerOptions } from '../../../src/api/managed/managed-fields.js';
import { fieldManagerFromUserAgent } from '../../../src/api/managed/manager-name.js';
import type { KubeObject } from '../../../src/api/types.js';
import { DEPLOYMENT, T0, T1, T2, config, defs, stored } from './fixture.js';

const opts = (manager: string, time: string, subresource?: string): ManagerOptions => ({
  manager,
  operation: 'Update',
  apiVersion: 'apps/v1',
  time,
  definitionName: DEPLOYMENT,
  definitions: defs,
  ...(subresource ? { subresource } : {}),
});

function write(old: KubeObject | undefined, next: KubeObject, o: ManagerOptions): KubeObject {
  const out = structuredClone(next);
  out.metadata.managedFields = updateManagedFields(old, next, o);
  return out;
}

test('create: the creator owns every field it set, server metadata excluded', () => {
  const obj = write(undefined, stored(config({ replicas: 1 })), opts('kubectl-create', T0));
  const [entry] = obj.metadata.managedFields ?? [];
  assert.ok(JSON.stringify(entry.fieldsV1).includes('"f:replicas"'));
  assert.equal((entry.fieldsV1 as Record<string, unknown>)['f:metadata'], undefined);
});

test('an update by another manager moves the changed field to it; others keep the rest', () => {
  const created = write(undefined, stored(config({ replicas: 1 })), opts('kubectl-create', T0));
  const next = structuredClone(created);
  (next.spec as Record<string, unknown>).replicas = 4;
  const scaled = write(created, next, opts('kubectl-scale', T1));
  const entries = scaled.metadata.managedFields ?? [];
  assert.deepEqual(
    entries.map((e) => [e.manager, e.time]),
    [
      ['kubectl-create', T0],
      ['kubectl-scale', T1],
    ],
  );
  assert.deepEqual(entries[1].fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  assert.ok(!JSON.stringify(entries[0].fieldsV1).includes('f:replicas'));
});

test('an update that changes nothing leaves managedFields (and times) as they were', () => {
  const created = write(undefined, stored(config({ replicas: 1 })), opts('kubectl-create', T0));
  const same = write(created, structuredClone(created), opts('kubectl-edit', T1));
  assert.deepEqual(same.metadata.managedFields, created.metadata.managedFields);
});

test("a removed field is nobody's; entries left empty are dropped", () => {
  const created = write(undefined, stored(config({ replicas: 1 })), opts('kubectl-create', T0));
  const labelled = structuredClone(created);
  labelled.metadata.labels = { tier: 'web' };
  const afterLabel = write(created, labelled, opts('kubectl-label', T1));
  assert.deepEqual(afterLabel.metadata.managedFields?.[1].fieldsV1, {
    'f:metadata': { 'f:labels': { '.': {}, 'f:tier': {} } },
  });
  const unlabelled = structuredClone(afterLabel);
  delete unlabelled.metadata.labels;
  const after = write(afterLabel, unlabelled, opts('kubectl-edit', T2));
  assert.deepEqual(
    after.metadata.managedFields?.map((e) => e.manager),
    ['kubectl-create'],
  );
});

test('entries are kept apart by subresource; Apply entries sort before Update', () => {
  const created = write(undefined, stored(config({ replicas: 1 })), opts('kubectl-create', T0));
  const withStatus = structuredClone(created);
  withStatus.status = { replicas: 1 };
  const s = write(created, withStatus, opts('kube-controller-manager', T1, 'status'));
  const last = s.metadata.managedFields?.[1];
  assert.deepEqual(last, {
    manager: 'kube-controller-manager',
    operation: 'Update',
    apiVersion: 'apps/v1',
    time: T1,
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:status': { 'f:replicas': {} } },
    subresource: 'status',
  });
});

test('more than ten Update managers: the oldest fold into "ancient-changes"', () => {
  let obj = write(undefined, stored(config({ replicas: 1 })), opts('m0', '2024-01-01T00:00:00Z'));
  for (let i = 1; i <= 11; i++) {
    const next = structuredClone(obj);
    next.metadata.labels = { ...next.metadata.labels, [`k${i}`]: 'v' };
    obj = write(obj, next, opts(`m${i}`, `2024-01-01T00:00:${String(i).padStart(2, '0')}Z`));
  }
  const managers = obj.metadata.managedFields?.map((e) => e.manager) ?? [];
  assert.equal(managers.length, 10);
  assert.ok(managers.includes('ancient-changes'));
  assert.ok(!managers.includes('m0') && !managers.includes('m1') && !managers.includes('m2'));
});

test('default manager: the User-Agent up to its first "/"', () => {
  assert.equal(fieldManagerFromUserAgent('kubectl/v1.31.0 (linux/amd64) kubernetes/9edcffc'), 'kubectl');
  assert.equal(fieldManagerFromUserAgent('Go-http-client/2.0'), 'Go-http-client');
  assert.equal(fieldManagerFromUserAgent('a\u0001b/1'), 'ab');
  assert.equal(fieldManagerFromUserAgent('x'.repeat(200)).length, 128);
});
