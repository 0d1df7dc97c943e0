// How lists and maps merge (strategic merge patch) and are owned (server-side apply): the
// x-kubernetes-* extensions upstream's types carry, per definition and field. These are facts
// of the Kubernetes API; the generated structure does not carry them.
import type { PropSchema } from './dsl.js';

type Ext = Pick<
  PropSchema,
  | 'x-kubernetes-patch-strategy'
  | 'x-kubernetes-patch-merge-key'
  | 'x-kubernetes-list-type'
  | 'x-kubernetes-list-map-keys'
  | 'x-kubernetes-map-type'
>;

const byKey = (key: string, mapKeys: string[] = [key], strategy = 'merge'): Ext => ({
  'x-kubernetes-patch-strategy': strategy,
  'x-kubernetes-patch-merge-key': key,
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': mapKeys,
});
const mergeOnly = (key: string, strategy = 'merge'): Ext => ({
  'x-kubernetes-patch-strategy': strategy,
  'x-kubernetes-patch-merge-key': key,
});
const atomic: Ext = { 'x-kubernetes-list-type': 'atomic' };
const set: Ext = { 'x-kubernetes-list-type': 'set' };
const mergeSet: Ext = { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' };
const conditions = byKey('type');

const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

export const mergeKeys: Record<string, Record<string, Ext>> = {
  [`${META}.ObjectMeta`]: { finalizers: mergeSet, ownerReferences: byKey('uid') },
  [`${META}.LabelSelector`]: { matchExpressions: atomic },
  [`${META}.LabelSelectorRequirement`]: { values: atomic },
  [`${META}.ListMeta`]: {},
  [`${CORE}.PodSpec`]: {
    containers: byKey('name'),
    initContainers: byKey('name'),
    ephemeralContainers: byKey('name'),
    volumes: byKey('name', ['name'], 'merge,retainKeys'),
    imagePullSecrets: byKey('name'),
    hostAliases: byKey('ip'),
    tolerations: atomic,
    topologySpreadConstraints: byKey('topologyKey', ['topologyKey', 'whenUnsatisfiable']),
    readinessGates: atomic,
    resourceClaims: byKey('name', ['name'], 'merge,retainKeys'),
    schedulingGates: byKey('name'),
  },
  [`${CORE}.Container`]: {
    ports: byKey('containerPort', ['containerPort', 'protocol']),
    env: byKey('name'),
    volumeMounts: byKey('mountPath'),
    volumeDevices: byKey('devicePath'),
    envFrom: atomic,
    resizePolicy: atomic,
    command: atomic,
    args: atomic,
  },
  [`${CORE}.EphemeralContainer`]: {
    ports: byKey('containerPort', ['containerPort', 'protocol']),
    env: byKey('name'),
    volumeMounts: byKey('mountPath'),
    volumeDevices: byKey('devicePath'),
  },
  [`${CORE}.PodStatus`]: {
    conditions,
    podIPs: byKey('ip'),
    hostIPs: byKey('ip'),
    containerStatuses: atomic,
    initContainerStatuses: atomic,
    ephemeralContainerStatuses: atomic,
    resourceClaimStatuses: byKey('name', ['name'], 'merge,retainKeys'),
  },
  [`${CORE}.ServiceSpec`]: {
    ports: byKey('port', ['port', 'protocol']),
    clusterIPs: atomic,
    externalIPs: atomic,
    ipFamilies: atomic,
    loadBalancerSourceRanges: atomic,
  },
  [`${CORE}.ServiceStatus`]: { conditions },
  [`${CORE}.NodeSpec`]: { podCIDRs: mergeSet, taints: atomic },
  [`${CORE}.NodeStatus`]: {
    conditions,
    addresses: byKey('type'),
    images: atomic,
    volumesAttached: atomic,
    volumesInUse: atomic,
  },
  [`${CORE}.NamespaceStatus`]: { conditions },
  [`${CORE}.PersistentVolumeClaimStatus`]: { conditions },
  [`${CORE}.ReplicationControllerStatus`]: { conditions },
  [`${CORE}.EndpointSubset`]: { addresses: atomic, notReadyAddresses: atomic, ports: atomic },
  [`${CORE}.Endpoints`]: { subsets: atomic },
  [`${CORE}.ServiceAccount`]: { secrets: mergeOnly('name'), imagePullSecrets: atomic },
  [`${CORE}.LimitRangeSpec`]: { limits: atomic },
  [`${CORE}.ResourceRequirements`]: { claims: byKey('name') },
  'io.k8s.api.apps.v1.DeploymentStatus': { conditions },
  'io.k8s.api.apps.v1.ReplicaSetStatus': { conditions },
  'io.k8s.api.apps.v1.StatefulSetStatus': { conditions },
  'io.k8s.api.apps.v1.DaemonSetStatus': { conditions },
  'io.k8s.api.apps.v1.StatefulSetSpec': { volumeClaimTemplates: atomic },
  'io.k8s.api.batch.v1.JobStatus': {
    conditions: { ...atomic, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'type' },
  },
  'io.k8s.api.batch.v1.CronJobStatus': { active: atomic },
  'io.k8s.api.policy.v1.PodDisruptionBudgetStatus': { conditions },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus': { conditions, currentMetrics: atomic },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec': { metrics: atomic },
  'io.k8s.api.networking.v1.IngressSpec': { rules: atomic, tls: atomic },
  'io.k8s.api.networking.v1.NetworkPolicySpec': { ingress: atomic, egress: atomic, policyTypes: atomic },
  'io.k8s.api.rbac.v1.Role': { rules: atomic },
  'io.k8s.api.rbac.v1.ClusterRole': { rules: atomic },
  'io.k8s.api.rbac.v1.RoleBinding': { subjects: atomic },
  'io.k8s.api.rbac.v1.ClusterRoleBinding': { subjects: atomic },
  'io.k8s.api.rbac.v1.PolicyRule': {
    verbs: atomic,
    apiGroups: atomic,
    resources: atomic,
    resourceNames: atomic,
    nonResourceURLs: atomic,
  },
  'io.k8s.api.discovery.v1.EndpointSlice': { endpoints: atomic, ports: atomic },
  'io.k8s.api.discovery.v1.Endpoint': { addresses: set },
  'io.k8s.api.certificates.v1.CertificateSigningRequestSpec': { usages: atomic, groups: atomic },
  'io.k8s.api.certificates.v1.CertificateSigningRequestStatus': { conditions },
};

/** Maps kept whole (one owner for the whole map). */
export const atomicMaps: Record<string, string[]> = {
  [`${CORE}.PodSpec`]: ['nodeSelector'],
};
