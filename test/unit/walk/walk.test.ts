import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAndNormalize } from '../../../src/api/schema/walk.js';
import { CONFIG, DEPLOYMENT, POD, fixtureDefinitions } from '../patch/fixture-definitions.js';

const check = (obj: unknown, def = DEPLOYMENT) => checkAndNormalize(obj, def, fixtureDefinitions);

test('unknown fields are reported with the strict decoder path, through lists and maps', () => {
  const obj = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labelz: {} },
    spec: {
      replicaz: 3,
      template: {
        spec: {
          containers: [
            { name: 'a' },
            { name: 'b', imagez: 'x', ports: [{ containerPort: 1, hostPortz: 2 }] },
          ],
        },
      },
    },
  };
  const { unknownFields, typeErrors } = check(obj);
  assert.deepEqual(unknownFields, [
    'metadata.labelz',
    'spec.replicaz',
    'spec.template.spec.containers[1].imagez',
    'spec.template.spec.containers[1].ports[0].hostPortz',
  ]);
  assert.deepEqual(typeErrors, []);
  assert.deepEqual(obj.spec, {
    template: { spec: { containers: [{ name: 'a' }, { name: 'b', ports: [{ containerPort: 1 }] }] } },
  });
  assert.deepEqual(
    obj.metadata,
    { name: 'web' },
    'unknown fields are dropped like a typed round trip drops them',
  );
});

test('map values and preserve-unknown-fields are never unknown; struct map values are checked', () => {
  const obj = {
    metadata: { labels: { anything: 'goes' } },
    settings: { free: { form: [1] } },
    groups: { dev: { owner: 'a', ownr: 'b' } },
  };
  const { unknownFields } = check(obj, CONFIG);
  assert.deepEqual(unknownFields, ['groups.dev.ownr']);
  assert.deepEqual(obj.settings, { free: { form: [1] } });
});

test('wrong JSON types get encoding/json texts naming the innermost struct and the field path', () => {
  const cases: [unknown, string][] = [
    [
      { spec: { replicas: 'three' } },
      'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    ],
    [
      { spec: { paused: 'yes' } },
      'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool',
    ],
    [
      { spec: { replicas: 1.5 } },
      'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32',
    ],
    [
      { spec: { replicas: 2 ** 31 } },
      'json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32',
    ],
    [
      { metadata: { name: 5 } },
      'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string',
    ],
    [
      { metadata: { labels: { a: 1 } } },
      'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    ],
    [
      { metadata: { labels: [] } },
      'json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string',
    ],
    [
      { spec: 'x' },
      'json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec',
    ],
    [
      { spec: { template: { spec: { containers: {} } } } },
      'json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container',
    ],
    [
      { spec: { template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: '80' }] }] } } } },
      'json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32',
    ],
    [
      { spec: { template: { spec: { containers: [{ args: [1] }] } } } },
      'json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.args of type string',
    ],
  ];
  for (const [obj, want] of cases) assert.deepEqual(check(obj).typeErrors, [want], JSON.stringify(obj));
});

test('only the first type error is kept, and a custom decoder error wins', () => {
  assert.deepEqual(check({ spec: { replicas: 'x', paused: 'y' } }).typeErrors, [
    'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
  ]);
  const obj = {
    spec: {
      replicas: 'x',
      template: { spec: { containers: [{ resources: { limits: { cpu: 'lots' } } }] } },
    },
  };
  assert.deepEqual(check(obj).typeErrors, [
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
  ]);
});

test('IntOrString takes an int or a string; anything else is its decoder error', () => {
  const strategy = (maxSurge: unknown) => ({ spec: { strategy: { rollingUpdate: { maxSurge } } } });
  assert.deepEqual(check(strategy(1)).typeErrors, []);
  assert.deepEqual(check(strategy('25%')).typeErrors, []);
  assert.deepEqual(check(strategy(true)).typeErrors, [
    'json: cannot unmarshal bool into Go value of type int32',
  ]);
  assert.deepEqual(check(strategy(1.5)).typeErrors, [
    'json: cannot unmarshal number 1.5 into Go value of type int32',
  ]);
});

test('quantities are canonicalized in place; numbers are accepted', () => {
  const obj = {
    spec: {
      containers: [
        {
          name: 'a',
          resources: { limits: { cpu: '0.5', memory: '1Gi' }, requests: { cpu: 1, memory: '1024Mi' } },
        },
      ],
      volumes: [{ name: 'v', emptyDir: { sizeLimit: '1000m' } }],
    },
  };
  assert.deepEqual(check(obj, POD), { unknownFields: [], typeErrors: [] });
  assert.deepEqual(obj.spec.containers[0].resources, {
    limits: { cpu: '500m', memory: '1Gi' },
    requests: { cpu: '1', memory: '1Gi' },
  });
  assert.equal(obj.spec.volumes[0].emptyDir.sizeLimit, '1');
});

test('nulls are dropped from structs and become zero values in maps; timestamps are untouched', () => {
  const obj = {
    metadata: { name: 'x', namespace: null, labels: { a: null }, creationTimestamp: '2024-01-02T03:04:05Z' },
    spec: { replicas: null, template: { spec: { containers: [null] } } },
  };
  assert.deepEqual(check(obj), { unknownFields: [], typeErrors: [] });
  assert.deepEqual(obj, {
    metadata: { name: 'x', labels: { a: '' }, creationTimestamp: '2024-01-02T03:04:05Z' },
    spec: { template: { spec: { containers: [null] } } },
  });
});

test('unknown fields inside items of a list carry the item index', () => {
  const obj = { spec: { template: { spec: { containers: [{ x: 1 }] } } } };
  const again = checkAndNormalize({ items: [obj, structuredClone(obj)] }, 'List', {
    ...fixtureDefinitions,
    List: { type: 'object', properties: { items: { type: 'array', items: { $ref: DEPLOYMENT } } } },
  });
  assert.deepEqual(again.unknownFields, [
    'items[0].spec.template.spec.containers[0].x',
    'items[1].spec.template.spec.containers[0].x',
  ]);
});
