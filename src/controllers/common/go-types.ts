// The Go shapes of a v1.PodTemplateSpec (k8s.io/api v0.31), field by field in struct order,
// as far as the pod-template hash needs them. Upstream hashes the template by printing the Go
// value with go-spew (%#v), so every struct on the path prints all its fields, nil or not:
// the field order and Go type names here decide the hash. Struct types never seen in a
// template are 'opaque': they print fine while nil, and make the hash refuse when set.
export type GoType =
  | { k: 'str' | 'int' | 'bool'; t: string }
  | { k: 'ptr'; to: GoType }
  | { k: 'slice'; of: GoType }
  | { k: 'map'; t?: string; key: GoType; val: GoType }
  | { k: 'struct'; t: string; fields: GoField[] }
  | { k: 'opaque'; t: string }
  | { k: 'quantity' | 'intstr' | 'time' };

/** [Go name, JSON name (undefined for an embedded struct), type] */
export type GoField = [string, string | undefined, GoType];

export function goTypeName(t: GoType): string {
  switch (t.k) {
    case 'ptr':
      return `*${goTypeName(t.to)}`;
    case 'slice':
      return `[]${goTypeName(t.of)}`;
    case 'map':
      return t.t ?? `map[${goTypeName(t.key)}]${goTypeName(t.val)}`;
    case 'quantity':
      return 'resource.Quantity';
    case 'intstr':
      return 'intstr.IntOrString';
    case 'time':
      return 'v1.Time';
    default:
      return t.t;
  }
}

const str = (t = 'string'): GoType => ({ k: 'str', t });
const int = (t: string): GoType => ({ k: 'int', t });
const bool: GoType = { k: 'bool', t: 'bool' };
const ptr = (to: GoType): GoType => ({ k: 'ptr', to });
const slice = (of: GoType): GoType => ({ k: 'slice', of });
const struct = (t: string, fields: GoField[]): GoType => ({ k: 'struct', t, fields });
const opaque = (name: string): GoType => ({ k: 'opaque', t: `v1.${name}` });
const s = str();
const v1s = (name: string) => str(`v1.${name}`);
const int32 = int('int32');
const int64 = int('int64');
const stringMap: GoType = { k: 'map', key: s, val: s };
const strings = slice(s);
const quantity: GoType = { k: 'quantity' };
const intstr: GoType = { k: 'intstr' };
const resourceList: GoType = { k: 'map', t: 'v1.ResourceList', key: v1s('ResourceName'), val: quantity };

const localRef = struct('v1.LocalObjectReference', [['Name', 'name', s]]);
const embedRef: GoField = ['LocalObjectReference', undefined, localRef];

const ownerReference = struct('v1.OwnerReference', [
  ['APIVersion', 'apiVersion', s],
  ['Kind', 'kind', s],
  ['Name', 'name', s],
  ['UID', 'uid', str('types.UID')],
  ['Controller', 'controller', ptr(bool)],
  ['BlockOwnerDeletion', 'blockOwnerDeletion', ptr(bool)],
]);

export const objectMeta = struct('v1.ObjectMeta', [
  ['Name', 'name', s],
  ['GenerateName', 'generateName', s],
  ['Namespace', 'namespace', s],
  ['SelfLink', 'selfLink', s],
  ['UID', 'uid', str('types.UID')],
  ['ResourceVersion', 'resourceVersion', s],
  ['Generation', 'generation', int64],
  ['CreationTimestamp', 'creationTimestamp', { k: 'time' }],
  ['DeletionTimestamp', 'deletionTimestamp', ptr({ k: 'time' })],
  ['DeletionGracePeriodSeconds', 'deletionGracePeriodSeconds', ptr(int64)],
  ['Labels', 'labels', stringMap],
  ['Annotations', 'annotations', stringMap],
  ['OwnerReferences', 'ownerReferences', slice(ownerReference)],
  ['Finalizers', 'finalizers', strings],
  ['ManagedFields', 'managedFields', slice(opaque('ManagedFieldsEntry'))],
]);

