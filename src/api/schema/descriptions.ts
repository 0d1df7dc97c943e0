// Our own one-line descriptions of the kinds, shown by `kubectl explain <kind>`.
const CORE = 'io.k8s.api.core.v1';

export const kindDescriptions: Record<string, string> = {
  [`${CORE}.Pod`]: 'A group of containers scheduled together on one node, sharing network and storage.',
  [`${CORE}.PodSpec`]:
    'What a pod runs and how: its containers, volumes, scheduling constraints and policies.',
  [`${CORE}.Container`]:
    'One container of a pod: the image it runs, its command, ports, environment, resources and probes.',
  [`${CORE}.Service`]: 'A stable name and virtual IP in front of a set of pods chosen by a label selector.',
  [`${CORE}.Namespace`]: 'A scope for names; most objects live in exactly one namespace.',
  [`${CORE}.Node`]: 'A machine of the cluster, with its capacity, conditions and addresses.',
  [`${CORE}.ConfigMap`]: 'Non-secret configuration as key/value pairs that pods can read.',
  [`${CORE}.Secret`]: 'Sensitive data (passwords, tokens, keys) as base64-encoded key/value pairs.',
  [`${CORE}.ServiceAccount`]: 'An identity for processes running in pods.',
  [`${CORE}.Endpoints`]: 'The addresses and ports that implement a service.',
  [`${CORE}.Event`]: 'A report of something that happened to an object, for people and tools to read.',
  [`${CORE}.LimitRange`]: 'Per-namespace defaults and bounds for the resources of pods and containers.',
  [`${CORE}.ResourceQuota`]: 'Per-namespace limits on the total resources and object counts.',
  [`${CORE}.PersistentVolume`]: 'A piece of storage provisioned for the cluster.',
  [`${CORE}.PersistentVolumeClaim`]: "A user's request for storage, bound to a persistent volume.",
  [`${CORE}.ReplicationController`]:
    'Keeps a number of pod replicas running (the predecessor of ReplicaSet).',
  [`${CORE}.PodTemplate`]: 'A reusable description of pods.',
  'io.k8s.api.apps.v1.Deployment': 'Declarative updates for pods through replica sets, rolled out gradually.',
  'io.k8s.api.apps.v1.ReplicaSet': 'Keeps a number of identical pods running.',
  'io.k8s.api.apps.v1.StatefulSet': 'Pods with stable names and storage, created and updated in order.',
  'io.k8s.api.apps.v1.DaemonSet': 'One pod on every (selected) node.',
  'io.k8s.api.apps.v1.ControllerRevision':
    'An immutable snapshot of a workload template, kept for rollbacks.',
  'io.k8s.api.batch.v1.Job': 'Pods that run to completion, retried on failure.',
  'io.k8s.api.batch.v1.CronJob': 'Jobs created on a schedule.',
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler':
    'Scales a workload between bounds to meet metric targets.',
  'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler':
    'Scales a workload between bounds to meet a CPU target.',
  'io.k8s.api.autoscaling.v1.Scale': 'The replica count of a scalable resource.',
  'io.k8s.api.policy.v1.PodDisruptionBudget':
    'How many pods of a set may be down at once during voluntary disruptions.',
  'io.k8s.api.networking.v1.Ingress': 'HTTP routing rules from outside the cluster to services.',
  'io.k8s.api.networking.v1.IngressClass': 'A kind of ingress and the controller that implements it.',
  'io.k8s.api.networking.v1.NetworkPolicy': 'Which traffic pods may send and receive.',
  'io.k8s.api.rbac.v1.Role': 'Permissions within one namespace.',
  'io.k8s.api.rbac.v1.ClusterRole': 'Permissions across the cluster or reusable in any namespace.',
  'io.k8s.api.rbac.v1.RoleBinding': 'Grants a role to users, groups or service accounts in one namespace.',
  'io.k8s.api.rbac.v1.ClusterRoleBinding':
    'Grants a cluster role to users, groups or service accounts cluster-wide.',
  'io.k8s.api.storage.v1.StorageClass': 'A kind of storage and how volumes of it are provisioned.',
  'io.k8s.api.storage.v1.CSIDriver': 'A CSI volume driver installed in the cluster.',
  'io.k8s.api.storage.v1.CSINode': 'The CSI drivers installed on one node.',
  'io.k8s.api.storage.v1.VolumeAttachment': 'A request to attach a volume to a node.',
  'io.k8s.api.coordination.v1.Lease': 'A lease for leader election and node heartbeats.',
  'io.k8s.api.discovery.v1.EndpointSlice': 'A slice of the endpoints of a service.',
  'io.k8s.api.events.v1.Event': 'A report of something that happened to an object.',
  'io.k8s.api.scheduling.v1.PriorityClass': 'A named priority for pods.',
  'io.k8s.api.node.v1.RuntimeClass': 'A container runtime configuration pods can select.',
  'io.k8s.api.certificates.v1.CertificateSigningRequest': 'A request for a certificate from a signer.',
};
