import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJobSpec, JobSpec } from 'kubernetes-types/batch/v1.js';
import type { DeploymentSpec, StatefulSetSpec, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { HorizontalPodAutoscalerSpec } from 'kubernetes-types/autoscaling/v2.js';
import type { IngressSpec, NetworkPolicySpec } from 'kubernetes-types/networking/v1.js';
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import type { Endpoint } from 'kubernetes-types/discovery/v1.js';
import type { Event } from 'kubernetes-types/events/v1.js';
import type { CSIDriverSpec } from 'kubernetes-types/storage/v1.js';
import type { CertificateSigningRequestSpec } from 'kubernetes-types/certificates/v1.js';
import type { Definition, PropSchema } from '../../../src/api/schema/dsl.js';
import { definitionFor, definitions, groupDefinitions } from '../../../src/api/schema/index.js';

function def(name: string): Definition {
  const d = definitionFor(name);
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

test('every $ref in the group definitions names a known definition', () => {
  const dangling: string[] = [];
  for (const [name, d] of Object.entries(groupDefinitions))
    for (const s of schemas(d)) if (s.$ref && !definitionFor(s.$ref)) dangling.push(`${name} -> ${s.$ref}`);
  assert.deepEqual(dangling, []);
});

test('the group definitions refer to core and meta types only by these names', () => {
  // The contract with meta.ts and core-v1.ts: each of these must be defined there.
  const expected = new Set([
    'io.k8s.api.core.v1.EventSource',
    'io.k8s.api.core.v1.ObjectReference',
    'io.k8s.api.core.v1.PersistentVolumeClaim',
    'io.k8s.api.core.v1.PersistentVolumeSpec',
    'io.k8s.api.core.v1.PodTemplateSpec',
    'io.k8s.api.core.v1.Toleration',
    'io.k8s.api.core.v1.TopologySelectorTerm',
    'io.k8s.api.core.v1.TypedLocalObjectReference',
    'io.k8s.apimachinery.pkg.api.resource.Quantity',
    'io.k8s.apimachinery.pkg.apis.meta.v1.Condition',
    'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
    'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
    'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta',
    'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
    'io.k8s.apimachinery.pkg.runtime.RawExtension',
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  ]);
  const external = new Set<string>();
  for (const d of Object.values(groupDefinitions))
    for (const s of schemas(d)) if (s.$ref && !(s.$ref in groupDefinitions)) external.add(s.$ref);
  assert.deepEqual([...external].sort(), [...expected].sort());
});

const kinds: [string, string, string, string][] = [
  ['io.k8s.api.apps.v1', 'apps', 'v1', 'Deployment'],
  ['io.k8s.api.apps.v1', 'apps', 'v1', 'ReplicaSet'],
  ['io.k8s.api.apps.v1', 'apps', 'v1', 'StatefulSet'],
  ['io.k8s.api.apps.v1', 'apps', 'v1', 'DaemonSet'],
  ['io.k8s.api.apps.v1', 'apps', 'v1', 'ControllerRevision'],
  ['io.k8s.api.batch.v1', 'batch', 'v1', 'Job'],
  ['io.k8s.api.batch.v1', 'batch', 'v1', 'CronJob'],
  ['io.k8s.api.autoscaling.v1', 'autoscaling', 'v1', 'HorizontalPodAutoscaler'],
  ['io.k8s.api.autoscaling.v2', 'autoscaling', 'v2', 'HorizontalPodAutoscaler'],
  ['io.k8s.api.policy.v1', 'policy', 'v1', 'PodDisruptionBudget'],
  ['io.k8s.api.networking.v1', 'networking.k8s.io', 'v1', 'Ingress'],
  ['io.k8s.api.networking.v1', 'networking.k8s.io', 'v1', 'IngressClass'],
  ['io.k8s.api.networking.v1', 'networking.k8s.io', 'v1', 'NetworkPolicy'],
  ['io.k8s.api.rbac.v1', 'rbac.authorization.k8s.io', 'v1', 'Role'],
  ['io.k8s.api.rbac.v1', 'rbac.authorization.k8s.io', 'v1', 'RoleBinding'],
  ['io.k8s.api.rbac.v1', 'rbac.authorization.k8s.io', 'v1', 'ClusterRole'],
  ['io.k8s.api.rbac.v1', 'rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding'],
  ['io.k8s.api.storage.v1', 'storage.k8s.io', 'v1', 'StorageClass'],
  ['io.k8s.api.storage.v1', 'storage.k8s.io', 'v1', 'CSIDriver'],
  ['io.k8s.api.storage.v1', 'storage.k8s.io', 'v1', 'CSINode'],
  ['io.k8s.api.storage.v1', 'storage.k8s.io', 'v1', 'VolumeAttachment'],
  ['io.k8s.api.coordination.v1', 'coordination.k8s.io', 'v1', 'Lease'],
  ['io.k8s.api.discovery.v1', 'discovery.k8s.io', 'v1', 'EndpointSlice'],
  ['io.k8s.api.events.v1', 'events.k8s.io', 'v1', 'Event'],
  ['io.k8s.api.scheduling.v1', 'scheduling.k8s.io', 'v1', 'PriorityClass'],
  ['io.k8s.api.node.v1', 'node.k8s.io', 'v1', 'RuntimeClass'],
  ['io.k8s.api.certificates.v1', 'certificates.k8s.io', 'v1', 'CertificateSigningRequest'],
];

test('every kind and its list carry their group/version/kind and the standard fields', () => {
  for (const [pkg, group, version, kind] of kinds) {
    const d = def(`${pkg}.${kind}`);
    assert.deepEqual(d['x-kubernetes-group-version-kind'], [{ group, version, kind }], kind);
    for (const f of ['apiVersion', 'kind', 'metadata']) assert.ok(d.properties?.[f], `${kind}.${f}`);
    const list = def(`${pkg}.${kind}List`);
    assert.deepEqual(list['x-kubernetes-group-version-kind'], [{ group, version, kind: `${kind}List` }]);
    assert.deepEqual(list.required, ['items']);
    assert.deepEqual(list.properties?.items?.items, { $ref: `${pkg}.${kind}` });
    assert.equal(list.properties?.metadata?.$ref, 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta');
  }
});

test('Scale and Eviction are kinds without lists', () => {
  assert.deepEqual(def('io.k8s.api.autoscaling.v1.Scale')['x-kubernetes-group-version-kind'], [
    { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  ]);
  assert.deepEqual(def('io.k8s.api.policy.v1.Eviction')['x-kubernetes-group-version-kind'], [
    { group: 'policy', version: 'v1', kind: 'Eviction' },
  ]);
  assert.equal(definitionFor('io.k8s.api.autoscaling.v1.ScaleList'), undefined);
});

const mergeByType = {
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
  'x-kubernetes-patch-strategy': 'merge',
  'x-kubernetes-patch-merge-key': 'type',
};
const extensions = (p: PropSchema) =>
  Object.fromEntries(Object.entries(p).filter(([k]) => k.startsWith('x-kubernetes-')));

test('conditions and other keyed fields patch as upstream declares', () => {
  // v1.31's workload conditions carry only the patch hints (the list-type came in v1.33).
  for (const name of [
    'io.k8s.api.apps.v1.DeploymentStatus',
    'io.k8s.api.apps.v1.ReplicaSetStatus',
    'io.k8s.api.apps.v1.StatefulSetStatus',
    'io.k8s.api.apps.v1.DaemonSetStatus',
  ])
    assert.deepEqual(
      extensions(prop(name, 'conditions')),
      { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'type' },
      name,
    );
  for (const name of [
    'io.k8s.api.policy.v1.PodDisruptionBudgetStatus',
    'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus',
  ])
    assert.deepEqual(extensions(prop(name, 'conditions')), mergeByType, name);
  // Job conditions patch by type but are owned whole by server-side apply.
  assert.deepEqual(extensions(prop('io.k8s.api.batch.v1.JobStatus', 'conditions')), {
    'x-kubernetes-list-type': 'atomic',
    'x-kubernetes-patch-strategy': 'merge',
    'x-kubernetes-patch-merge-key': 'type',
  });
  // CSR conditions are a map by type with no patch strategy.
  assert.deepEqual(
    extensions(prop('io.k8s.api.certificates.v1.CertificateSigningRequestStatus', 'conditions')),
    {
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    },
  );
  assert.equal(
    prop('io.k8s.api.apps.v1.DeploymentSpec', 'strategy')['x-kubernetes-patch-strategy'],
    'retainKeys',
  );
  assert.equal(
    prop('io.k8s.api.policy.v1.PodDisruptionBudgetSpec', 'selector')['x-kubernetes-patch-strategy'],
    'replace',
  );
  assert.deepEqual(extensions(prop('io.k8s.api.storage.v1.CSINodeSpec', 'drivers')), {
    'x-kubernetes-patch-strategy': 'merge',
    'x-kubernetes-patch-merge-key': 'name',
  });
});

test('lists that are replaced whole are atomic', () => {
  const atomic: [string, string][] = [
    ['io.k8s.api.rbac.v1.Role', 'rules'],
    ['io.k8s.api.rbac.v1.ClusterRole', 'rules'],
    ['io.k8s.api.rbac.v1.RoleBinding', 'subjects'],
    ['io.k8s.api.rbac.v1.ClusterRoleBinding', 'subjects'],
    ['io.k8s.api.rbac.v1.PolicyRule', 'verbs'],
    ['io.k8s.api.rbac.v1.PolicyRule', 'resources'],
    ['io.k8s.api.discovery.v1.EndpointSlice', 'endpoints'],
    ['io.k8s.api.discovery.v1.EndpointSlice', 'ports'],
    ['io.k8s.api.networking.v1.IngressSpec', 'rules'],
    ['io.k8s.api.networking.v1.IngressSpec', 'tls'],
    ['io.k8s.api.networking.v1.HTTPIngressRuleValue', 'paths'],
    ['io.k8s.api.networking.v1.NetworkPolicySpec', 'ingress'],
    ['io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec', 'metrics'],
    ['io.k8s.api.batch.v1.CronJobStatus', 'active'],
    ['io.k8s.api.node.v1.Scheduling', 'tolerations'],
  ];
  for (const [name, field] of atomic)
    assert.deepEqual(
      extensions(prop(name, field)),
      { 'x-kubernetes-list-type': 'atomic' },
      `${name}.${field}`,
    );
  assert.equal(prop('io.k8s.api.discovery.v1.Endpoint', 'addresses')['x-kubernetes-list-type'], 'set');
  assert.equal(
    prop('io.k8s.api.batch.v1.UncountedTerminatedPods', 'failed')['x-kubernetes-list-type'],
    'set',
  );
  assert.equal(prop('io.k8s.api.node.v1.Scheduling', 'nodeSelector')['x-kubernetes-map-type'], 'atomic');
  assert.equal(def('io.k8s.api.rbac.v1.RoleRef')['x-kubernetes-map-type'], 'atomic');
  assert.equal(def('io.k8s.api.discovery.v1.EndpointPort')['x-kubernetes-map-type'], 'atomic');
});

test('integers carry the width of their Go type', () => {
  const formats: [string, string, string][] = [
    ['io.k8s.api.apps.v1.DeploymentSpec', 'replicas', 'int32'],
    ['io.k8s.api.apps.v1.DeploymentStatus', 'observedGeneration', 'int64'],
    ['io.k8s.api.apps.v1.ControllerRevision', 'revision', 'int64'],
    ['io.k8s.api.batch.v1.JobSpec', 'activeDeadlineSeconds', 'int64'],
    ['io.k8s.api.batch.v1.JobSpec', 'ttlSecondsAfterFinished', 'int32'],
    ['io.k8s.api.batch.v1.CronJobSpec', 'startingDeadlineSeconds', 'int64'],
    ['io.k8s.api.scheduling.v1.PriorityClass', 'value', 'int32'],
    ['io.k8s.api.storage.v1.TokenRequest', 'expirationSeconds', 'int64'],
    ['io.k8s.api.coordination.v1.LeaseSpec', 'leaseDurationSeconds', 'int32'],
    ['io.k8s.api.certificates.v1.CertificateSigningRequestSpec', 'request', 'byte'],
  ];
  for (const [name, field, format] of formats)
    assert.equal(prop(name, field).format, format, `${name}.${field}`);
  assert.deepEqual(prop('io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement', 'values').items, {
    type: 'integer',
    format: 'int32',
  });
  assert.equal(
    prop('io.k8s.api.apps.v1.RollingUpdateDeployment', 'maxSurge').$ref,
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  );
});

// The compiler checks each list against kubernetes-types (v1.30): a missing field, or a name that
// is no field, fails the build.
type Words<S extends string> = S extends `${infer Head} ${infer Rest}` ? Head | Words<Rest> : S;
const fieldsOf =
  <T>() =>
  <S extends string>(
    names: S & ([keyof T] extends [Words<S>] ? ([Words<S>] extends [keyof T] ? S : never) : never),
  ): string[] =>
    names.split(' ');

const upstreamFields: Record<string, string[]> = {
  'io.k8s.api.apps.v1.DeploymentSpec': fieldsOf<DeploymentSpec>()(
    'minReadySeconds paused progressDeadlineSeconds replicas revisionHistoryLimit selector strategy template',
  ),
  'io.k8s.api.apps.v1.StatefulSetSpec': fieldsOf<StatefulSetSpec>()(
    'minReadySeconds ordinals persistentVolumeClaimRetentionPolicy podManagementPolicy replicas revisionHistoryLimit selector serviceName template updateStrategy volumeClaimTemplates',
  ),
  'io.k8s.api.apps.v1.DaemonSetStatus': fieldsOf<DaemonSetStatus>()(
    'collisionCount conditions currentNumberScheduled desiredNumberScheduled numberAvailable numberMisscheduled numberReady numberUnavailable observedGeneration updatedNumberScheduled',
  ),
  'io.k8s.api.batch.v1.JobSpec': fieldsOf<JobSpec>()(
    'activeDeadlineSeconds backoffLimit backoffLimitPerIndex completionMode completions managedBy manualSelector maxFailedIndexes parallelism podFailurePolicy podReplacementPolicy selector successPolicy suspend template ttlSecondsAfterFinished',
  ),
  'io.k8s.api.batch.v1.CronJobSpec': fieldsOf<CronJobSpec>()(
    'concurrencyPolicy failedJobsHistoryLimit jobTemplate schedule startingDeadlineSeconds successfulJobsHistoryLimit suspend timeZone',
  ),
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec': fieldsOf<HorizontalPodAutoscalerSpec>()(
    'behavior maxReplicas metrics minReplicas scaleTargetRef',
  ),
  'io.k8s.api.networking.v1.IngressSpec': fieldsOf<IngressSpec>()(
    'defaultBackend ingressClassName rules tls',
  ),
  'io.k8s.api.networking.v1.NetworkPolicySpec': fieldsOf<NetworkPolicySpec>()(
    'egress ingress podSelector policyTypes',
  ),
  'io.k8s.api.rbac.v1.PolicyRule': fieldsOf<PolicyRule>()(
    'apiGroups nonResourceURLs resourceNames resources verbs',
  ),
  'io.k8s.api.discovery.v1.Endpoint': fieldsOf<Endpoint>()(
    'addresses conditions deprecatedTopology hints hostname nodeName targetRef zone',
  ),
  'io.k8s.api.events.v1.Event': fieldsOf<Event>()(
    'action apiVersion deprecatedCount deprecatedFirstTimestamp deprecatedLastTimestamp deprecatedSource eventTime kind metadata note reason regarding related reportingController reportingInstance series type',
  ),
  'io.k8s.api.storage.v1.CSIDriverSpec': fieldsOf<CSIDriverSpec>()(
    'attachRequired fsGroupPolicy podInfoOnMount requiresRepublish seLinuxMount storageCapacity tokenRequests volumeLifecycleModes',
  ),
  'io.k8s.api.certificates.v1.CertificateSigningRequestSpec': fieldsOf<CertificateSigningRequestSpec>()(
    'expirationSeconds extra groups request signerName uid usages username',
  ),
};

test('every field kubernetes-types knows is defined, plus the v1.31 additions', () => {
  for (const [name, fields] of Object.entries(upstreamFields))
    assert.deepEqual(Object.keys(def(name).properties ?? {}).sort(), [...fields].sort(), name);
  // v1.31 added coordinated leader election to leases.
  assert.ok(prop('io.k8s.api.coordination.v1.LeaseSpec', 'preferredHolder'));
  assert.ok(prop('io.k8s.api.coordination.v1.LeaseSpec', 'strategy'));
});

test('required fields match upstream', () => {
  assert.deepEqual(def('io.k8s.api.apps.v1.DeploymentSpec').required, ['selector', 'template']);
  assert.deepEqual(def('io.k8s.api.apps.v1.StatefulSetSpec').required, [
    'selector',
    'template',
    'serviceName',
  ]);
  assert.deepEqual(def('io.k8s.api.batch.v1.CronJobSpec').required, ['schedule', 'jobTemplate']);
  assert.deepEqual(def('io.k8s.api.rbac.v1.PolicyRule').required, ['verbs']);
  assert.deepEqual(def('io.k8s.api.rbac.v1.RoleBinding').required, ['roleRef']);
  assert.deepEqual(def('io.k8s.api.events.v1.Event').required, ['eventTime']);
  assert.deepEqual(def('io.k8s.api.networking.v1.HTTPIngressPath').required, ['pathType', 'backend']);
});

test('every group definition and field has a description of its own', () => {
  const missing: string[] = [];
  for (const [name, d] of Object.entries(groupDefinitions)) {
    if (!d.description) missing.push(name);
    for (const [field, p] of Object.entries(d.properties ?? {}))
      if (!p.description) missing.push(`${name}.${field}`);
  }
  assert.deepEqual(missing, []);
});

test('definitionFor knows only definition names', () => {
  assert.equal(definitionFor('io.k8s.api.apps.v1.Nope'), undefined);
  assert.equal(definitionFor('constructor'), undefined);
  assert.equal(definitionFor('io.k8s.api.apps.v1.Deployment'), definitions['io.k8s.api.apps.v1.Deployment']);
});