const labelSelector = struct('v1.LabelSelector', [
  ['MatchLabels', 'matchLabels', stringMap],
  [
    'MatchExpressions',
    'matchExpressions',
    slice(
      struct('v1.LabelSelectorRequirement', [
        ['Key', 'key', s],
        ['Operator', 'operator', v1s('LabelSelectorOperator')],
        ['Values', 'values', strings],
      ]),
    ),
  ],
]);

const objectFieldSelector = struct('v1.ObjectFieldSelector', [
  ['APIVersion', 'apiVersion', s],
  ['FieldPath', 'fieldPath', s],
]);
const resourceFieldSelector = struct('v1.ResourceFieldSelector', [
  ['ContainerName', 'containerName', s],
  ['Resource', 'resource', s],
  ['Divisor', 'divisor', quantity],
]);
const keySelector = (t: string) =>
  struct(t, [embedRef, ['Key', 'key', s], ['Optional', 'optional', ptr(bool)]]);
const envVar = struct('v1.EnvVar', [
  ['Name', 'name', s],
  ['Value', 'value', s],
  [
    'ValueFrom',
    'valueFrom',
    ptr(
      struct('v1.EnvVarSource', [
        ['FieldRef', 'fieldRef', ptr(objectFieldSelector)],
        ['ResourceFieldRef', 'resourceFieldRef', ptr(resourceFieldSelector)],
        ['ConfigMapKeyRef', 'configMapKeyRef', ptr(keySelector('v1.ConfigMapKeySelector'))],
        ['SecretKeyRef', 'secretKeyRef', ptr(keySelector('v1.SecretKeySelector'))],
      ]),
    ),
  ],
]);
const envSource = (t: string) => struct(t, [embedRef, ['Optional', 'optional', ptr(bool)]]);
const envFromSource = struct('v1.EnvFromSource', [
  ['Prefix', 'prefix', s],
  ['ConfigMapRef', 'configMapRef', ptr(envSource('v1.ConfigMapEnvSource'))],
  ['SecretRef', 'secretRef', ptr(envSource('v1.SecretEnvSource'))],
]);

const execAction = struct('v1.ExecAction', [['Command', 'command', strings]]);
const httpGet = struct('v1.HTTPGetAction', [
  ['Path', 'path', s],
  ['Port', 'port', intstr],
  ['Host', 'host', s],
  ['Scheme', 'scheme', v1s('URIScheme')],
  [
    'HTTPHeaders',
    'httpHeaders',
    slice(
      struct('v1.HTTPHeader', [
        ['Name', 'name', s],
        ['Value', 'value', s],
      ]),
    ),
  ],
]);
const tcpSocket = struct('v1.TCPSocketAction', [
  ['Port', 'port', intstr],
  ['Host', 'host', s],
]);
const probe = struct('v1.Probe', [
  [
    'ProbeHandler',
    undefined,
    struct('v1.ProbeHandler', [
      ['Exec', 'exec', ptr(execAction)],
      ['HTTPGet', 'httpGet', ptr(httpGet)],
      ['TCPSocket', 'tcpSocket', ptr(tcpSocket)],
      [
        'GRPC',
        'grpc',
        ptr(
          struct('v1.GRPCAction', [
            ['Port', 'port', int32],
            ['Service', 'service', ptr(s)],
          ]),
        ),
      ],
    ]),
  ],
  ['InitialDelaySeconds', 'initialDelaySeconds', int32],
  ['TimeoutSeconds', 'timeoutSeconds', int32],
  ['PeriodSeconds', 'periodSeconds', int32],
  ['SuccessThreshold', 'successThreshold', int32],
  ['FailureThreshold', 'failureThreshold', int32],
  ['TerminationGracePeriodSeconds', 'terminationGracePeriodSeconds', ptr(int64)],
]);
const lifecycleHandler = struct('v1.LifecycleHandler', [
  ['Exec', 'exec', ptr(execAction)],
  ['HTTPGet', 'httpGet', ptr(httpGet)],
  ['TCPSocket', 'tcpSocket', ptr(tcpSocket)],
  ['Sleep', 'sleep', ptr(struct('v1.SleepAction', [['Seconds', 'seconds', int64]]))],
]);

