// A small Deployment-shaped schema with upstream's definition names and list/map semantics,
// so these tests do not depend on the full generated definitions.
import {
  arr,
  bool,
  int32,
  map,
  mergeList,
  obj,
  ref,
  str,
  t,
  type Definitions,
} from '../../../src/api/schema/dsl.js';
import type { KubeObject } from '../../../src/api/types.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const APPS = 'io.k8s.api.apps.v1';
const CORE = 'io.k8s.api.core.v1';
export const DEPLOYMENT = `${APPS}.Deployment`;

export const defs: Definitions = {
  [DEPLOYMENT]: obj('d', {
    apiVersion: str('v'),
    kind: str('k'),
    metadata: ref(`${META}.ObjectMeta`, 'm'),
    spec: ref(`${APPS}.DeploymentSpec`, 's'),
    status: ref(`${APPS}.DeploymentStatus`, 's'),
  }),
  [`${META}.ObjectMeta`]: obj('m', {
    name: str('n'),
    namespace: str('n'),
    uid: str('u'),
    resourceVersion: str('r'),
    generation: int32('g'),
    creationTimestamp: ref(`${META}.Time`, 't'),
    labels: map(t.str, 'l'),
    annotations: map(t.str, 'a'),
    finalizers: arr(t.str, 'f', { 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' }),
    managedFields: arr({ type: 'object' }, 'mf', { 'x-kubernetes-list-type': 'atomic' }),
  }),
  [`${META}.Time`]: { type: 'string', format: 'date-time' },
  [`${META}.LabelSelector`]: obj('s', { matchLabels: map(t.str, 'l') }),
  ['io.k8s.apimachinery.pkg.util.intstr.IntOrString']: { type: 'string', 'x-kubernetes-int-or-string': true },
  [`${APPS}.DeploymentSpec`]: obj('s', {
    replicas: int32('r'),
    selector: ref(`${META}.LabelSelector`, 's'),
    template: ref(`${CORE}.PodTemplateSpec`, 't'),
    strategy: ref(`${APPS}.DeploymentStrategy`, 's'),
    revisionHistoryLimit: int32('r'),
    progressDeadlineSeconds: int32('p'),
    paused: bool('p'),
  }),
  [`${APPS}.DeploymentStrategy`]: obj('s', {
    type: str('t'),
    rollingUpdate: ref(`${APPS}.RollingUpdateDeployment`, 'r'),
  }),
  [`${APPS}.RollingUpdateDeployment`]: obj('r', {
    maxSurge: ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString', 's'),
    maxUnavailable: ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString', 'u'),
  }),
  [`${APPS}.DeploymentStatus`]: obj('s', { replicas: int32('r'), observedGeneration: int32('o') }),
  [`${CORE}.PodTemplateSpec`]: obj('t', {
    metadata: ref(`${META}.ObjectMeta`, 'm'),
    spec: ref(`${CORE}.PodSpec`, 's'),
  }),
  [`${CORE}.PodSpec`]: obj('p', {
    containers: mergeList(t.ref(`${CORE}.Container`), 'c', ['name']),
    restartPolicy: str('r'),
    dnsPolicy: str('d'),
    schedulerName: str('s'),
    terminationGracePeriodSeconds: int32('t'),
    securityContext: obj('s', { runAsUser: int32('u') }),
    nodeSelector: map(t.str, 'n', { 'x-kubernetes-map-type': 'atomic' }),
    tolerations: arr({ type: 'object' }, 't', { 'x-kubernetes-list-type': 'atomic' }),
  }),
  [`${CORE}.Container`]: obj('c', {
    name: str('n'),
    image: str('i'),
    imagePullPolicy: str('p'),
    args: arr(t.str, 'a', { 'x-kubernetes-list-type': 'atomic' }),
    ports: mergeList(t.ref(`${CORE}.ContainerPort`), 'p', ['containerPort', 'protocol'], 'containerPort'),
    env: mergeList(t.ref(`${CORE}.EnvVar`), 'e', ['name']),
    resources: ref(`${CORE}.ResourceRequirements`, 'r'),
    terminationMessagePath: str('t'),
    terminationMessagePolicy: str('t'),
  }),
  [`${CORE}.ContainerPort`]: obj('p', {
    containerPort: int32('c'),
    protocol: str('p', { default: 'TCP' }),
    name: str('n'),
  }),
  [`${CORE}.EnvVar`]: obj('e', { name: str('n'), value: str('v') }),
  [`${CORE}.ResourceRequirements`]: obj('r', { limits: map(t.str, 'l'), requests: map(t.str, 'r') }),
};

export interface DeploymentOpts {
  replicas?: number;
  image?: string;
  labels?: Record<string, string>;
  containers?: Record<string, unknown>[];
}

/** An applied configuration as `kubectl apply --server-side` sends it. */
export function config(o: DeploymentOpts = {}): KubeObject {
  const spec: Record<string, unknown> = {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: o.containers ?? [{ name: 'web', image: o.image ?? 'nginx:1.25' }] },
    },
  };
  if (o.replicas !== undefined) spec.replicas = o.replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', ...(o.labels ? { labels: o.labels } : {}) },
    spec,
  };
}

/** What the store makes of a write: server metadata added (defaults left out for brevity). */
export function stored(o: KubeObject, rv = '1'): KubeObject {
  return {
    ...structuredClone(o),
    metadata: { ...structuredClone(o.metadata), uid: 'uid-1', resourceVersion: rv, generation: 1 },
  };
}

export const T0 = '2024-05-01T10:00:00Z';
export const T1 = '2024-05-01T11:00:00Z';
export const T2 = '2024-05-01T12:00:00Z';
