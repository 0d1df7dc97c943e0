// Nodes: the machines of the cluster, their capacity, conditions and runtime information.
// Field names, types, formats and merge extensions follow Kubernetes v1.31; the descriptions are ours.
import type { Definitions } from './dsl.js';
import { str, int32, int64, bool, ref, arr, map, mergeList, obj, t, TIME, QUANTITY } from './dsl.js';
import { kind, listOf, atomic, mergeSet, P } from './core-v1-common.js';

export const nodeDefinitions: Definitions = {
  [`${P}.Node`]: kind('Node', 'A machine of the cluster that runs pods.', {
    spec: ref(`${P}.NodeSpec`, 'How the node is configured, e.g. its taints and pod CIDRs.'),
    status: ref(`${P}.NodeStatus`, 'The observed state of the node, reported by its kubelet.'),
  }),
  [`${P}.NodeList`]: listOf('Node'),
  [`${P}.NodeSpec`]: obj('How a node is configured.', {
    configSource: ref(
      `${P}.NodeConfigSource`,
      'Deprecated: a source of kubelet configuration, no longer used.',
    ),
    externalID: str('Deprecated and unused.'),
    podCIDR: str('The range of pod IPs assigned to the node.'),
    podCIDRs: arr(t.str, 'The ranges of pod IPs assigned to the node, one per IP family.', mergeSet),
    providerID: str("The node's ID at the cloud provider."),
    taints: arr(
      t.ref(`${P}.Taint`),
      "The node's taints, which repel pods that do not tolerate them.",
      atomic,
    ),
    unschedulable: bool('Whether new pods are kept off the node (cordoned).'),
  }),
  [`${P}.Taint`]: obj(
    'Repels pods that do not tolerate it from a node.',
    {
      effect: str('What the taint does to pods that do not tolerate it.', {
        enum: ['NoExecute', 'NoSchedule', 'PreferNoSchedule'],
      }),
      key: str("The taint's key."),
      timeAdded: ref(TIME, 'When a NoExecute taint was added.'),
      value: str("The taint's value."),
    },
    { required: ['effect', 'key'] },
  ),
  [`${P}.NodeStatus`]: obj('The observed state of a node.', {
    addresses: mergeList(t.ref(`${P}.NodeAddress`), "The node's addresses.", ['type']),
    allocatable: map(t.ref(QUANTITY), 'The resources available to pods.'),
    capacity: map(t.ref(QUANTITY), "The node's total resources."),
    conditions: mergeList(t.ref(`${P}.NodeCondition`), "The node's current conditions, e.g. Ready.", [
      'type',
    ]),
    config: ref(`${P}.NodeConfigStatus`, 'Deprecated: the state of dynamic kubelet configuration.'),
    daemonEndpoints: ref(`${P}.NodeDaemonEndpoints`, "Ports on which the node's daemons listen."),
    features: ref(`${P}.NodeFeatures`, 'Features the node supports.'),
    images: arr(t.ref(`${P}.ContainerImage`), 'The container images present on the node.', atomic),
    nodeInfo: ref(`${P}.NodeSystemInfo`, 'Versions and IDs describing the node.'),
    phase: str('Deprecated and unused.', { enum: ['Pending', 'Running', 'Terminated'] }),
    runtimeHandlers: arr(
      t.ref(`${P}.NodeRuntimeHandler`),
      'The runtime handlers available on the node.',
      atomic,
    ),
    volumesAttached: arr(t.ref(`${P}.AttachedVolume`), 'The volumes attached to the node.', atomic),
    volumesInUse: arr(t.str, 'The volumes the node uses.', atomic),
  }),
  [`${P}.NodeAddress`]: obj(
    'An address of a node.',
    {
      address: str('The address.'),
      type: str('The kind of address.', {
        enum: ['ExternalDNS', 'ExternalIP', 'Hostname', 'InternalDNS', 'InternalIP'],
      }),
    },
    { required: ['address', 'type'] },
  ),
  [`${P}.NodeCondition`]: obj(
    "One aspect of a node's state.",
    {
      lastHeartbeatTime: ref(TIME, 'When the condition was last reported.'),
      lastTransitionTime: ref(TIME, 'When the condition last changed status.'),
      message: str('A human-readable explanation of the last transition.'),
      reason: str('A brief CamelCase reason for the last transition.'),
      status: str('Whether the condition holds: True, False or Unknown.'),
      type: str('The kind of condition, e.g. Ready or MemoryPressure.'),
    },
    { required: ['status', 'type'] },
  ),
  [`${P}.NodeConfigSource`]: obj('Deprecated: a source of kubelet configuration.', {
    configMap: ref(`${P}.ConfigMapNodeConfigSource`, 'A ConfigMap holding the configuration.'),
  }),
  [`${P}.ConfigMapNodeConfigSource`]: obj(
    'Deprecated: a ConfigMap holding kubelet configuration.',
    {
      kubeletConfigKey: str('The key of the ConfigMap that holds the configuration.'),
      name: str("The ConfigMap's name."),
      namespace: str("The ConfigMap's namespace."),
      resourceVersion: str("The ConfigMap's resource version."),
      uid: str("The ConfigMap's UID."),
    },
    { required: ['kubeletConfigKey', 'name', 'namespace'] },
  ),
  [`${P}.NodeConfigStatus`]: obj('Deprecated: the state of dynamic kubelet configuration.', {
    active: ref(`${P}.NodeConfigSource`, 'The configuration in use.'),
    assigned: ref(`${P}.NodeConfigSource`, 'The configuration the node should use.'),
    error: str('A problem applying the configuration.'),
    lastKnownGood: ref(`${P}.NodeConfigSource`, 'The configuration used when the assigned one fails.'),
  }),
  [`${P}.NodeDaemonEndpoints`]: obj("Ports on which a node's daemons listen.", {
    kubeletEndpoint: ref(`${P}.DaemonEndpoint`, "The kubelet's endpoint."),
  }),
  [`${P}.DaemonEndpoint`]: obj(
    'The endpoint of a daemon.',
    {
      Port: int32('The port number.'),
    },
    { required: ['Port'] },
  ),
  [`${P}.ContainerImage`]: obj('A container image present on a node.', {
    names: arr(t.str, 'The names the image is known by.', atomic),
    sizeBytes: int64("The image's size in bytes."),
  }),
  [`${P}.NodeSystemInfo`]: obj(
    'Versions and IDs describing a node.',
    {
      architecture: str('The CPU architecture.'),
      bootID: str('The ID of the current boot.'),
      containerRuntimeVersion: str('The container runtime and its version, as <runtime>://<version>.'),
      kernelVersion: str('The kernel version (uname -r).'),
      kubeProxyVersion: str('Deprecated: the kube-proxy version; not reliable.'),
      kubeletVersion: str('The kubelet version.'),
      machineID: str('The machine ID.'),
      operatingSystem: str('The operating system.'),
      osImage: str('The operating system image.'),
      systemUUID: str('The system UUID.'),
    },
    {
      required: [
        'architecture',
        'bootID',
        'containerRuntimeVersion',
        'kernelVersion',
        'kubeProxyVersion',
        'kubeletVersion',
        'machineID',
        'operatingSystem',
        'osImage',
        'systemUUID',
      ],
    },
  ),
  [`${P}.NodeRuntimeHandler`]: obj('A runtime handler available on a node.', {
    features: ref(`${P}.NodeRuntimeHandlerFeatures`, 'What the handler supports.'),
    name: str("The handler's name; empty for the default handler."),
  }),
  [`${P}.NodeRuntimeHandlerFeatures`]: obj('What a runtime handler supports.', {
    recursiveReadOnlyMounts: bool('Whether recursive read-only mounts are supported.'),
  }),
  [`${P}.NodeFeatures`]: obj('Features a node supports.', {
    supplementalGroupsPolicy: bool("Whether the node honours the pod's supplementalGroupsPolicy."),
  }),
  [`${P}.AttachedVolume`]: obj(
    'A volume attached to a node.',
    {
      devicePath: str("Where the volume's device appears."),
      name: str("The volume's name."),
    },
    { required: ['devicePath', 'name'] },
  ),
};
