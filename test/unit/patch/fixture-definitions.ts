// A small, self-contained slice of the apps/v1 Deployment type tree with upstream's patch
// extensions, so that patch and decode tests do not depend on the full generated definitions.
import {
  INT_OR_STRING,
  OBJECT_META,
  QUANTITY,
  TIME,
  arr,
  bool,
  int32,
  int64,
  map,
  mergeList,
  obj,
  ref,
  str,
  t,
  type Definitions,
} from '../../../src/api/schema/dsl.js';

const APPS = 'io.k8s.api.apps.v1';
const CORE = 'io.k8s.api.core.v1';
export const DEPLOYMENT = `${APPS}.Deployment`;
export const POD = `${CORE}.Pod`;
export const CONFIG = 'example.v1.Config';

export const fixtureDefinitions: Definitions = {
  [DEPLOYMENT]: obj('d', {
    apiVersion: str('v'),
    kind: str('k'),
    metadata: ref(OBJECT_META, 'm'),
    spec: ref(`${APPS}.DeploymentSpec`, 's'),
    status: ref(`${APPS}.DeploymentStatus`, 's'),
  }),
  [`${APPS}.DeploymentSpec`]: obj('s', {
    replicas: int32('r'),
    paused: bool('p'),
    progressDeadlineSeconds: int32('p'),
    strategy: ref(`${APPS}.DeploymentStrategy`, 's'),
    template: ref(`${CORE}.PodTemplateSpec`, 't'),
  }),
  [`${APPS}.DeploymentStrategy`]: obj('s', {
    type: str('t'),
    rollingUpdate: ref(`${APPS}.RollingUpdateDeployment`, 'r'),
  }),
  [`${APPS}.RollingUpdateDeployment`]: obj('r', {
    maxSurge: ref(INT_OR_STRING, 'm'),
    maxUnavailable: ref(INT_OR_STRING, 'm'),
  }),
  [`${APPS}.DeploymentStatus`]: obj('s', {
    replicas: int32('r'),
    conditions: mergeList(t.ref(`${APPS}.DeploymentCondition`), 'c', ['type']),
  }),
  [`${APPS}.DeploymentCondition`]: obj('c', {
    type: str('t'),
    status: str('s'),
    lastUpdateTime: ref(TIME, 't'),
  }),
  [POD]: obj('p', {
    apiVersion: str('v'),
    kind: str('k'),
    metadata: ref(OBJECT_META, 'm'),
    spec: ref(`${CORE}.PodSpec`, 's'),
  }),
  [`${CORE}.PodTemplateSpec`]: obj('t', {
    metadata: ref(OBJECT_META, 'm'),
    spec: ref(`${CORE}.PodSpec`, 's'),
  }),
  [`${CORE}.PodSpec`]: obj('s', {
    containers: mergeList(t.ref(`${CORE}.Container`), 'c', ['name']),
    initContainers: mergeList(t.ref(`${CORE}.Container`), 'c', ['name']),
    volumes: arr(t.ref(`${CORE}.Volume`), 'v', {
      'x-kubernetes-patch-strategy': 'merge,retainKeys',
      'x-kubernetes-patch-merge-key': 'name',
    }),
    nodeSelector: map(t.str, 'n'),
    activeDeadlineSeconds: int64('a'),
    tolerations: arr(t.ref(`${CORE}.Toleration`), 't', { 'x-kubernetes-list-type': 'atomic' }),
  }),
  [`${CORE}.Toleration`]: obj('t', { key: str('k'), operator: str('o'), effect: str('e') }),
  [`${CORE}.Container`]: obj('c', {
    name: str('n'),
    image: str('i'),
    args: arr(t.str, 'a', { 'x-kubernetes-list-type': 'atomic' }),
    ports: arr(t.ref(`${CORE}.ContainerPort`), 'p', {
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'containerPort',
    }),
    env: mergeList(t.ref(`${CORE}.EnvVar`), 'e', ['name']),
    resources: ref(`${CORE}.ResourceRequirements`, 'r'),
  }),
  [`${CORE}.ContainerPort`]: obj('p', {
    name: str('n'),
    containerPort: int32('c'),
    protocol: str('p'),
  }),
  [`${CORE}.EnvVar`]: obj('e', { name: str('n'), value: str('v') }),
  [`${CORE}.ResourceRequirements`]: obj('r', {
    limits: map(t.ref(QUANTITY), 'l'),
    requests: map(t.ref(QUANTITY), 'r'),
  }),
  [`${CORE}.Volume`]: obj('v', {
    name: str('n'),
    emptyDir: ref(`${CORE}.EmptyDirVolumeSource`, 'e'),
    hostPath: ref(`${CORE}.HostPathVolumeSource`, 'h'),
  }),
  [`${CORE}.EmptyDirVolumeSource`]: obj('e', { medium: str('m'), sizeLimit: ref(QUANTITY, 's') }),
  [`${CORE}.HostPathVolumeSource`]: obj('h', { path: str('p'), type: str('t') }),
  [OBJECT_META]: obj('m', {
    name: str('n'),
    namespace: str('n'),
    labels: map(t.str, 'l'),
    annotations: map(t.str, 'a'),
    finalizers: arr(t.str, 'f', { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' }),
    creationTimestamp: ref(TIME, 'c'),
    generation: int64('g'),
  }),
  [QUANTITY]: { type: 'string' },
  [TIME]: { type: 'string', format: 'date-time' },
  [INT_OR_STRING]: { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true },
  [CONFIG]: obj('c', {
    metadata: ref(OBJECT_META, 'm'),
    settings: { description: 's', type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    groups: map(t.ref('example.v1.Group'), 'g'),
  }),
  'example.v1.Group': obj('g', { members: arr(t.str, 'm'), owner: str('o') }),
};
