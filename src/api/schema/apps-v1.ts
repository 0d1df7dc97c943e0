// apps/v1: Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision.
import type { Definition, Definitions, PropSchema } from './dsl.js';
import {
  INT_OR_STRING,
  LABEL_SELECTOR,
  LIST_META,
  OBJECT_META,
  TIME,
  arr,
  bool,
  int32,
  int64,
  obj,
  ref,
  str,
  t,
} from './dsl.js';

const P = 'io.k8s.api.apps.v1';
const POD_TEMPLATE = 'io.k8s.api.core.v1.PodTemplateSpec';
const gvk = (kind: string) => [{ group: 'apps', version: 'v1', kind }];

function topLevel(kind: string, description: string, props: Record<string, PropSchema>, required?: string[]) {
  return obj(
    description,
    {
      apiVersion: str('The versioned schema of this object, here apps/v1.'),
      kind: str(`The kind of this object, here ${kind}.`),
      metadata: ref(OBJECT_META, "The object's name, namespace, labels and other metadata."),
      ...props,
    },
    { required, gvk: gvk(kind) },
  );
}

function listOf(kind: string): Definition {
  return obj(
    `A list of ${kind} objects.`,
    {
      apiVersion: str('The versioned schema of this list, here apps/v1.'),
      items: arr(t.ref(`${P}.${kind}`), `The ${kind} objects.`),
      kind: str(`The kind of this list, here ${kind}List.`),
      metadata: ref(LIST_META, 'Resource version and continuation token of the list.'),
    },
    { required: ['items'], gvk: gvk(`${kind}List`) },
  );
}

/** A status condition of a workload; `withUpdateTime` adds Deployment's lastUpdateTime. */
function condition(owner: string, withUpdateTime = false): Definition {
  return obj(
    `One aspect of a ${owner}'s state at a point in time.`,
    {
      lastTransitionTime: ref(TIME, 'When the condition last changed its status.'),
      ...(withUpdateTime ? { lastUpdateTime: ref(TIME, 'When the condition was last refreshed.') } : {}),
      message: str('A human-readable explanation of the condition.'),
      reason: str('A machine-readable, CamelCase reason for the last transition.'),
      status: str('Whether the condition holds: True, False or Unknown.'),
      type: str('The kind of condition.'),
    },
    { required: ['status', 'type'] },
  );
}

// v1.31 patches workload conditions by type but declares no list-type (later releases add
// +listType=map); server-side apply derives the same keyed list from the patch hints.
const conditions = (owner: string, kind: string): PropSchema =>
  arr(t.ref(`${P}.${kind}`), `The latest observations of the ${owner}'s state.`, {
    'x-kubernetes-patch-merge-key': 'type',
    'x-kubernetes-patch-strategy': 'merge',
  });
const selector = (what: string): PropSchema =>
  ref(LABEL_SELECTOR, `Label query over pods that belong to this ${what}; must match the template's labels.`);
const template = (what: string): PropSchema =>
  ref(POD_TEMPLATE, `The pod template from which the ${what} creates its pods.`);
const observedGeneration = (what: string): PropSchema =>
  int64(`The most recent metadata.generation the ${what} controller has acted on.`);
const collisionCount = (what: string): PropSchema =>
  int32(`Count of hash collisions when naming new revisions of this ${what}.`);
// Builders return fresh objects: no schema node is shared between two definitions.
const minReadySeconds = (): PropSchema =>
  int32('Seconds a new pod must be ready, with no container crashing, to count as available.');
const revisionHistoryLimit = (): PropSchema => int32('How many old revisions to keep for rollback.');

