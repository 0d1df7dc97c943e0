import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, pathString } from '../../../src/api/managed/fieldset.js';
import { fromFieldsV1, toFieldsV1 } from '../../../src/api/managed/fields-v1.js';
import { fieldSetOf } from '../../../src/api/managed/typed.js';
import { updateManagedFields } from '../../../src/api/managed/managed-fields.js';
import type { KubeObject } from '../../../src/api/types.js';
import { DEPLOYMENT, T0, config, defs } from './fixture.js';

test('a member with children is written with "." first, keys in upstream order', () => {
  const s = FieldSet.of(
    ['f:metadata', 'f:labels'],
    ['f:metadata', 'f:labels', 'f:app'],
    ['f:spec', 'f:replicas'],
    ['f:metadata', 'f:annotations', 'f:b'],
  );
  assert.equal(
    JSON.stringify(toFieldsV1(s)),
    '{"f:metadata":{"f:annotations":{"f:b":{}},"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{}}}',
  );
});

test('FieldsV1 reads back to the same set (members and parents kept apart)', () => {
  const json = { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } };
  const s = fromFieldsV1(json);
  assert.ok(s.has(['f:metadata', 'f:labels']));
  assert.ok(!s.has(['f:metadata']));
  assert.ok(s.has(['f:spec', 'f:replicas']));
  assert.deepEqual(toFieldsV1(s), json);
});

test('set operations keep members and prune emptied nodes', () => {
  const a = FieldSet.of(['f:spec', 'f:replicas'], ['f:spec', 'f:paused']);
  const b = FieldSet.of(['f:spec', 'f:replicas']);
  assert.deepEqual(toFieldsV1(a.difference(b)), { 'f:spec': { 'f:paused': {} } });
  assert.deepEqual(toFieldsV1(a.intersection(b)), { 'f:spec': { 'f:replicas': {} } });
  assert.deepEqual(toFieldsV1(b.difference(a)), {});
  assert.deepEqual(
    a
      .union(FieldSet.of(['f:x']))
      .leaves()
      .map(pathString),
    ['.spec.paused', '.spec.replicas', '.x'],
  );
});

test('map-list items are k: with key fields sorted by name, defaults filling missing keys', () => {
  const c = config({ containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] });
  const fields = toFieldsV1(fieldSetOf(c, DEPLOYMENT, defs)) as Record<string, Record<string, unknown>>;
  const containers = (
    (fields['f:spec']['f:template'] as Record<string, Record<string, Record<string, unknown>>>)['f:spec'][
      'f:containers'
    ] as Record<string, unknown>
  )['k:{"name":"web"}'];
  assert.deepEqual(containers, {
    '.': {},
    'f:image': {},
    'f:name': {},
    'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
  });
});

test('sets are v: items, atomic lists and maps are one leaf, printed paths as upstream', () => {
  const obj: KubeObject = {
    metadata: { finalizers: ['a/b'] },
    spec: { template: { spec: { nodeSelector: { disk: 'ssd' }, tolerations: [{ key: 'k' }] } } },
  };
  const s = fieldSetOf(obj, DEPLOYMENT, defs);
  assert.deepEqual(toFieldsV1(s), {
    'f:metadata': { 'f:finalizers': { 'v:"a/b"': {} } },
    'f:spec': { 'f:template': { 'f:spec': { 'f:nodeSelector': {}, 'f:tolerations': {} } } },
  });
  assert.equal(pathString(['f:metadata', 'f:finalizers', 'v:"a/b"']), '.metadata.finalizers[="a/b"]');
  assert.equal(
    pathString(['f:spec', 'f:containers', 'k:{"containerPort":80,"protocol":"TCP"}']),
    '.spec.containers[containerPort=80,protocol="TCP"]',
  );
});

test('kubectl create deployment: managedFields match upstream (no "." on Go value structs)', () => {
  // `kubectl create deployment nginx --image=nginx` after defaulting, as upstream stores it
  const created: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'nginx',
      namespace: 'default',
      uid: 'u',
      resourceVersion: '1',
      generation: 1,
      creationTimestamp: T0,
      labels: { app: 'nginx' },
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { creationTimestamp: null, labels: { app: 'nginx' } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: 'nginx',
              resources: {},
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
              imagePullPolicy: 'Always',
            },
          ],
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
          dnsPolicy: 'ClusterFirst',
          securityContext: {},
          schedulerName: 'default-scheduler',
        },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {},
  };
  const [entry, ...rest] = updateManagedFields(undefined, created, {
    manager: 'kubectl-create',
    operation: 'Update',
    apiVersion: 'apps/v1',
    time: T0,
    definitionName: DEPLOYMENT,
    definitions: defs,
  });
  assert.equal(rest.length, 0);
  const { fieldsV1, ...head } = entry;
  assert.deepEqual(head, {
    manager: 'kubectl-create',
    operation: 'Update',
    apiVersion: 'apps/v1',
    time: T0,
    fieldsType: 'FieldsV1',
  });
  assert.deepEqual(Object.keys(entry), [
    'manager',
    'operation',
    'apiVersion',
    'time',
    'fieldsType',
    'fieldsV1',
  ]);
  const expected = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': {
      'f:progressDeadlineSeconds': {},
      'f:replicas': {},
      'f:revisionHistoryLimit': {},
      'f:selector': {},
      'f:strategy': {
        'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} },
        'f:type': {},
      },
      'f:template': {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': {
          'f:containers': {
            'k:{"name":"nginx"}': {
              '.': {},
              'f:image': {},
              'f:imagePullPolicy': {},
              'f:name': {},
              'f:resources': {},
              'f:terminationMessagePath': {},
              'f:terminationMessagePolicy': {},
            },
          },
          'f:dnsPolicy': {},
          'f:restartPolicy': {},
          'f:schedulerName': {},
          'f:securityContext': {},
          'f:terminationGracePeriodSeconds': {},
        },
      },
    },
  };
  assert.equal(JSON.stringify(fieldsV1), JSON.stringify(expected));
});
