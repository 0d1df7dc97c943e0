// Volume sources backed by network or cloud storage that a pod can use directly.
// Field names, types, formats and merge extensions follow Kubernetes v1.31; the descriptions are ours.
import type { Definitions } from './dsl.js';
import { str, int32, bool, ref, arr, map, obj, t } from './dsl.js';
import { atomic, P } from './core-v1-common.js';

export const volumeSourceDefinitions: Definitions = {
  [`${P}.CSIVolumeSource`]: obj(
    'An inline volume served by a CSI driver.',
    {
      driver: str("The CSI driver's name."),
      fsType: str('The filesystem type to mount.'),
      nodePublishSecretRef: ref(
        `${P}.LocalObjectReference`,
        "A Secret passed to the driver's publish calls.",
      ),
      readOnly: bool('Whether the volume is read-only.'),
      volumeAttributes: map(t.str, 'Driver-specific properties.'),
    },
    { required: ['driver'] },
  ),
  [`${P}.AWSElasticBlockStoreVolumeSource`]: obj(
    'An AWS EBS disk.',
    {
      fsType: str('The filesystem type to mount.'),
      partition: int32('The partition to mount; 0 or unset mounts the whole disk.'),
      readOnly: bool('Whether the volume is read-only.'),
      volumeID: str("The EBS volume's ID."),
    },
    { required: ['volumeID'] },
  ),
  [`${P}.AzureDiskVolumeSource`]: obj(
    'An Azure data disk.',
    {
      cachingMode: str('Host caching: None, ReadOnly or ReadWrite.', {
        enum: ['None', 'ReadOnly', 'ReadWrite'],
      }),
      diskName: str("The data disk's name in the blob storage."),
      diskURI: str("The data disk's URI in the blob storage."),
      fsType: str('The filesystem type to mount.'),
      kind: str('The disk kind: Shared, Dedicated or Managed (the default).', {
        enum: ['Dedicated', 'Managed', 'Shared'],
      }),
      readOnly: bool('Whether the volume is read-only.'),
    },
    { required: ['diskName', 'diskURI'] },
  ),
  [`${P}.AzureFileVolumeSource`]: obj(
    'An Azure file share.',
    {
      readOnly: bool('Whether the volume is read-only.'),
      secretName: str('The Secret holding the storage account name and key.'),
      shareName: str("The share's name."),
    },
    { required: ['secretName', 'shareName'] },
  ),
  [`${P}.CephFSVolumeSource`]: obj(
    'A CephFS mount.',
    {
      monitors: arr(t.str, 'The Ceph monitors.', atomic),
      path: str('The path to mount; defaults to /.'),
      readOnly: bool('Whether the volume is read-only.'),
      secretFile: str('The keyring file of the user; defaults to /etc/ceph/user.secret.'),
      secretRef: ref(`${P}.LocalObjectReference`, "A Secret holding the user's authentication key."),
      user: str('The Rados user; defaults to admin.'),
    },
    { required: ['monitors'] },
  ),
  [`${P}.CinderVolumeSource`]: obj(
    'An OpenStack Cinder volume.',
    {
      fsType: str('The filesystem type to mount.'),
      readOnly: bool('Whether the volume is read-only.'),
      secretRef: ref(`${P}.LocalObjectReference`, 'A Secret with parameters for connecting to OpenStack.'),
      volumeID: str("The Cinder volume's ID."),
    },
    { required: ['volumeID'] },
  ),
  [`${P}.FCVolumeSource`]: obj('A Fibre Channel disk.', {
    fsType: str('The filesystem type to mount.'),
    lun: int32("The target's logical unit number."),
    readOnly: bool('Whether the volume is read-only.'),
    targetWWNs: arr(t.str, 'The target world wide names.', atomic),
    wwids: arr(t.str, "The volume's world wide identifiers; used instead of targetWWNs and lun.", atomic),
  }),
  [`${P}.FlexVolumeSource`]: obj(
    'A volume from a FlexVolume plugin.',
    {
      driver: str("The plugin's name."),
      fsType: str('The filesystem type to mount.'),
      options: map(t.str, 'Extra plugin options.'),
      readOnly: bool('Whether the volume is read-only.'),
      secretRef: ref(`${P}.LocalObjectReference`, 'A Secret passed to the plugin.'),
    },
    { required: ['driver'] },
  ),
  [`${P}.FlockerVolumeSource`]: obj('A Flocker dataset.', {
    datasetName: str("The dataset's name."),
    datasetUUID: str("The dataset's UUID."),
  }),
  [`${P}.GCEPersistentDiskVolumeSource`]: obj(
    'A GCE persistent disk.',
    {
      fsType: str('The filesystem type to mount.'),
      partition: int32('The partition to mount; 0 or unset mounts the whole disk.'),
      pdName: str("The disk's name in GCE."),
      readOnly: bool('Whether the volume is read-only.'),
    },
    { required: ['pdName'] },
  ),
  [`${P}.GitRepoVolumeSource`]: obj(
    'A git repository cloned into a directory.',
    {
      directory: str("The target directory; '.' clones into the volume's root."),
      repository: str('The repository URL.'),
      revision: str('The commit to check out.'),
    },
    { required: ['repository'] },
  ),
  [`${P}.GlusterfsVolumeSource`]: obj(
    'A GlusterFS mount.',
    {
      endpoints: str('The Endpoints object listing the Glusterfs servers.'),
      path: str('The Glusterfs volume path.'),
      readOnly: bool('Whether the volume is read-only.'),
    },
    { required: ['endpoints', 'path'] },
  ),
  [`${P}.ISCSIVolumeSource`]: obj(
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
      secretRef: ref(`${P}.LocalObjectReference`, 'A Secret with the CHAP credentials.'),
      targetPortal: str('The target portal, as ip:port.'),
    },
    { required: ['iqn', 'lun', 'targetPortal'] },
  ),
  [`${P}.NFSVolumeSource`]: obj(
    'An NFS share.',
    {
      path: str('The exported path.'),
      readOnly: bool('Whether the share is mounted read-only.'),
      server: str("The NFS server's host name or IP address."),
    },
    { required: ['path', 'server'] },
  ),
  [`${P}.PhotonPersistentDiskVolumeSource`]: obj(
    'A Photon controller persistent disk.',
    {
      fsType: str('The filesystem type to mount.'),
      pdID: str("The disk's ID."),
    },
    { required: ['pdID'] },
  ),
  [`${P}.PortworxVolumeSource`]: obj(
    'A Portworx volume.',
    {
      fsType: str('The filesystem type to mount.'),
      readOnly: bool('Whether the volume is read-only.'),
      volumeID: str("The volume's ID."),
    },
    { required: ['volumeID'] },
  ),
  [`${P}.QuobyteVolumeSource`]: obj(
    'A Quobyte mount.',
    {
      group: str('The group to map volume access to.'),
      readOnly: bool('Whether the volume is read-only.'),
      registry: str('The Quobyte registries, as host:port pairs separated by commas.'),
      tenant: str('The tenant owning the volume in the backend.'),
      user: str('The user to map volume access to.'),
      volume: str('The name of an existing Quobyte volume.'),
    },
    { required: ['registry', 'volume'] },
  ),
  [`${P}.RBDVolumeSource`]: obj(
    'A Rados block device.',
    {
      fsType: str('The filesystem type to mount.'),
      image: str("The Rados image's name."),
      keyring: str('The keyring file; defaults to /etc/ceph/keyring.'),
      monitors: arr(t.str, 'The Ceph monitors.', atomic),
      pool: str('The Rados pool; defaults to rbd.'),
      readOnly: bool('Whether the volume is read-only.'),
      secretRef: ref(`${P}.LocalObjectReference`, "A Secret with the user's authentication key."),
      user: str('The Rados user; defaults to admin.'),
    },
    { required: ['image', 'monitors'] },
  ),
  [`${P}.ScaleIOVolumeSource`]: obj(
    'A ScaleIO volume.',
    {
      fsType: str('The filesystem type to mount; defaults to xfs.'),
      gateway: str("The ScaleIO API gateway's address."),
      protectionDomain: str('The protection domain of the storage.'),
      readOnly: bool('Whether the volume is read-only.'),
      secretRef: ref(`${P}.LocalObjectReference`, "A Secret with the ScaleIO user's credentials."),
      sslEnabled: bool('Whether the gateway is reached over SSL.'),
      storageMode: str('ThickProvisioned or ThinProvisioned (the default).'),
      storagePool: str('The storage pool of the protection domain.'),
      system: str("The storage system's name."),
      volumeName: str('The name of an existing ScaleIO volume.'),
    },
    { required: ['gateway', 'secretRef', 'system'] },
  ),
  [`${P}.StorageOSVolumeSource`]: obj('A StorageOS volume.', {
    fsType: str('The filesystem type to mount.'),
    readOnly: bool('Whether the volume is read-only.'),
    secretRef: ref(`${P}.LocalObjectReference`, 'A Secret with the StorageOS API credentials.'),
    volumeName: str("The volume's name within its namespace."),
    volumeNamespace: str("The StorageOS namespace of the volume; defaults to the pod's namespace."),
  }),
  [`${P}.VsphereVirtualDiskVolumeSource`]: obj(
    'A vSphere virtual disk.',
    {
      fsType: str('The filesystem type to mount.'),
      storagePolicyID: str('The ID of the storage policy.'),
      storagePolicyName: str('The name of the storage policy.'),
      volumePath: str('The path identifying the vSphere volume.'),
    },
    { required: ['volumePath'] },
  ),
};
