import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Definition, Definitions, PropSchema } from '../../../src/api/schema/dsl.js';
import { metaDefinitions } from '../../../src/api/schema/meta.js';
import { coreV1Definitions } from '../../../src/api/schema/core-v1.js';

const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const all: Definitions = { ...metaDefinitions, ...coreV1Definitions };

function def(name: string): Definition {
  const d = all[name];
  assert.ok(d, `${name} is defined`);
  return d;
}
function prop(name: string, field: string): PropSchema {
  const p = def(name).properties?.[field];
  assert.ok(p, `${name}.${field} is defined`);
  return p;
}
function* schemas(node: PropSchema): Generator<PropSchema> {
  yield node;
  if (node.items) yield* schemas(node.items);
  if (node.additionalProperties) yield* schemas(node.additionalProperties);
  for (const p of Object.values(node.properties ?? {})) yield* schemas(p);
}

test('every $ref in the meta and core/v1 definitions names a defined type', () => {
  const dangling: string[] = [];
  for (const [name, d] of Object.entries(all))
    for (const s of schemas(d)) if (s.$ref && !all[s.$ref]) dangling.push(`${name} -> ${s.$ref}`);
  assert.deepEqual(dangling, []);
});

test('every property and definition has a description and exactly one of $ref or type', () => {
  const bad: string[] = [];
  for (const [name, d] of Object.entries(all)) {
    if (!d.description) bad.push(`${name}: no description`);
    if (!d.type) bad.push(`${name}: no type`);
    for (const [field, p] of Object.entries(d.properties ?? {})) {
      if (!p.description) bad.push(`${name}.${field}: no description`);
      if (Boolean(p.$ref) === Boolean(p.type)) bad.push(`${name}.${field}: needs one of $ref/type`);
      if (p.type === 'array' && !p.items) bad.push(`${name}.${field}: array without items`);
    }
  }
  assert.deepEqual(bad, []);
});

const coreKinds = [
  'Pod',
  'PodTemplate',
  'Service',
  'Endpoints',
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Namespace',
  'Node',
  'Event',
  'LimitRange',
  'ResourceQuota',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'ReplicationController',
  'ComponentStatus',
];

test('core kinds and their lists carry their group/version/kind and the list shape', () => {
  for (const kind of [...coreKinds, 'Binding']) {
    assert.deepEqual(def(`${CORE}.${kind}`)['x-kubernetes-group-version-kind'], [
      { group: '', version: 'v1', kind },
    ]);
    assert.equal(prop(`${CORE}.${kind}`, 'metadata').$ref, `${META}.ObjectMeta`);
  }
  for (const kind of coreKinds) {
    const list = def(`${CORE}.${kind}List`);
    assert.deepEqual(list['x-kubernetes-group-version-kind'], [
      { group: '', version: 'v1', kind: `${kind}List` },
    ]);
    assert.deepEqual(list.required, ['items']);
    assert.equal(prop(`${CORE}.${kind}List`, 'metadata').$ref, `${META}.ListMeta`);
    assert.equal(prop(`${CORE}.${kind}List`, 'items').items?.$ref, `${CORE}.${kind}`);
    assert.deepEqual(Object.keys(list.properties ?? {}).sort(), ['apiVersion', 'items', 'kind', 'metadata']);
  }
  assert.deepEqual(def(`${CORE}.Event`).required, ['involvedObject', 'metadata']);
  assert.deepEqual(def(`${CORE}.Binding`).required, ['target']);
});

