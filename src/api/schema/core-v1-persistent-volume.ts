// Persistent volumes, their claims, and the volume sources only persistent volumes use.
// Field names, types, formats and merge extensions follow Kubernetes v1.31; the descriptions are ours.
import type { Definitions } from './dsl.js';
import { str, int32, bool, ref, arr, map, mergeList, obj, t, LABEL_SELECTOR, TIME, QUANTITY } from './dsl.js';
import { kind, listOf, atomicStruct, atomic, P } from './core-v1-common.js';

export const persistentVolumeDefinitions: Definitions = {
  [`${P}.PersistentVolume`]: kind(
    'PersistentVolume',
    'A piece of storage in the cluster, provisioned by an administrator or dynamically.',
    {
      spec: ref(
        `${P}.PersistentVolumeSpec`,
        "The volume's properties, set by its provisioner or administrator.",
      ),
      status: ref(`${P}.PersistentVolumeStatus`, 'The observed state of the volume.'),
    },
  ),
  [`${P}.PersistentVolumeList`]: listOf('PersistentVolume'),
  [`${P}.PersistentVolumeSpec`]: obj(
    'The properties of a persistent volume; exactly one volume source is set.',
    {
      accessModes: arr(t.str, 'The ways the volume can be mounted.', atomic),
      awsElasticBlockStore: ref(`${P}.AWSElasticBlockStoreVolumeSource`, 'Deprecated: an AWS EBS disk.'),
      azureDisk: ref(`${P}.AzureDiskVolumeSource`, 'Deprecated: an Azure data disk.'),
      azureFile: ref(`${P}.AzureFilePersistentVolumeSource`, 'Deprecated: an Azure file share.'),
      capacity: map(t.ref(QUANTITY), "The volume's capacity, e.g. storage."),
      cephfs: ref(`${P}.CephFSPersistentVolumeSource`, 'A CephFS mount.'),
      cinder: ref(`${P}.CinderPersistentVolumeSource`, 'Deprecated: an OpenStack Cinder volume.'),
      claimRef: ref(`${P}.ObjectReference`, 'The claim this volume is bound to.'),
      csi: ref(`${P}.CSIPersistentVolumeSource`, 'A volume served by a CSI driver.'),
      fc: ref(`${P}.FCVolumeSource`, 'A Fibre Channel disk.'),
      flexVolume: ref(`${P}.FlexPersistentVolumeSource`, 'Deprecated: a volume from a FlexVolume plugin.'),
      flocker: ref(`${P}.FlockerVolumeSource`, 'Deprecated: a Flocker dataset.'),
      gcePersistentDisk: ref(`${P}.GCEPersistentDiskVolumeSource`, 'Deprecated: a GCE persistent disk.'),
      glusterfs: ref(`${P}.GlusterfsPersistentVolumeSource`, 'Deprecated: a GlusterFS mount.'),
      hostPath: ref(`${P}.HostPathVolumeSource`, 'A directory on the node; for single-node testing only.'),
      iscsi: ref(`${P}.ISCSIPersistentVolumeSource`, 'An iSCSI disk.'),
      local: ref(`${P}.LocalVolumeSource`, 'A local disk, partition or directory of one node.'),
      mountOptions: arr(t.str, 'Mount options used when the volume is mounted.', atomic),
      nfs: ref(`${P}.NFSVolumeSource`, 'An NFS share.'),
      nodeAffinity: ref(`${P}.VolumeNodeAffinity`, 'The nodes from which the volume can be reached.'),
      persistentVolumeReclaimPolicy: str(
        'What happens to the volume when its claim is released; dynamically provisioned volumes default to Delete.',
        { enum: ['Delete', 'Recycle', 'Retain'] },
      ),
      photonPersistentDisk: ref(
        `${P}.PhotonPersistentDiskVolumeSource`,
        'Deprecated: a Photon controller persistent disk.',
      ),
      portworxVolume: ref(`${P}.PortworxVolumeSource`, 'Deprecated: a Portworx volume.'),
      quobyte: ref(`${P}.QuobyteVolumeSource`, 'Deprecated: a Quobyte mount.'),
      rbd: ref(`${P}.RBDPersistentVolumeSource`, 'Deprecated: a Rados block device.'),
      scaleIO: ref(`${P}.ScaleIOPersistentVolumeSource`, 'Deprecated: a ScaleIO volume.'),
      storageClassName: str('The storage class the volume belongs to; empty means none.'),
      storageos: ref(`${P}.StorageOSPersistentVolumeSource`, 'Deprecated: a StorageOS volume.'),
      volumeAttributesClassName: str('The VolumeAttributesClass the volume belongs to.'),
      volumeMode: str('Whether the volume is a formatted filesystem (the default) or a raw block device.', {
        enum: ['Block', 'Filesystem'],
      }),
      vsphereVolume: ref(`${P}.VsphereVirtualDiskVolumeSource`, 'Deprecated: a vSphere virtual disk.'),
    },
  ),
  [`${P}.PersistentVolumeStatus`]: obj('The observed state of a persistent volume.', {
    lastPhaseTransitionTime: ref(TIME, 'When the volume last changed phase.'),
    message: str("A human-readable explanation of the volume's state."),
    phase: str('Where the volume is in its lifecycle.', {
      enum: ['Available', 'Bound', 'Failed', 'Pending', 'Released'],
    }),
    reason: str('A brief CamelCase reason for a failure.'),
  }),
  [`${P}.PersistentVolumeClaim`]: kind(
    'PersistentVolumeClaim',
    "A user's request for storage, bound to a persistent volume.",
    {
      spec: ref(`${P}.PersistentVolumeClaimSpec`, 'The storage requested.'),
      status: ref(`${P}.PersistentVolumeClaimStatus`, 'The observed state of the claim.'),
    },
  ),
  [`${P}.PersistentVolumeClaimList`]: listOf('PersistentVolumeClaim'),
  [`${P}.PersistentVolumeClaimSpec`]: obj('The storage a claim requests and how it is provisioned.', {
    accessModes: arr(t.str, 'The ways the volume must be mountable.', atomic),
    dataSource: ref(
      `${P}.TypedLocalObjectReference`,
      'An existing object (a snapshot or claim) whose contents the new volume starts with.',
    ),
    dataSourceRef: ref(
      `${P}.TypedObjectReference`,
      'Like dataSource, but may name any object of a populator, also in another namespace.',
    ),
    resources: ref(
      `${P}.VolumeResourceRequirements`,
      'The least (and at most) storage the volume must have.',
    ),
    selector: ref(LABEL_SELECTOR, 'A label query over the volumes that may be bound.'),
    storageClassName: str('The storage class the claim needs.'),
    volumeAttributesClassName: str('The VolumeAttributesClass the claim uses.'),
    volumeMode: str('Whether a filesystem (the default) or a raw block device is needed.', {
      enum: ['Block', 'Filesystem'],
    }),
    volumeName: str('The name of the volume bound to the claim.'),
  }),
  [`${P}.PersistentVolumeClaimStatus`]: obj('The observed state of a claim.', {
    accessModes: arr(t.str, 'The ways the bound volume can be mounted.', atomic),
    allocatedResourceStatuses: map(t.str, 'The state of resize operations, per resource.'),
    allocatedResources: map(
      t.ref(QUANTITY),
      'The resources allocated to the claim, which may exceed the request during a resize.',
    ),
    capacity: map(t.ref(QUANTITY), 'The capacity of the bound volume.'),
    conditions: mergeList(
      t.ref(`${P}.PersistentVolumeClaimCondition`),
      "The claim's current conditions, e.g. during a resize.",
      ['type'],
    ),
    currentVolumeAttributesClassName: str('The VolumeAttributesClass currently applied to the volume.'),
    modifyVolumeStatus: ref(
      `${P}.ModifyVolumeStatus`,
      'The state of an ongoing change of volume attributes.',
    ),
    phase: str('Where the claim is in its lifecycle.', { enum: ['Bound', 'Lost', 'Pending'] }),
  }),
  [`${P}.PersistentVolumeClaimCondition`]: obj(
    "One aspect of a claim's state.",
    {
      lastProbeTime: ref(TIME, 'When the condition was last checked.'),
      lastTransitionTime: ref(TIME, 'When the condition last changed status.'),
      message: str('A human-readable explanation of the last transition.'),
      reason: str('A brief CamelCase reason for the last transition.'),
      status: str('Whether the condition holds: True, False or Unknown.'),
      type: str('The kind of condition, e.g. Resizing.'),
    },
    { required: ['status', 'type'] },
  ),
  [`${P}.ModifyVolumeStatus`]: obj(
    "The state of a change of a volume's attributes class.",
    {
      status: str('The state of the change.', { enum: ['InProgress', 'Infeasible', 'Pending'] }),
      targetVolumeAttributesClassName: str('The VolumeAttributesClass being applied.'),
    },
    { required: ['status'] },
  ),
  [`${P}.VolumeResourceRequirements`]: obj('The storage resources a claim needs.', {
    limits: map(t.ref(QUANTITY), 'The most of each resource allowed.'),
    requests: map(t.ref(QUANTITY), 'The least of each resource needed.'),
  }),
  [`${P}.TypedLocalObjectReference`]: atomicStruct(
    obj(
      'An object in the same namespace, named with its kind and group.',
      {
        apiGroup: str("The object's API group; empty for the core group."),
        kind: str("The object's kind."),
        name: str("The object's name."),
      },
      { required: ['kind', 'name'] },
    ),
  ),
  [`${P}.TypedObjectReference`]: obj(
    'An object named with its kind, group and, optionally, namespace.',
    {
      apiGroup: str("The object's API group; empty for the core group."),
      kind: str("The object's kind."),
      name: str("The object's name."),
      namespace: str("The object's namespace; another namespace needs a ReferenceGrant there."),
    },
    { required: ['kind', 'name'] },
  ),
  [`${P}.VolumeNodeAffinity`]: obj('The nodes from which a volume can be reached.', {
    required: ref(`${P}.NodeSelector`, 'The node requirements that must hold.'),
  }),
  [`${P}.LocalVolumeSource`]: obj(
    'A local disk, partition or directory.',
    {
      fsType: str('The filesystem type of a block device; detected when unset.'),
      path: str('The path of the directory or device on the node.'),
    },
    { required: ['path'] },
  ),
  [`${P}.CSIPersistentVolumeSource`]: obj(
    'A volume served by a CSI driver.',
    {
      controllerExpandSecretRef: ref(
        `${P}.SecretReference`,
        'A Secret passed to ControllerExpandVolume calls.',
      ),
      controllerPublishSecretRef: ref(
        `${P}.SecretReference`,
        'A Secret passed to ControllerPublishVolume and ControllerUnpublishVolume calls.',
      ),
      driver: str("The CSI driver's name."),
      fsType: str('The filesystem type to mount.'),
      nodeExpandSecretRef: ref(`${P}.SecretReference`, 'A Secret passed to NodeExpandVolume calls.'),
      nodePublishSecretRef: ref(
        `${P}.SecretReference`,
        'A Secret passed to NodePublishVolume and NodeUnpublishVolume calls.',
      ),
      nodeStageSecretRef: ref(
        `${P}.SecretReference`,
        'A Secret passed to NodeStageVolume and NodeUnstageVolume calls.',
      ),
      readOnly: bool('Whether the volume is published read-only.'),
      volumeAttributes: map(t.str, 'Driver-specific properties of the volume.'),
      volumeHandle: str("The driver's ID of the volume."),
    },
    { required: ['driver', 'volumeHandle'] },
  ),
  [`${P}.SecretReference`]: atomicStruct(
    obj('A Secret named with its namespace.', {
      name: str("The Secret's name."),
      namespace: str("The Secret's namespace."),
    }),
  ),
  [`${P}.AzureFilePersistentVolumeSource`]: obj(
    'An Azure file share.',
    {
      readOnly: bool('Whether the volume is read-only.'),
      secretName: str('The Secret holding the storage account name and key.'),
      secretNamespace: str("The Secret's namespace; defaults to the pod's."),
      shareName: str("The share's name."),
    },
    { required: ['secretName', 'shareName'] },
  ),
  [`${P}.CephFSPersistentVolumeSource`]: obj(
    'A CephFS mount.',
    {
      monitors: arr(t.str, 'The Ceph monitors.', atomic),
      path: str('The path to mount; defaults to /.'),
      readOnly: bool('Whether the volume is read-only.'),
      secretFile: str('The keyring file of the user.'),
      secretRef: ref(`${P}.SecretReference`, "A Secret holding the user's authentication key."),
      user: str('The Rados user; defaults to admin.'),
    },
    { required: ['monitors'] },
  ),
  [`${P}.CinderPersistentVolumeSource`]: obj(
    'An OpenStack Cinder volume.',
    {
      fsType: str('The filesystem type to mount.'),
      readOnly: bool('Whether the volume is read-only.'),
      secretRef: ref(`${P}.SecretReference`, 'A Secret with parameters for connecting to OpenStack.'),
      volumeID: str("The Cinder volume's ID."),
    },
    { required: ['volumeID'] },
  ),
  [`${P}.FlexPersistentVolumeSource`]: obj(
    'A volume from a FlexVolume plugin.',
    {
      driver: str("The plugin's name."),
      fsType: str('The filesystem type to mount.'),
      options: map(t.str, 'Extra plugin options.'),
      readOnly: bool('Whether the volume is read-only.'),
      secretRef: ref(`${P}.SecretReference`, 'A Secret passed to the plugin.'),
    },
    { required: ['driver'] },
  ),
  [`${P}.GlusterfsPersistentVolumeSource`]: obj(
    'A GlusterFS mount.',
    {
      endpoints: str('The Endpoints object listing the Glusterfs servers.'),
      endpointsNamespace: str('The namespace of the Endpoints object.'),
      path: str('The Glusterfs volume path.'),
      readOnly: bool('Whether the volume is read-only.'),
    },
    { required: ['endpoints', 'path'] },
  ),
  [`${P}.ISCSIPersistentVolumeSource`]: obj(
    'An iSCSI disk.',
    {
      chapAuthDiscovery: bool('Whether iSCSI discovery uses CHAP authentication.'),
      chapAuthSession: bool('Whether the iSCSI session uses CHAP authentication.'),
      fsType: str('The filesystem type to mount.'),
      initiatorName: str('A custom initiator name.'),
      iqn: str("The target's iSCSI qualified name."),
      iscsiInterface: str('The iSCSI interface; defaults to default (tcp).'),
      lun: int32("The target's logical unit number."),
      portals: arr(t.str, 'Further target portals, as ip:port.', atomic),
      readOnly: bool('Whether the volume is read-only.'),
      secretRef: ref(`${P}.SecretReference`, 'A Secret with the CHAP credentials.'),
      targetPortal: str('The target portal, as ip:port.'),
    },
    { required: ['iqn', 'lun', 'targetPortal'] },
  ),
  [`${P}.RBDPersistentVolumeSource`]: obj(
    'A Rados block device.',
    {
      fsType: str('The filesystem type to mount.'),
      image: str("The Rados image's name."),
      keyring: str('The keyring file; defaults to /etc/ceph/keyring.'),
      monitors: arr(t.str, 'The Ceph monitors.', atomic),
      pool: str('The Rados pool; defaults to rbd.'),
      readOnly: bool('Whether the volume is read-only.'),
      secretRef: ref(`${P}.SecretReference`, "A Secret with the user's authentication key."),
      user: str('The Rados user; defaults to admin.'),
    },
    { required: ['image', 'monitors'] },
  ),
  [`${P}.ScaleIOPersistentVolumeSource`]: obj(
    'A ScaleIO volume.',
    {
      fsType: str('The filesystem type to mount; defaults to xfs.'),
      gateway: str("The ScaleIO API gateway's address."),
      protectionDomain: str('The protection domain of the storage.'),
      readOnly: bool('Whether the volume is read-only.'),
      secretRef: ref(`${P}.SecretReference`, "A Secret with the ScaleIO user's credentials."),
      sslEnabled: bool('Whether the gateway is reached over SSL.'),
      storageMode: str('ThickProvisioned or ThinProvisioned (the default).'),
      storagePool: str('The storage pool of the protection domain.'),
      system: str("The storage system's name."),
      volumeName: str('The name of an existing ScaleIO volume.'),
    },
    { required: ['gateway', 'secretRef', 'system'] },
  ),
  [`${P}.StorageOSPersistentVolumeSource`]: obj('A StorageOS volume.', {
    fsType: str('The filesystem type to mount.'),
    readOnly: bool('Whether the volume is read-only.'),
    secretRef: ref(`${P}.ObjectReference`, 'A Secret with the StorageOS API credentials.'),
    volumeName: str("The volume's name within its namespace."),
    volumeNamespace: str('The StorageOS namespace of the volume.'),
  }),
};
