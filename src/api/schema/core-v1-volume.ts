// Pod volumes and their sources, including projections of secrets, config maps and tokens.
// Field names, types, formats and merge extensions follow Kubernetes v1.31; the descriptions are ours.
import type { Definitions } from './dsl.js';
import { str, int32, int64, bool, ref, arr, obj, t, OBJECT_META, LABEL_SELECTOR, QUANTITY } from './dsl.js';
import { atomic, P } from './core-v1-common.js';

export const volumeDefinitions: Definitions = {
  [`${P}.Volume`]: obj(
    "A named volume that the pod's containers can mount; exactly one source is set.",
    {
      awsElasticBlockStore: ref(
        `${P}.AWSElasticBlockStoreVolumeSource`,
        'Deprecated: an AWS EBS disk; use the CSI driver instead.',
      ),
      azureDisk: ref(
        `${P}.AzureDiskVolumeSource`,
        'Deprecated: an Azure data disk; use the CSI driver instead.',
      ),
      azureFile: ref(
        `${P}.AzureFileVolumeSource`,
        'Deprecated: an Azure file share; use the CSI driver instead.',
      ),
      cephfs: ref(`${P}.CephFSVolumeSource`, 'A CephFS mount.'),
      cinder: ref(
        `${P}.CinderVolumeSource`,
        'Deprecated: an OpenStack Cinder volume; use the CSI driver instead.',
      ),
      configMap: ref(`${P}.ConfigMapVolumeSource`, 'Files from a ConfigMap.'),
      csi: ref(`${P}.CSIVolumeSource`, 'An inline volume from a CSI driver.'),
      downwardAPI: ref(`${P}.DownwardAPIVolumeSource`, 'Files with information about the pod.'),
      emptyDir: ref(`${P}.EmptyDirVolumeSource`, 'A fresh directory that lives as long as the pod.'),
      ephemeral: ref(
        `${P}.EphemeralVolumeSource`,
        'A volume from a claim created for the pod and deleted with it.',
      ),
      fc: ref(`${P}.FCVolumeSource`, 'A Fibre Channel disk.'),
      flexVolume: ref(`${P}.FlexVolumeSource`, 'Deprecated: a volume from a FlexVolume plugin.'),
      flocker: ref(`${P}.FlockerVolumeSource`, 'Deprecated: a Flocker dataset.'),
      gcePersistentDisk: ref(
        `${P}.GCEPersistentDiskVolumeSource`,
        'Deprecated: a GCE persistent disk; use the CSI driver instead.',
      ),
      gitRepo: ref(`${P}.GitRepoVolumeSource`, 'Deprecated: a git repository cloned into a directory.'),
      glusterfs: ref(`${P}.GlusterfsVolumeSource`, 'Deprecated: a GlusterFS mount.'),
      hostPath: ref(`${P}.HostPathVolumeSource`, 'A file or directory of the node.'),
      image: ref(`${P}.ImageVolumeSource`, 'An OCI image or artifact mounted read-only.'),
      iscsi: ref(`${P}.ISCSIVolumeSource`, 'An iSCSI disk.'),
      name: str("The volume's name, unique within the pod, as a DNS label."),
      nfs: ref(`${P}.NFSVolumeSource`, 'An NFS share.'),
      persistentVolumeClaim: ref(
        `${P}.PersistentVolumeClaimVolumeSource`,
        "A persistent volume bound to a claim in the pod's namespace.",
      ),
      photonPersistentDisk: ref(
        `${P}.PhotonPersistentDiskVolumeSource`,
        'Deprecated: a Photon controller persistent disk.',
      ),
      portworxVolume: ref(`${P}.PortworxVolumeSource`, 'Deprecated: a Portworx volume.'),
      projected: ref(`${P}.ProjectedVolumeSource`, 'Several sources projected into one directory.'),
      quobyte: ref(`${P}.QuobyteVolumeSource`, 'Deprecated: a Quobyte mount.'),
      rbd: ref(`${P}.RBDVolumeSource`, 'Deprecated: a Rados block device.'),
      scaleIO: ref(`${P}.ScaleIOVolumeSource`, 'Deprecated: a ScaleIO volume.'),
      secret: ref(`${P}.SecretVolumeSource`, 'Files from a Secret.'),
      storageos: ref(`${P}.StorageOSVolumeSource`, 'Deprecated: a StorageOS volume.'),
      vsphereVolume: ref(
        `${P}.VsphereVirtualDiskVolumeSource`,
        'Deprecated: a vSphere volume; use the CSI driver instead.',
      ),
    },
    { required: ['name'] },
  ),
  [`${P}.EmptyDirVolumeSource`]: obj("A temporary directory that shares the pod's lifetime.", {
    medium: str("The storage medium: empty for the node's default, or Memory for a tmpfs."),
    sizeLimit: ref(QUANTITY, 'The most local storage the directory may use.'),
  }),
  [`${P}.HostPathVolumeSource`]: obj(
    "A path on the node's filesystem.",
    {
      path: str('The path on the node; a symbolic link is followed.'),
      type: str('What must exist at the path; empty skips the check.', {
        enum: [
          '',
          'BlockDevice',
          'CharDevice',
          'Directory',
          'DirectoryOrCreate',
          'File',
          'FileOrCreate',
          'Socket',
        ],
      }),
    },
    { required: ['path'] },
  ),
  [`${P}.ConfigMapVolumeSource`]: obj('A ConfigMap presented as files.', {
    defaultMode: int32('Permission bits of the created files; defaults to 0644.'),
    items: arr(
      t.ref(`${P}.KeyToPath`),
      'Which keys to present and at which paths; by default every key becomes a file.',
      atomic,
    ),
    name: str("The ConfigMap's name."),
    optional: bool('Whether the ConfigMap or its keys may be missing.'),
  }),
  [`${P}.SecretVolumeSource`]: obj('A Secret presented as files.', {
    defaultMode: int32('Permission bits of the created files; defaults to 0644.'),
    items: arr(
      t.ref(`${P}.KeyToPath`),
      'Which keys to present and at which paths; by default every key becomes a file.',
      atomic,
    ),
    optional: bool('Whether the Secret or its keys may be missing.'),
    secretName: str("The Secret's name, in the pod's namespace."),
  }),
  [`${P}.KeyToPath`]: obj(
    'A key presented as a file at a path.',
    {
      key: str('The key.'),
      mode: int32("Permission bits of this file; defaults to the volume's defaultMode."),
      path: str("The relative path of the file; must not contain '..'."),
    },
    { required: ['key', 'path'] },
  ),
  [`${P}.DownwardAPIVolumeSource`]: obj('Information about the pod presented as files.', {
    defaultMode: int32('Permission bits of the created files; defaults to 0644.'),
    items: arr(t.ref(`${P}.DownwardAPIVolumeFile`), 'The files to create.', atomic),
  }),
  [`${P}.DownwardAPIVolumeFile`]: obj(
    'One file with information about the pod.',
    {
      fieldRef: ref(
        `${P}.ObjectFieldSelector`,
        'A field of the pod; only annotations, labels, name, namespace and uid are supported.',
      ),
      mode: int32('Permission bits of this file.'),
      path: str('The relative path of the file.'),
      resourceFieldRef: ref(`${P}.ResourceFieldSelector`, 'A resource limit or request of a container.'),
    },
    { required: ['path'] },
  ),
  [`${P}.ProjectedVolumeSource`]: obj('Several sources presented in one directory.', {
    defaultMode: int32('Permission bits of the created files.'),
    sources: arr(t.ref(`${P}.VolumeProjection`), 'The sources to project.', atomic),
  }),
  [`${P}.VolumeProjection`]: obj('One source of a projected volume; exactly one field is set.', {
    clusterTrustBundle: ref(
      `${P}.ClusterTrustBundleProjection`,
      'Certificates from ClusterTrustBundle objects.',
    ),
    configMap: ref(`${P}.ConfigMapProjection`, 'Keys of a ConfigMap.'),
    downwardAPI: ref(`${P}.DownwardAPIProjection`, 'Information about the pod.'),
    secret: ref(`${P}.SecretProjection`, 'Keys of a Secret.'),
    serviceAccountToken: ref(`${P}.ServiceAccountTokenProjection`, "A token of the pod's service account."),
  }),
  [`${P}.ConfigMapProjection`]: obj('Keys of a ConfigMap projected into a volume.', {
    items: arr(t.ref(`${P}.KeyToPath`), 'Which keys to project and at which paths.', atomic),
    name: str("The ConfigMap's name."),
    optional: bool('Whether the ConfigMap or its keys may be missing.'),
  }),
  [`${P}.SecretProjection`]: obj('Keys of a Secret projected into a volume.', {
    items: arr(t.ref(`${P}.KeyToPath`), 'Which keys to project and at which paths.', atomic),
    name: str("The Secret's name."),
    optional: bool('Whether the Secret or its keys may be missing.'),
  }),
  [`${P}.DownwardAPIProjection`]: obj('Information about the pod projected into a volume.', {
    items: arr(t.ref(`${P}.DownwardAPIVolumeFile`), 'The files to create.', atomic),
  }),
  [`${P}.ServiceAccountTokenProjection`]: obj(
    'A service account token written to a file and refreshed by the kubelet.',
    {
      audience: str("The audience the token is meant for; defaults to the API server's."),
      expirationSeconds: int64(
        'The requested lifetime of the token; defaults to one hour, at least ten minutes.',
      ),
      path: str('The relative path of the token file.'),
    },
    { required: ['path'] },
  ),
  [`${P}.ClusterTrustBundleProjection`]: obj(
    'Certificates from ClusterTrustBundle objects written to one file.',
    {
      labelSelector: ref(
        LABEL_SELECTOR,
        'Selects the bundles of the signer whose certificates are included.',
      ),
      name: str('The name of a single bundle to include.'),
      optional: bool('Whether a missing bundle is tolerated.'),
      path: str('The relative path of the file.'),
      signerName: str('The signer whose bundles are selected.'),
    },
    { required: ['path'] },
  ),
  [`${P}.ImageVolumeSource`]: obj('An OCI image or artifact mounted as a read-only volume.', {
    pullPolicy: str('When the image is pulled; defaults to Always for :latest and IfNotPresent otherwise.', {
      enum: ['Always', 'IfNotPresent', 'Never'],
    }),
    reference: str('The image or artifact reference.'),
  }),
  [`${P}.PersistentVolumeClaimVolumeSource`]: obj(
    'A persistent volume claim used as a pod volume.',
    {
      claimName: str("The claim's name, in the pod's namespace."),
      readOnly: bool('Whether the volume is mounted read-only.'),
    },
    { required: ['claimName'] },
  ),
  [`${P}.EphemeralVolumeSource`]: obj('A claim created together with the pod and deleted with it.', {
    volumeClaimTemplate: ref(
      `${P}.PersistentVolumeClaimTemplate`,
      'The template of the claim; it is named <pod>-<volume>.',
    ),
  }),
  [`${P}.PersistentVolumeClaimTemplate`]: obj(
    'The template of a claim created for a pod.',
    {
      metadata: ref(OBJECT_META, 'Labels and annotations copied to the claim.'),
      spec: ref(`${P}.PersistentVolumeClaimSpec`, 'The spec of the claim.'),
    },
    { required: ['spec'] },
  ),
};