const seLinuxOptions = struct('v1.SELinuxOptions', [
  ['User', 'user', s],
  ['Role', 'role', s],
  ['Type', 'type', s],
  ['Level', 'level', s],
]);
const windowsOptions = struct('v1.WindowsSecurityContextOptions', [
  ['GMSACredentialSpecName', 'gmsaCredentialSpecName', ptr(s)],
  ['GMSACredentialSpec', 'gmsaCredentialSpec', ptr(s)],
  ['RunAsUserName', 'runAsUserName', ptr(s)],
  ['HostProcess', 'hostProcess', ptr(bool)],
]);
const seccompProfile = struct('v1.SeccompProfile', [
  ['Type', 'type', v1s('SeccompProfileType')],
  ['LocalhostProfile', 'localhostProfile', ptr(s)],
]);
const appArmorProfile = struct('v1.AppArmorProfile', [
  ['Type', 'type', v1s('AppArmorProfileType')],
  ['LocalhostProfile', 'localhostProfile', ptr(s)],
]);
const securityContext = struct('v1.SecurityContext', [
  [
    'Capabilities',
    'capabilities',
    ptr(
      struct('v1.Capabilities', [
        ['Add', 'add', slice(v1s('Capability'))],
        ['Drop', 'drop', slice(v1s('Capability'))],
      ]),
    ),
  ],
  ['Privileged', 'privileged', ptr(bool)],
  ['SELinuxOptions', 'seLinuxOptions', ptr(seLinuxOptions)],
  ['WindowsOptions', 'windowsOptions', ptr(windowsOptions)],
  ['RunAsUser', 'runAsUser', ptr(int64)],
  ['RunAsGroup', 'runAsGroup', ptr(int64)],
  ['RunAsNonRoot', 'runAsNonRoot', ptr(bool)],
  ['ReadOnlyRootFilesystem', 'readOnlyRootFilesystem', ptr(bool)],
  ['AllowPrivilegeEscalation', 'allowPrivilegeEscalation', ptr(bool)],
  ['ProcMount', 'procMount', ptr(v1s('ProcMountType'))],
  ['SeccompProfile', 'seccompProfile', ptr(seccompProfile)],
  ['AppArmorProfile', 'appArmorProfile', ptr(appArmorProfile)],
]);

export const podSecurityContextFields: GoField[] = [
  ['SELinuxOptions', 'seLinuxOptions', ptr(seLinuxOptions)],
  ['WindowsOptions', 'windowsOptions', ptr(windowsOptions)],
  ['RunAsUser', 'runAsUser', ptr(int64)],
  ['RunAsGroup', 'runAsGroup', ptr(int64)],
  ['RunAsNonRoot', 'runAsNonRoot', ptr(bool)],
  ['SupplementalGroups', 'supplementalGroups', slice(int64)],
  ['SupplementalGroupsPolicy', 'supplementalGroupsPolicy', ptr(v1s('SupplementalGroupsPolicy'))],
  ['FSGroup', 'fsGroup', ptr(int64)],
  [
    'Sysctls',
    'sysctls',
    slice(
      struct('v1.Sysctl', [
        ['Name', 'name', s],
        ['Value', 'value', s],
      ]),
    ),
  ],
  ['FSGroupChangePolicy', 'fsGroupChangePolicy', ptr(v1s('PodFSGroupChangePolicy'))],
  ['SeccompProfile', 'seccompProfile', ptr(seccompProfile)],
  ['AppArmorProfile', 'appArmorProfile', ptr(appArmorProfile)],
];