test('lists merge as upstream: containers by name, ports by containerPort+protocol, env, mounts, volumes', () => {
  const containers = prop(`${CORE}.PodSpec`, 'containers');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-list-type'], 'map');
  assert.deepEqual(containers['x-kubernetes-list-map-keys'], ['name']);

  const ports = prop(`${CORE}.Container`, 'ports');
  assert.equal(ports['x-kubernetes-patch-merge-key'], 'containerPort');
  assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  // Apply keys ports by protocol too, so the schema says what an absent protocol means.
  assert.equal(prop(`${CORE}.ContainerPort`, 'protocol').default, 'TCP');
  assert.equal(prop(`${CORE}.ServicePort`, 'protocol').default, 'TCP');

  assert.equal(prop(`${CORE}.Container`, 'env')['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(prop(`${CORE}.Container`, 'volumeMounts')['x-kubernetes-patch-merge-key'], 'mountPath');
  assert.deepEqual(prop(`${CORE}.Container`, 'volumeMounts')['x-kubernetes-list-map-keys'], ['mountPath']);
  assert.equal(prop(`${CORE}.Container`, 'volumeDevices')['x-kubernetes-patch-merge-key'], 'devicePath');
  assert.equal(prop(`${CORE}.EphemeralContainer`, 'env')['x-kubernetes-patch-merge-key'], 'name');

  const volumes = prop(`${CORE}.PodSpec`, 'volumes');
  assert.equal(volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  assert.equal(volumes['x-kubernetes-patch-merge-key'], 'name');

  assert.equal(prop(`${CORE}.PodSpec`, 'tolerations')['x-kubernetes-list-type'], 'atomic');
  assert.equal(prop(`${CORE}.PodSpec`, 'tolerations')['x-kubernetes-patch-strategy'], undefined);
  assert.equal(prop(`${CORE}.Container`, 'args')['x-kubernetes-list-type'], 'atomic');
  assert.deepEqual(prop(`${CORE}.PodSpec`, 'topologySpreadConstraints')['x-kubernetes-list-map-keys'], [
    'topologyKey',
    'whenUnsatisfiable',
  ]);
  assert.equal(prop(`${CORE}.PodSpec`, 'nodeSelector')['x-kubernetes-map-type'], 'atomic');

  const servicePorts = prop(`${CORE}.ServiceSpec`, 'ports');
  assert.equal(servicePorts['x-kubernetes-patch-merge-key'], 'port');
  assert.deepEqual(servicePorts['x-kubernetes-list-map-keys'], ['port', 'protocol']);
  assert.equal(prop(`${CORE}.ServiceSpec`, 'selector')['x-kubernetes-map-type'], 'atomic');

  assert.equal(prop(`${CORE}.PodStatus`, 'conditions')['x-kubernetes-patch-merge-key'], 'type');
  assert.equal(prop(`${CORE}.NodeStatus`, 'addresses')['x-kubernetes-patch-merge-key'], 'type');
  assert.equal(prop(`${CORE}.NodeSpec`, 'podCIDRs')['x-kubernetes-list-type'], 'set');
  assert.equal(prop(`${CORE}.ServiceAccount`, 'secrets')['x-kubernetes-patch-merge-key'], 'name');
});

test('object metadata merges finalizers as a set and owner references by uid', () => {
  const finalizers = prop(`${META}.ObjectMeta`, 'finalizers');
  assert.equal(finalizers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(finalizers['x-kubernetes-list-type'], 'set');
  const owners = prop(`${META}.ObjectMeta`, 'ownerReferences');
  assert.equal(owners['x-kubernetes-patch-merge-key'], 'uid');
  assert.deepEqual(owners['x-kubernetes-list-map-keys'], ['uid']);
  assert.equal(def(`${META}.LabelSelector`)['x-kubernetes-map-type'], 'atomic');
  assert.equal(def(`${CORE}.ObjectReference`)['x-kubernetes-map-type'], 'atomic');
});

test('integer fields carry the int32/int64 formats of upstream', () => {
  const formats: [string, string, string][] = [
    ['PodSpec', 'terminationGracePeriodSeconds', 'int64'],
    ['PodSpec', 'activeDeadlineSeconds', 'int64'],
    ['PodSpec', 'priority', 'int32'],
    ['ContainerPort', 'containerPort', 'int32'],
    ['ContainerPort', 'hostPort', 'int32'],
    ['Probe', 'periodSeconds', 'int32'],
    ['Probe', 'terminationGracePeriodSeconds', 'int64'],
    ['SecurityContext', 'runAsUser', 'int64'],
    ['Toleration', 'tolerationSeconds', 'int64'],
    ['ServicePort', 'nodePort', 'int32'],
    ['ContainerStatus', 'restartCount', 'int32'],
    ['ServiceAccountTokenProjection', 'expirationSeconds', 'int64'],
    ['Event', 'count', 'int32'],
    ['ContainerImage', 'sizeBytes', 'int64'],
  ];
  for (const [type, field, format] of formats) {
    const p = prop(`${CORE}.${type}`, field);
    assert.equal(p.type, 'integer', `${type}.${field}`);
    assert.equal(p.format, format, `${type}.${field}`);
  }
  assert.equal(prop(`${CORE}.PodSecurityContext`, 'supplementalGroups').items?.format, 'int64');
  assert.equal(prop(`${META}.ObjectMeta`, 'generation').format, 'int64');
  assert.equal(prop(`${META}.ListMeta`, 'remainingItemCount').format, 'int64');
  assert.equal(prop(`${META}.Status`, 'code').format, 'int32');
  assert.equal(prop(`${META}.DeleteOptions`, 'gracePeriodSeconds').format, 'int64');
});

test('scalar types and special fields are shaped as upstream', () => {
  assert.equal(def('io.k8s.apimachinery.pkg.api.resource.Quantity').type, 'string');
  const intOrString = def('io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  assert.equal(intOrString.type, 'string');
  assert.equal(intOrString.format, 'int-or-string');
  assert.equal(def(`${META}.Time`).format, 'date-time');
  assert.equal(def(`${META}.MicroTime`).format, 'date-time');
  assert.equal(def('io.k8s.apimachinery.pkg.runtime.RawExtension').type, 'object');
  assert.ok(def('io.k8s.apimachinery.pkg.version.Info').properties?.gitVersion);
  assert.equal(
    prop(`${CORE}.ServicePort`, 'targetPort').$ref,
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  );
  assert.equal(prop(`${CORE}.HTTPGetAction`, 'port').$ref, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  assert.equal(
    prop(`${CORE}.ResourceRequirements`, 'limits').additionalProperties?.$ref,
    'io.k8s.apimachinery.pkg.api.resource.Quantity',
  );
  assert.equal(prop(`${CORE}.Secret`, 'data').additionalProperties?.format, 'byte');
  assert.equal(prop(`${CORE}.ConfigMap`, 'binaryData').additionalProperties?.format, 'byte');
  assert.equal(prop(`${CORE}.ConfigMap`, 'data').additionalProperties?.format, undefined);
  assert.deepEqual(def(`${META}.Status`)['x-kubernetes-group-version-kind'], [
    { group: '', version: 'v1', kind: 'Status' },
  ]);
  assert.deepEqual(prop(`${CORE}.Container`, 'imagePullPolicy').enum, ['Always', 'IfNotPresent', 'Never']);
  assert.deepEqual(prop(`${CORE}.ServiceSpec`, 'type').enum, [
    'ClusterIP',
    'ExternalName',
    'LoadBalancer',
    'NodePort',
  ]);
});

// The field lists are facts of the API: every property of every kubernetes-types (v1.30)
// interface must be defined, or strict field validation would reject what kubectl sends.
function interfaceFields(module: string): Map<string, string[]> {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('kubernetes-types/package.json'));
  const text = readFileSync(join(root, module), 'utf8');
  const out = new Map<string, string[]>();
  for (const m of text.matchAll(/export interface (\w+) \{([\s\S]*?)\n\}/g))
    out.set(
      m[1],
      [...m[2].matchAll(/^ {4}(?:readonly )?"?([\w$-]+)"?\??:/gm)].map((f) => f[1]),
    );
  return out;
}

test('every field of the kubernetes-types core/v1 and meta/v1 interfaces is defined', () => {
  // Removed in v1.31: PodResourceClaim.source (the claim names moved up a level).
  const removed = new Set(['PodResourceClaim.source', 'ClaimSource']);
  const missing: string[] = [];
  for (const [module, prefix] of [
    ['core/v1.d.ts', CORE],
    ['meta/v1.d.ts', META],
  ] as const)
    for (const [iface, fields] of interfaceFields(module)) {
      if (removed.has(iface)) continue;
      const d = all[`${prefix}.${iface}`];
      if (!d) {
        missing.push(`${prefix}.${iface}`);
        continue;
      }
      for (const f of fields)
        if (!d.properties?.[f] && !removed.has(`${iface}.${f}`)) missing.push(`${iface}.${f}`);
    }
  assert.deepEqual(missing, []);
});

test('spot check: PodSpec, Container, ServiceSpec and ObjectMeta have all their fields', () => {
  const fields = interfaceFields('core/v1.d.ts');
  for (const iface of ['PodSpec', 'Container', 'ServiceSpec'])
    assert.deepEqual(
      Object.keys(def(`${CORE}.${iface}`).properties ?? {})
        .filter((f) => (fields.get(iface) ?? []).includes(f))
        .sort(),
      [...(fields.get(iface) ?? [])].sort(),
      iface,
    );
  assert.ok((fields.get('PodSpec') ?? []).length >= 39);
  const meta = interfaceFields('meta/v1.d.ts').get('ObjectMeta') ?? [];
  assert.deepEqual(Object.keys(def(`${META}.ObjectMeta`).properties ?? {}).sort(), [...meta].sort());
});

test('v1.31 additions are defined', () => {
  assert.equal(prop(`${CORE}.Volume`, 'image').$ref, `${CORE}.ImageVolumeSource`);
  assert.ok(prop(`${CORE}.ImageVolumeSource`, 'reference'));
  assert.ok(prop(`${CORE}.PodSecurityContext`, 'supplementalGroupsPolicy'));
  assert.equal(prop(`${CORE}.ContainerStatus`, 'user').$ref, `${CORE}.ContainerUser`);
  assert.equal(prop(`${CORE}.LinuxContainerUser`, 'uid').format, 'int64');
  assert.equal(
    prop(`${CORE}.ContainerStatus`, 'allocatedResourcesStatus').items?.$ref,
    `${CORE}.ResourceStatus`,
  );
  assert.ok(prop(`${CORE}.NodeStatus`, 'features'));
  assert.ok(prop(`${CORE}.ResourceClaim`, 'request'));
  assert.ok(prop(`${CORE}.PodResourceClaim`, 'resourceClaimName'));
  assert.ok(prop(`${CORE}.PodResourceClaim`, 'resourceClaimTemplateName'));
  assert.equal(def(`${CORE}.PodResourceClaim`).properties?.source, undefined);
  assert.equal(all[`${CORE}.ClaimSource`], undefined);
});
