// Pods: the Pod kind, its spec and status, scheduling constraints and pod-level security.
// Field names, types, formats and merge extensions follow Kubernetes v1.31; the descriptions are ours.
import type { Definitions } from './dsl.js';
import {
  str,
  int32,
  int64,
  bool,
  ref,
  arr,
  map,
  mergeList,
  obj,
  t,
  OBJECT_META,
  TIME,
  QUANTITY,
} from './dsl.js';
import { kind, listOf, atomic, mergeBy, mergeKeyed, P } from './core-v1-common.js';

export const podDefinitions: Definitions = {
  [`${P}.Pod`]: kind(
    'Pod',
    'A group of containers that share network and storage and are scheduled together onto one node.',
    {
      spec: ref(`${P}.PodSpec`, 'What the pod should run and how it is scheduled.'),
      status: ref(`${P}.PodStatus`, 'What was last observed about the pod; written by the system.'),
    },
  ),
  [`${P}.PodList`]: listOf('Pod'),
  [`${P}.PodTemplate`]: kind('PodTemplate', 'A stored pod template that other objects can copy pods from.', {
    template: ref(`${P}.PodTemplateSpec`, 'The pod template itself.'),
  }),
  [`${P}.PodTemplateList`]: listOf('PodTemplate'),
  [`${P}.PodTemplateSpec`]: obj('The metadata and spec that pods created from a template receive.', {
    metadata: ref(OBJECT_META, 'Labels, annotations and other metadata given to each created pod.'),
    spec: ref(`${P}.PodSpec`, 'The pod spec given to each created pod.'),
  }),
  [`${P}.PodSpec`]: obj(
    'The desired state of a pod: its containers, volumes, scheduling constraints and policies.',
    {
      activeDeadlineSeconds: int64(
        "Seconds, counted from the pod's start, after which the system actively terminates the pod; must be positive.",
      ),
      affinity: ref(`${P}.Affinity`, 'Node and pod affinity/anti-affinity rules used when scheduling.'),
      automountServiceAccountToken: bool(
        'Whether the service account token is mounted into the pod automatically.',
      ),
      containers: mergeList(
        t.ref(`${P}.Container`),
        'The containers that run in the pod; at least one is required and the list cannot be changed in place.',
        ['name'],
      ),
      dnsConfig: ref(`${P}.PodDNSConfig`, 'Extra DNS settings merged with those produced by dnsPolicy.'),
      dnsPolicy: str('How DNS is configured for the pod; defaults to ClusterFirst.', {
        enum: ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'],
      }),
      enableServiceLinks: bool(
        'Whether service environment variables (Docker link style) are injected into containers; defaults to true.',
      ),
      ephemeralContainers: mergeList(
        t.ref(`${P}.EphemeralContainer`),
        'Temporary containers added to a running pod, e.g. for debugging; set through the ephemeralcontainers subresource.',
        ['name'],
      ),
      hostAliases: mergeList(t.ref(`${P}.HostAlias`), "Extra entries written to the pod's /etc/hosts file.", [
        'ip',
      ]),
      hostIPC: bool("Whether the pod uses the host's IPC namespace."),
      hostNetwork: bool("Whether the pod uses the host's network namespace and addresses."),
      hostPID: bool("Whether the pod uses the host's process ID namespace."),
      hostUsers: bool(
        "Whether the pod uses the host's user namespace; false gives the pod its own user namespace.",
      ),
      hostname: str("The pod's hostname; defaults to a value chosen by the system."),
      imagePullSecrets: mergeList(
        t.ref(`${P}.LocalObjectReference`),
        "Secrets in the same namespace used to pull the pod's images.",
        ['name'],
      ),
      initContainers: mergeList(
        t.ref(`${P}.Container`),
        'Containers run one after another to completion before the app containers start.',
        ['name'],
      ),
      nodeName: str('The node the pod is bound to; setting it bypasses the scheduler.'),
      nodeSelector: map(t.str, 'Labels a node must carry for the pod to be scheduled onto it.', {
        'x-kubernetes-map-type': 'atomic',
      }),
      os: ref(`${P}.PodOS`, "The operating system the pod's containers need."),
      overhead: map(
        t.ref(QUANTITY),
        "Resources consumed by the pod sandbox on top of its containers' requests, set from the runtime class.",
      ),
      preemptionPolicy: str(
        'Whether this pod may preempt lower-priority pods; defaults to PreemptLowerPriority.',
        { enum: ['Never', 'PreemptLowerPriority'] },
      ),
      priority: int32(
        "The pod's priority, resolved from priorityClassName by admission; higher values are more important.",
      ),
      priorityClassName: str("The PriorityClass that determines the pod's priority."),
      readinessGates: arr(
        t.ref(`${P}.PodReadinessGate`),
        'Extra pod conditions that must be True before the pod counts as ready.',
        atomic,
      ),
      resourceClaims: arr(
        t.ref(`${P}.PodResourceClaim`),
        "Dynamic resources the pod's containers may use, each referring to a ResourceClaim or a template for one.",
        mergeKeyed('merge,retainKeys', 'name'),
      ),
      restartPolicy: str('When containers of the pod are restarted after exiting; defaults to Always.', {
        enum: ['Always', 'Never', 'OnFailure'],
      }),
      runtimeClassName: str('The RuntimeClass used to run the pod.'),
      schedulerName: str('The scheduler responsible for this pod; defaults to the default scheduler.'),
      schedulingGates: mergeList(
        t.ref(`${P}.PodSchedulingGate`),
        'Gates that keep the pod from being scheduled while any remains.',
        ['name'],
      ),
      securityContext: ref(
        `${P}.PodSecurityContext`,
        'Security settings applied to the whole pod and, as defaults, to its containers.',
      ),
      serviceAccount: str('Deprecated alias of serviceAccountName.'),
      serviceAccountName: str('The service account the pod runs as.'),
      setHostnameAsFQDN: bool("Whether the pod's hostname is set to its fully qualified domain name."),
      shareProcessNamespace: bool('Whether all containers of the pod share one process namespace.'),
      subdomain: str("The pod's subdomain; with hostname it forms the pod's FQDN under a headless service."),
      terminationGracePeriodSeconds: int64(
        'Seconds the pod is given to stop gracefully before it is killed; defaults to 30.',
      ),
      tolerations: arr(t.ref(`${P}.Toleration`), 'The taints this pod tolerates.', atomic),
      topologySpreadConstraints: mergeList(
        t.ref(`${P}.TopologySpreadConstraint`),
        'How the scheduler spreads matching pods across topology domains.',
        ['topologyKey', 'whenUnsatisfiable'],
      ),
      volumes: arr(
        t.ref(`${P}.Volume`),
        "Volumes that the pod's containers can mount.",
        mergeKeyed('merge,retainKeys', 'name'),
      ),
    },
    { required: ['containers'] },
  ),
  [`${P}.PodStatus`]: obj('The observed state of a pod.', {
    conditions: mergeList(
      t.ref(`${P}.PodCondition`),
      "The pod's current conditions, such as PodScheduled and Ready.",
      ['type'],
    ),
    containerStatuses: arr(t.ref(`${P}.ContainerStatus`), 'The status of each app container.', atomic),
    ephemeralContainerStatuses: arr(
      t.ref(`${P}.ContainerStatus`),
      'The status of each ephemeral container.',
      atomic,
    ),
    hostIP: str('The primary IP address of the node the pod runs on.'),
    hostIPs: arr(t.ref(`${P}.HostIP`), 'The IP addresses of the node the pod runs on, primary first.', {
      ...mergeBy('ip'),
      ...atomic,
    }),
    initContainerStatuses: arr(t.ref(`${P}.ContainerStatus`), 'The status of each init container.', atomic),
    message: str("A human-readable explanation of the pod's state."),
    nominatedNodeName: str('The node on which the pod is expected to run once preempted pods are gone.'),
    phase: str('A coarse summary of where the pod is in its lifecycle.', {
      enum: ['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'],
    }),
    podIP: str('The primary IP address allocated to the pod.'),
    podIPs: mergeList(t.ref(`${P}.PodIP`), 'The IP addresses allocated to the pod, primary first.', ['ip']),
    qosClass: str("The quality-of-service class derived from the containers' resources.", {
      enum: ['BestEffort', 'Burstable', 'Guaranteed'],
    }),
    reason: str("A brief CamelCase reason for the pod's state, e.g. Evicted."),
    resize: str("The status of an in-place resize of the pod's resources."),
    resourceClaimStatuses: arr(
      t.ref(`${P}.PodResourceClaimStatus`),
      "The ResourceClaims generated for the pod's resourceClaims entries.",
      mergeKeyed('merge,retainKeys', 'name'),
    ),
    startTime: ref(TIME, 'When the kubelet acknowledged the pod, before its images were pulled.'),
  }),
  [`${P}.PodCondition`]: obj(
    "One aspect of a pod's state, such as whether it is ready.",
    {
      lastProbeTime: ref(TIME, 'When the condition was last checked.'),
      lastTransitionTime: ref(TIME, 'When the condition last changed status.'),
      message: str('A human-readable explanation of the last transition.'),
      reason: str('A brief CamelCase reason for the last transition.'),
      status: str('Whether the condition holds: True, False or Unknown.'),
      type: str('The kind of condition, e.g. Ready or PodScheduled.'),
    },
    { required: ['status', 'type'] },
  ),
  [`${P}.PodIP`]: obj('One IP address allocated to a pod.', {
    ip: str('The IP address.'),
  }),
  [`${P}.HostIP`]: obj('One IP address of the node a pod runs on.', {
    ip: str('The IP address.'),
  }),
  [`${P}.PodOS`]: obj(
    'The operating system a pod needs.',
    {
      name: str("The operating system's name: linux or windows."),
    },
    { required: ['name'] },
  ),
  [`${P}.PodReadinessGate`]: obj(
    'An extra condition that must hold for a pod to be ready.',
    {
      conditionType: str('The type of a pod condition that must be True.'),
    },
    { required: ['conditionType'] },
  ),
  [`${P}.PodSchedulingGate`]: obj(
    'A gate that blocks scheduling of a pod until it is removed.',
    {
      name: str("The gate's name; unique within the pod."),
    },
    { required: ['name'] },
  ),
  [`${P}.PodResourceClaim`]: obj(
    'A dynamic resource the pod needs, named for use by containers.',
    {
      name: str('The name containers use to refer to this claim; unique within the pod.'),
      resourceClaimName: str("The name of an existing ResourceClaim in the pod's namespace."),
      resourceClaimTemplateName: str(
        'The name of a ResourceClaimTemplate from which a claim is generated for this pod.',
      ),
    },
    { required: ['name'] },
  ),
  [`${P}.PodResourceClaimStatus`]: obj(
    'The ResourceClaim generated for one resourceClaims entry of a pod.',
    {
      name: str('The resourceClaims entry this status belongs to.'),
      resourceClaimName: str("The generated ResourceClaim's name; empty when none was needed."),
    },
    { required: ['name'] },
  ),
  [`${P}.HostAlias`]: obj("An extra entry for the pod's /etc/hosts file.", {
    hostnames: arr(t.str, 'Host names that resolve to the IP address.', atomic),
    ip: str('The IP address of the entry.'),
  }),
  [`${P}.PodDNSConfig`]: obj('DNS settings of a pod beyond those produced by its DNS policy.', {
    nameservers: arr(t.str, 'DNS server addresses added to those of the DNS policy.', atomic),
    options: arr(
      t.ref(`${P}.PodDNSConfigOption`),
      'Resolver options; entries override those of the DNS policy with the same name.',
      atomic,
    ),
    searches: arr(t.str, 'DNS search domains added to those of the DNS policy.', atomic),
  }),
  [`${P}.PodDNSConfigOption`]: obj('One resolver option.', {
    name: str("The option's name."),
    value: str("The option's value, if it has one."),
  }),
};