const containerPort = struct('v1.ContainerPort', [
  ['Name', 'name', s],
  ['HostPort', 'hostPort', int32],
  ['ContainerPort', 'containerPort', int32],
  ['Protocol', 'protocol', v1s('Protocol')],
  ['HostIP', 'hostIP', s],
]);
const resources = struct('v1.ResourceRequirements', [
  ['Limits', 'limits', resourceList],
  ['Requests', 'requests', resourceList],
  [
    'Claims',
    'claims',
    slice(
      struct('v1.ResourceClaim', [
        ['Name', 'name', s],
        ['Request', 'request', s],
      ]),
    ),
  ],
]);
const volumeMount = struct('v1.VolumeMount', [
  ['Name', 'name', s],
  ['ReadOnly', 'readOnly', bool],
  ['RecursiveReadOnly', 'recursiveReadOnly', ptr(v1s('RecursiveReadOnlyMode'))],
  ['MountPath', 'mountPath', s],
  ['SubPath', 'subPath', s],
  ['MountPropagation', 'mountPropagation', ptr(v1s('MountPropagationMode'))],
  ['SubPathExpr', 'subPathExpr', s],
]);

export const container = struct('v1.Container', [
  ['Name', 'name', s],
  ['Image', 'image', s],
  ['Command', 'command', strings],
  ['Args', 'args', strings],
  ['WorkingDir', 'workingDir', s],
  ['Ports', 'ports', slice(containerPort)],
  ['EnvFrom', 'envFrom', slice(envFromSource)],
  ['Env', 'env', slice(envVar)],
  ['Resources', 'resources', resources],
  [
    'ResizePolicy',
    'resizePolicy',
    slice(
      struct('v1.ContainerResizePolicy', [
        ['ResourceName', 'resourceName', v1s('ResourceName')],
        ['RestartPolicy', 'restartPolicy', v1s('ResourceResizeRestartPolicy')],
      ]),
    ),
  ],
  ['RestartPolicy', 'restartPolicy', ptr(v1s('ContainerRestartPolicy'))],
  ['VolumeMounts', 'volumeMounts', slice(volumeMount)],
  [
    'VolumeDevices',
    'volumeDevices',
    slice(
      struct('v1.VolumeDevice', [
        ['Name', 'name', s],
        ['DevicePath', 'devicePath', s],
      ]),
    ),
  ],
  ['LivenessProbe', 'livenessProbe', ptr(probe)],
  ['ReadinessProbe', 'readinessProbe', ptr(probe)],
  ['StartupProbe', 'startupProbe', ptr(probe)],
  [
    'Lifecycle',
    'lifecycle',
    ptr(
      struct('v1.Lifecycle', [
        ['PostStart', 'postStart', ptr(lifecycleHandler)],
        ['PreStop', 'preStop', ptr(lifecycleHandler)],
      ]),
    ),
  ],
  ['TerminationMessagePath', 'terminationMessagePath', s],
  ['TerminationMessagePolicy', 'terminationMessagePolicy', v1s('TerminationMessagePolicy')],
  ['ImagePullPolicy', 'imagePullPolicy', v1s('PullPolicy')],
  ['SecurityContext', 'securityContext', ptr(securityContext)],
  ['Stdin', 'stdin', bool],
  ['StdinOnce', 'stdinOnce', bool],
  ['TTY', 'tty', bool],
]);