export const appsV1Definitions: Definitions = {
  // ---- Deployment ----
  [`${P}.Deployment`]: topLevel('Deployment', 'Declarative, rolling updates of pods through replica sets.', {
    spec: ref(`${P}.DeploymentSpec`, 'The desired behaviour of the deployment.'),
    status: ref(`${P}.DeploymentStatus`, 'The most recently observed state of the deployment.'),
  }),
  [`${P}.DeploymentList`]: listOf('Deployment'),
  [`${P}.DeploymentSpec`]: obj(
    'The desired state of a deployment.',
    {
      minReadySeconds: minReadySeconds(),
      paused: bool('When true, changes to the template do not start a rollout.'),
      progressDeadlineSeconds: int32(
        'Seconds a rollout may go without progress before it is reported as failed; defaults to 600.',
      ),
      replicas: int32('The desired number of pods; defaults to 1.'),
      revisionHistoryLimit: int32('How many old replica sets to keep for rollback; defaults to 10.'),
      selector: selector('deployment'),
      strategy: ref(`${P}.DeploymentStrategy`, 'How existing pods are replaced by new ones.', {
        'x-kubernetes-patch-strategy': 'retainKeys',
      }),
      template: template('deployment'),
    },
    { required: ['selector', 'template'] },
  ),
  [`${P}.DeploymentStrategy`]: obj('How a deployment replaces its pods.', {
    rollingUpdate: ref(
      `${P}.RollingUpdateDeployment`,
      'Parameters of a rolling update; only with type RollingUpdate.',
    ),
    type: str('Recreate (delete all old pods first) or RollingUpdate (the default).', {
      enum: ['Recreate', 'RollingUpdate'],
    }),
  }),
  [`${P}.RollingUpdateDeployment`]: obj('Bounds on a rolling update of a deployment.', {
    maxSurge: ref(
      INT_OR_STRING,
      'How many pods (or what percentage) may exist above the desired count; default 25%.',
    ),
    maxUnavailable: ref(INT_OR_STRING, 'How many pods (or what percentage) may be unavailable; default 25%.'),
  }),
  [`${P}.DeploymentStatus`]: obj('The observed state of a deployment.', {
    availableReplicas: int32('Pods of this deployment that have been ready for at least minReadySeconds.'),
    collisionCount: collisionCount('deployment'),
    conditions: conditions('deployment', 'DeploymentCondition'),
    observedGeneration: observedGeneration('deployment'),
    readyReplicas: int32('Pods of this deployment whose Ready condition is true.'),
    replicas: int32('Non-terminated pods whose labels match the selector.'),
    unavailableReplicas: int32('Pods still needed for the deployment to reach full availability.'),
    updatedReplicas: int32('Non-terminated pods running the current template.'),
  }),
  [`${P}.DeploymentCondition`]: condition('deployment', true),

  // ---- ReplicaSet ----
  [`${P}.ReplicaSet`]: topLevel('ReplicaSet', 'Keeps a given number of identical pods running.', {
    spec: ref(`${P}.ReplicaSetSpec`, 'The desired behaviour of the replica set.'),
    status: ref(`${P}.ReplicaSetStatus`, 'The most recently observed state of the replica set.'),
  }),
  [`${P}.ReplicaSetList`]: listOf('ReplicaSet'),
  [`${P}.ReplicaSetSpec`]: obj(
    'The desired state of a replica set.',
    {
      minReadySeconds: minReadySeconds(),
      replicas: int32('The desired number of pods; defaults to 1.'),
      selector: selector('replica set'),
      template: template('replica set'),
    },
    { required: ['selector'] },
  ),
  [`${P}.ReplicaSetStatus`]: obj(
    'The observed state of a replica set.',
    {
      availableReplicas: int32('Pods that have been ready for at least minReadySeconds.'),
      conditions: conditions('replica set', 'ReplicaSetCondition'),
      fullyLabeledReplicas: int32("Pods whose labels match all of the template's labels."),
      observedGeneration: observedGeneration('replica set'),
      readyReplicas: int32('Pods whose Ready condition is true.'),
      replicas: int32('The number of pods most recently observed.'),
    },
    { required: ['replicas'] },
  ),
  [`${P}.ReplicaSetCondition`]: condition('replica set'),

  // ---- StatefulSet ----
  [`${P}.StatefulSet`]: topLevel(
    'StatefulSet',
    'Pods with stable identities and storage, managed in order.',
    {
      spec: ref(`${P}.StatefulSetSpec`, 'The desired behaviour of the stateful set.'),
      status: ref(`${P}.StatefulSetStatus`, 'The most recently observed state of the stateful set.'),
    },
  ),
  [`${P}.StatefulSetList`]: listOf('StatefulSet'),
  [`${P}.StatefulSetSpec`]: obj(
    'The desired state of a stateful set.',
    {
      minReadySeconds: minReadySeconds(),
      ordinals: ref(`${P}.StatefulSetOrdinals`, 'How replica indices are numbered.'),
      persistentVolumeClaimRetentionPolicy: ref(
        `${P}.StatefulSetPersistentVolumeClaimRetentionPolicy`,
        'What happens to claims created from volumeClaimTemplates when the set is deleted or scaled down.',
      ),
      podManagementPolicy: str('OrderedReady (one at a time, the default) or Parallel.', {
        enum: ['OrderedReady', 'Parallel'],
      }),
      replicas: int32('The desired number of pods; defaults to 1.'),
      revisionHistoryLimit: revisionHistoryLimit(),
      selector: selector('stateful set'),
      serviceName: str('The headless service that gives the pods their network identity.'),
      template: template('stateful set'),
      updateStrategy: ref(
        `${P}.StatefulSetUpdateStrategy`,
        'How pods are replaced when the template changes.',
      ),
      volumeClaimTemplates: arr(
        t.ref('io.k8s.api.core.v1.PersistentVolumeClaim'),
        'Claims each pod gets, named after the template and the pod.',
      ),
    },
    { required: ['selector', 'template', 'serviceName'] },
  ),
  [`${P}.StatefulSetOrdinals`]: obj('Numbering of the replicas of a stateful set.', {
    start: int32('The index of the first replica; defaults to 0.'),
  }),
  [`${P}.StatefulSetPersistentVolumeClaimRetentionPolicy`]: obj(
    'Whether claims created for a stateful set are kept or deleted.',
    {
      whenDeleted: str('Retain (default) or Delete the claims when the stateful set is deleted.', {
        enum: ['Delete', 'Retain'],
      }),
      whenScaled: str('Retain (default) or Delete the claims of pods removed by a scale-down.', {
        enum: ['Delete', 'Retain'],
      }),
    },
  ),
  [`${P}.StatefulSetUpdateStrategy`]: obj('How a stateful set updates its pods.', {
    rollingUpdate: ref(`${P}.RollingUpdateStatefulSetStrategy`, 'Parameters of a rolling update.'),
    type: str('RollingUpdate (the default) or OnDelete.', { enum: ['OnDelete', 'RollingUpdate'] }),
  }),
  [`${P}.RollingUpdateStatefulSetStrategy`]: obj('Bounds on a rolling update of a stateful set.', {
    maxUnavailable: ref(
      INT_OR_STRING,
      'How many pods (or what percentage) may be unavailable during the update.',
    ),
    partition: int32('Only pods with an ordinal at or above this number are updated.'),
  }),
  [`${P}.StatefulSetStatus`]: obj(
    'The observed state of a stateful set.',
    {
      availableReplicas: int32('Pods that have been ready for at least minReadySeconds.'),
      collisionCount: collisionCount('stateful set'),
      conditions: conditions('stateful set', 'StatefulSetCondition'),
      currentReplicas: int32('Pods created from the currentRevision.'),
      currentRevision: str('The revision used for pods with ordinals below the partition.'),
      observedGeneration: observedGeneration('stateful set'),
      readyReplicas: int32('Pods whose Ready condition is true.'),
      replicas: int32('The number of pods the controller has created.'),
      updateRevision: str('The revision of the current template, rolled out to updated pods.'),
      updatedReplicas: int32('Pods created from the updateRevision.'),
    },
    { required: ['replicas'] },
  ),
  [`${P}.StatefulSetCondition`]: condition('stateful set'),

  // ---- DaemonSet ----
  [`${P}.DaemonSet`]: topLevel('DaemonSet', 'Runs one copy of a pod on every selected node.', {
    spec: ref(`${P}.DaemonSetSpec`, 'The desired behaviour of the daemon set.'),
    status: ref(`${P}.DaemonSetStatus`, 'The most recently observed state of the daemon set.'),
  }),
  [`${P}.DaemonSetList`]: listOf('DaemonSet'),
  [`${P}.DaemonSetSpec`]: obj(
    'The desired state of a daemon set.',
    {
      minReadySeconds: minReadySeconds(),
      revisionHistoryLimit: revisionHistoryLimit(),
      selector: selector('daemon set'),
      template: template('daemon set'),
      updateStrategy: ref(`${P}.DaemonSetUpdateStrategy`, 'How pods are replaced when the template changes.'),
    },
    { required: ['selector', 'template'] },
  ),
  [`${P}.DaemonSetUpdateStrategy`]: obj('How a daemon set updates its pods.', {
    rollingUpdate: ref(`${P}.RollingUpdateDaemonSet`, 'Parameters of a rolling update.'),
    type: str('RollingUpdate (the default) or OnDelete.', { enum: ['OnDelete', 'RollingUpdate'] }),
  }),
  [`${P}.RollingUpdateDaemonSet`]: obj('Bounds on a rolling update of a daemon set.', {
    maxSurge: ref(
      INT_OR_STRING,
      'How many nodes (or what percentage) may run an extra, updated pod at once.',
    ),
    maxUnavailable: ref(INT_OR_STRING, 'How many nodes (or what percentage) may lack an available pod.'),
  }),
  [`${P}.DaemonSetStatus`]: obj(
    'The observed state of a daemon set.',
    {
      collisionCount: collisionCount('daemon set'),
      conditions: conditions('daemon set', 'DaemonSetCondition'),
      currentNumberScheduled: int32('Nodes that run the daemon pod and should.'),
      desiredNumberScheduled: int32('Nodes that should run the daemon pod.'),
      numberAvailable: int32('Nodes whose daemon pod has been ready for at least minReadySeconds.'),
      numberMisscheduled: int32('Nodes that run the daemon pod but should not.'),
      numberReady: int32('Nodes whose daemon pod is ready.'),
      numberUnavailable: int32('Nodes that should run the daemon pod but have no available one.'),
      observedGeneration: observedGeneration('daemon set'),
      updatedNumberScheduled: int32('Nodes that run the updated daemon pod.'),
    },
    { required: ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'] },
  ),
  [`${P}.DaemonSetCondition`]: condition('daemon set'),

  // ---- ControllerRevision ----
  [`${P}.ControllerRevision`]: topLevel(
    'ControllerRevision',
    'An immutable snapshot of a workload template, kept so that controllers can roll back.',
    {
      data: ref('io.k8s.apimachinery.pkg.runtime.RawExtension', 'The serialized state of this revision.'),
      revision: int64('The revision number this snapshot represents.'),
    },
    ['revision'],
  ),
  [`${P}.ControllerRevisionList`]: listOf('ControllerRevision'),
};