const keyToPath = struct('v1.KeyToPath', [
  ['Key', 'key', s],
  ['Path', 'path', s],
  ['Mode', 'mode', ptr(int32)],
]);
/** VolumeSource's members in order; the common ones are spelled out. */
const volumeSource = struct('v1.VolumeSource', [
  [
    'HostPath',
    'hostPath',
    ptr(
      struct('v1.HostPathVolumeSource', [
        ['Path', 'path', s],
        ['Type', 'type', ptr(v1s('HostPathType'))],
      ]),
    ),
  ],
  [
    'EmptyDir',
    'emptyDir',
    ptr(
      struct('v1.EmptyDirVolumeSource', [
        ['Medium', 'medium', v1s('StorageMedium')],
        ['SizeLimit', 'sizeLimit', ptr(quantity)],
      ]),
    ),
  ],
  ['GCEPersistentDisk', 'gcePersistentDisk', ptr(opaque('GCEPersistentDiskVolumeSource'))],
  ['AWSElasticBlockStore', 'awsElasticBlockStore', ptr(opaque('AWSElasticBlockStoreVolumeSource'))],
  ['GitRepo', 'gitRepo', ptr(opaque('GitRepoVolumeSource'))],
  [
    'Secret',
    'secret',
    ptr(
      struct('v1.SecretVolumeSource', [
        ['SecretName', 'secretName', s],
        ['Items', 'items', slice(keyToPath)],
        ['DefaultMode', 'defaultMode', ptr(int32)],
        ['Optional', 'optional', ptr(bool)],
      ]),
    ),
  ],
  ['NFS', 'nfs', ptr(opaque('NFSVolumeSource'))],
  ['ISCSI', 'iscsi', ptr(opaque('ISCSIVolumeSource'))],
  ['Glusterfs', 'glusterfs', ptr(opaque('GlusterfsVolumeSource'))],
  [
    'PersistentVolumeClaim',
    'persistentVolumeClaim',
    ptr(
      struct('v1.PersistentVolumeClaimVolumeSource', [
        ['ClaimName', 'claimName', s],
        ['ReadOnly', 'readOnly', bool],
      ]),
    ),
  ],
  ['RBD', 'rbd', ptr(opaque('RBDVolumeSource'))],
  ['FlexVolume', 'flexVolume', ptr(opaque('FlexVolumeSource'))],
  ['Cinder', 'cinder', ptr(opaque('CinderVolumeSource'))],
  ['CephFS', 'cephfs', ptr(opaque('CephFSVolumeSource'))],
  ['Flocker', 'flocker', ptr(opaque('FlockerVolumeSource'))],
  ['DownwardAPI', 'downwardAPI', ptr(opaque('DownwardAPIVolumeSource'))],
  ['FC', 'fc', ptr(opaque('FCVolumeSource'))],
  ['AzureFile', 'azureFile', ptr(opaque('AzureFileVolumeSource'))],
  [
    'ConfigMap',
    'configMap',
    ptr(
      struct('v1.ConfigMapVolumeSource', [
        embedRef,
        ['Items', 'items', slice(keyToPath)],
        ['DefaultMode', 'defaultMode', ptr(int32)],
        ['Optional', 'optional', ptr(bool)],
      ]),
    ),
  ],
  ['VsphereVolume', 'vsphereVolume', ptr(opaque('VsphereVirtualDiskVolumeSource'))],
  ['Quobyte', 'quobyte', ptr(opaque('QuobyteVolumeSource'))],
  ['AzureDisk', 'azureDisk', ptr(opaque('AzureDiskVolumeSource'))],
  ['PhotonPersistentDisk', 'photonPersistentDisk', ptr(opaque('PhotonPersistentDiskVolumeSource'))],
  ['Projected', 'projected', ptr(opaque('ProjectedVolumeSource'))],
  ['PortworxVolume', 'portworxVolume', ptr(opaque('PortworxVolumeSource'))],
  ['ScaleIO', 'scaleIO', ptr(opaque('ScaleIOVolumeSource'))],
  ['StorageOS', 'storageos', ptr(opaque('StorageOSVolumeSource'))],
  ['CSI', 'csi', ptr(opaque('CSIVolumeSource'))],
  ['Ephemeral', 'ephemeral', ptr(opaque('EphemeralVolumeSource'))],
  ['Image', 'image', ptr(opaque('ImageVolumeSource'))],
]);

const nodeSelectorRequirement = struct('v1.NodeSelectorRequirement', [
  ['Key', 'key', s],
  ['Operator', 'operator', v1s('NodeSelectorOperator')],
  ['Values', 'values', strings],
]);
const nodeSelectorTerm = struct('v1.NodeSelectorTerm', [
  ['MatchExpressions', 'matchExpressions', slice(nodeSelectorRequirement)],
  ['MatchFields', 'matchFields', slice(nodeSelectorRequirement)],
]);
const podAffinityTerm = struct('v1.PodAffinityTerm', [
  ['LabelSelector', 'labelSelector', ptr(labelSelector)],
  ['Namespaces', 'namespaces', strings],
  ['TopologyKey', 'topologyKey', s],
  ['NamespaceSelector', 'namespaceSelector', ptr(labelSelector)],
  ['MatchLabelKeys', 'matchLabelKeys', strings],
  ['MismatchLabelKeys', 'mismatchLabelKeys', strings],
]);
const weightedPodAffinityTerm = struct('v1.WeightedPodAffinityTerm', [
  ['Weight', 'weight', int32],
  ['PodAffinityTerm', 'podAffinityTerm', podAffinityTerm],
]);
const podAffinity = (t: string) =>
  struct(t, [
    [
      'RequiredDuringSchedulingIgnoredDuringExecution',
      'requiredDuringSchedulingIgnoredDuringExecution',
      slice(podAffinityTerm),
    ],
    [
      'PreferredDuringSchedulingIgnoredDuringExecution',
      'preferredDuringSchedulingIgnoredDuringExecution',
      slice(weightedPodAffinityTerm),
    ],
  ]);
const affinity = struct('v1.Affinity', [
  [
    'NodeAffinity',
    'nodeAffinity',
    ptr(
      struct('v1.NodeAffinity', [
        [
          'RequiredDuringSchedulingIgnoredDuringExecution',
          'requiredDuringSchedulingIgnoredDuringExecution',
          ptr(
            struct('v1.NodeSelector', [['NodeSelectorTerms', 'nodeSelectorTerms', slice(nodeSelectorTerm)]]),
          ),
        ],
        [
          'PreferredDuringSchedulingIgnoredDuringExecution',
          'preferredDuringSchedulingIgnoredDuringExecution',
          slice(
            struct('v1.PreferredSchedulingTerm', [
              ['Weight', 'weight', int32],
              ['Preference', 'preference', nodeSelectorTerm],
            ]),
          ),
        ],
      ]),
    ),
  ],
  ['PodAffinity', 'podAffinity', ptr(podAffinity('v1.PodAffinity'))],
  ['PodAntiAffinity', 'podAntiAffinity', ptr(podAffinity('v1.PodAntiAffinity'))],
]);

export const podSpec = struct('v1.PodSpec', [
  [
    'Volumes',
    'volumes',
    slice(
      struct('v1.Volume', [
        ['Name', 'name', s],
        ['VolumeSource', undefined, volumeSource],
      ]),
    ),
  ],
  ['InitContainers', 'initContainers', slice(container)],
  ['Containers', 'containers', slice(container)],
  ['EphemeralContainers', 'ephemeralContainers', slice(opaque('EphemeralContainer'))],
  ['RestartPolicy', 'restartPolicy', v1s('RestartPolicy')],
  ['TerminationGracePeriodSeconds', 'terminationGracePeriodSeconds', ptr(int64)],
  ['ActiveDeadlineSeconds', 'activeDeadlineSeconds', ptr(int64)],
  ['DNSPolicy', 'dnsPolicy', v1s('DNSPolicy')],
  ['NodeSelector', 'nodeSelector', stringMap],
  ['ServiceAccountName', 'serviceAccountName', s],
  ['DeprecatedServiceAccount', 'serviceAccount', s],
  ['AutomountServiceAccountToken', 'automountServiceAccountToken', ptr(bool)],
  ['NodeName', 'nodeName', s],
  ['HostNetwork', 'hostNetwork', bool],
  ['HostPID', 'hostPID', bool],
  ['HostIPC', 'hostIPC', bool],
  ['ShareProcessNamespace', 'shareProcessNamespace', ptr(bool)],
  ['SecurityContext', 'securityContext', ptr(struct('v1.PodSecurityContext', podSecurityContextFields))],
  ['ImagePullSecrets', 'imagePullSecrets', slice(localRef)],
  ['Hostname', 'hostname', s],
  ['Subdomain', 'subdomain', s],
  ['Affinity', 'affinity', ptr(affinity)],
  ['SchedulerName', 'schedulerName', s],
  [
    'Tolerations',
    'tolerations',
    slice(
      struct('v1.Toleration', [
        ['Key', 'key', s],
        ['Operator', 'operator', v1s('TolerationOperator')],
        ['Value', 'value', s],
        ['Effect', 'effect', v1s('TaintEffect')],
        ['TolerationSeconds', 'tolerationSeconds', ptr(int64)],
      ]),
    ),
  ],
  [
    'HostAliases',
    'hostAliases',
    slice(
      struct('v1.HostAlias', [
        ['IP', 'ip', s],
        ['Hostnames', 'hostnames', strings],
      ]),
    ),
  ],
  ['PriorityClassName', 'priorityClassName', s],
  ['Priority', 'priority', ptr(int32)],
  [
    'DNSConfig',
    'dnsConfig',
    ptr(
      struct('v1.PodDNSConfig', [
        ['Nameservers', 'nameservers', strings],
        ['Searches', 'searches', strings],
        [
          'Options',
          'options',
          slice(
            struct('v1.PodDNSConfigOption', [
              ['Name', 'name', s],
              ['Value', 'value', ptr(s)],
            ]),
          ),
        ],
      ]),
    ),
  ],
  [
    'ReadinessGates',
    'readinessGates',
    slice(struct('v1.PodReadinessGate', [['ConditionType', 'conditionType', v1s('PodConditionType')]])),
  ],
  ['RuntimeClassName', 'runtimeClassName', ptr(s)],
  ['EnableServiceLinks', 'enableServiceLinks', ptr(bool)],
  ['PreemptionPolicy', 'preemptionPolicy', ptr(v1s('PreemptionPolicy'))],
  ['Overhead', 'overhead', resourceList],
  [
    'TopologySpreadConstraints',
    'topologySpreadConstraints',
    slice(
      struct('v1.TopologySpreadConstraint', [
        ['MaxSkew', 'maxSkew', int32],
        ['TopologyKey', 'topologyKey', s],
        ['WhenUnsatisfiable', 'whenUnsatisfiable', v1s('UnsatisfiableConstraintAction')],
        ['LabelSelector', 'labelSelector', ptr(labelSelector)],
        ['MinDomains', 'minDomains', ptr(int32)],
        ['NodeAffinityPolicy', 'nodeAffinityPolicy', ptr(v1s('NodeInclusionPolicy'))],
        ['NodeTaintsPolicy', 'nodeTaintsPolicy', ptr(v1s('NodeInclusionPolicy'))],
        ['MatchLabelKeys', 'matchLabelKeys', strings],
      ]),
    ),
  ],
  ['SetHostnameAsFQDN', 'setHostnameAsFQDN', ptr(bool)],
  ['OS', 'os', ptr(struct('v1.PodOS', [['Name', 'name', v1s('OSName')]]))],
  ['HostUsers', 'hostUsers', ptr(bool)],
  ['SchedulingGates', 'schedulingGates', slice(struct('v1.PodSchedulingGate', [['Name', 'name', s]]))],
  ['ResourceClaims', 'resourceClaims', slice(opaque('PodResourceClaim'))],
]);

export const podTemplateSpec = struct('v1.PodTemplateSpec', [
  ['ObjectMeta', 'metadata', objectMeta],
  ['Spec', 'spec', podSpec],
]);

// v1.EndpointSubset: the endpoints controller orders ports and subsets by the MD5 of this
// rendering (pkg/api/v1/endpoints SortSubsets)
const objectReference = struct('v1.ObjectReference', [
  ['Kind', 'kind', s],
  ['Namespace', 'namespace', s],
  ['Name', 'name', s],
  ['UID', 'uid', str('types.UID')],
  ['APIVersion', 'apiVersion', s],
  ['ResourceVersion', 'resourceVersion', s],
  ['FieldPath', 'fieldPath', s],
]);
const endpointAddress = struct('v1.EndpointAddress', [
  ['IP', 'ip', s],
  ['Hostname', 'hostname', s],
  ['NodeName', 'nodeName', ptr(s)],
  ['TargetRef', 'targetRef', ptr(objectReference)],
]);
export const endpointPort = struct('v1.EndpointPort', [
  ['Name', 'name', s],
  ['Port', 'port', int32],
  ['Protocol', 'protocol', v1s('Protocol')],
  ['AppProtocol', 'appProtocol', ptr(s)],
]);
export const endpointSubset = struct('v1.EndpointSubset', [
  ['Addresses', 'addresses', slice(endpointAddress)],
  ['NotReadyAddresses', 'notReadyAddresses', slice(endpointAddress)],
  ['Ports', 'ports', slice(endpointPort)],
]);
