// storage.k8s.io/v1: StorageClass, CSIDriver, CSINode, VolumeAttachment, CSIStorageCapacity.
import type { Definition, Definitions, PropSchema } from './dsl.js';
import {
  LABEL_SELECTOR,
  LIST_META,
  OBJECT_META,
  QUANTITY,
  TIME,
  arr,
  bool,
  int32,
  int64,
  map,
  obj,
  ref,
  str,
  t,
} from './dsl.js';

const P = 'io.k8s.api.storage.v1';
const GROUP = 'storage.k8s.io';
const gvk = (kind: string) => [{ group: GROUP, version: 'v1', kind }];
const atomic = { 'x-kubernetes-list-type': 'atomic' } as const;

function topLevel(
  kind: string,
  description: string,
  props: Record<string, PropSchema>,
  required?: string[],
): Definition {
  return obj(
    description,
    {
      apiVersion: str(`The versioned schema of this object, here ${GROUP}/v1.`),
      kind: str(`The kind of this object, here ${kind}.`),
      metadata: ref(OBJECT_META, "The object's name, labels and other metadata."),
      ...props,
    },
    { required, gvk: gvk(kind) },
  );
}

function listOf(kind: string): Definition {
  return obj(
    `A list of ${kind} objects.`,
    {
      apiVersion: str(`The versioned schema of this list, here ${GROUP}/v1.`),
      items: arr(t.ref(`${P}.${kind}`), `The ${kind} objects.`),
      kind: str(`The kind of this list, here ${kind}List.`),
      metadata: ref(LIST_META, 'Resource version and continuation token of the list.'),
    },
    { required: ['items'], gvk: gvk(`${kind}List`) },
  );
}

export const storageV1Definitions: Definitions = {
  [`${P}.StorageClass`]: topLevel(
    'StorageClass',
    'A class of storage that persistent volumes can be provisioned from dynamically.',
    {
      allowVolumeExpansion: bool('Whether claims of this class may be resized upwards.'),
      allowedTopologies: arr(
        t.ref('io.k8s.api.core.v1.TopologySelectorTerm'),
        'Where volumes of this class may be provisioned; empty means anywhere.',
        atomic,
      ),
      mountOptions: arr(
        t.str,
        'Mount options given to volumes provisioned from this class, e.g. ro or soft.',
        atomic,
      ),
      parameters: map(t.str, 'Settings passed to the provisioner.'),
      provisioner: str('The name of the volume plugin that provisions volumes of this class.'),
      reclaimPolicy: str(
        'What happens to provisioned volumes when released: Delete (the default) or Retain.',
        {
          enum: ['Delete', 'Recycle', 'Retain'],
        },
      ),
      volumeBindingMode: str('When claims are bound: Immediate (the default) or WaitForFirstConsumer.', {
        enum: ['Immediate', 'WaitForFirstConsumer'],
      }),
    },
    ['provisioner'],
  ),
  [`${P}.StorageClassList`]: listOf('StorageClass'),

  [`${P}.CSIDriver`]: topLevel(
    'CSIDriver',
    'How Kubernetes should treat one CSI volume driver installed in the cluster.',
    { spec: ref(`${P}.CSIDriverSpec`, 'The behaviour of the driver.') },
    ['spec'],
  ),
  [`${P}.CSIDriverList`]: listOf('CSIDriver'),
  [`${P}.CSIDriverSpec`]: obj('Behaviour of a CSI driver.', {
    attachRequired: bool('Whether volumes need an attach step (ControllerPublishVolume) before mounting.'),
    fsGroupPolicy: str("Whether the driver supports changing volume ownership to the pod's fsGroup.", {
      enum: ['File', 'None', 'ReadWriteOnceWithFSType'],
    }),
    podInfoOnMount: bool('Whether the kubelet passes pod details to the driver when mounting.'),
    requiresRepublish: bool('Whether NodePublishVolume is called again periodically to refresh the volume.'),
    seLinuxMount: bool('Whether the driver supports the SELinux context mount option.'),
    storageCapacity: bool('Whether the scheduler takes reported storage capacity into account.'),
    tokenRequests: arr(
      t.ref(`${P}.TokenRequest`),
      'Service account tokens the kubelet passes to the driver when mounting.',
      atomic,
    ),
    volumeLifecycleModes: arr(
      t.str,
      'Persistent, Ephemeral, or both: the kinds of volumes the driver supports.',
      {
        'x-kubernetes-list-type': 'set',
      },
    ),
  }),
  [`${P}.TokenRequest`]: obj(
    'A service account token requested for a CSI driver.',
    {
      audience: str('The intended audience of the token.'),
      expirationSeconds: int64('How long the token is valid, in seconds.'),
    },
    { required: ['audience'] },
  ),

  [`${P}.CSINode`]: topLevel(
    'CSINode',
    'The CSI drivers installed on one node, named after the node.',
    { spec: ref(`${P}.CSINodeSpec`, 'The drivers on the node.') },
    ['spec'],
  ),
  [`${P}.CSINodeList`]: listOf('CSINode'),
  [`${P}.CSINodeSpec`]: obj(
    'The CSI drivers on a node.',
    {
      drivers: arr(t.ref(`${P}.CSINodeDriver`), 'One entry per driver registered on the node.', {
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    },
    { required: ['drivers'] },
  ),
  [`${P}.CSINodeDriver`]: obj(
    'One CSI driver registered on a node.',
    {
      allocatable: ref(`${P}.VolumeNodeResources`, 'Volume limits of the driver on this node.'),
      name: str('The name of the driver.'),
      nodeID: str('The identity of the node as the driver knows it.'),
      topologyKeys: arr(t.str, 'Node label keys the driver uses for topology.', atomic),
    },
    { required: ['name', 'nodeID'] },
  ),
  [`${P}.VolumeNodeResources`]: obj('Volume limits of a CSI driver on a node.', {
    count: int32('The most volumes of this driver the node can use; unset means no limit.'),
  }),

  [`${P}.VolumeAttachment`]: topLevel(
    'VolumeAttachment',
    'A request to attach or detach a volume to or from a node.',
    {
      spec: ref(`${P}.VolumeAttachmentSpec`, 'The volume, node and attacher.'),
      status: ref(`${P}.VolumeAttachmentStatus`, 'The outcome of attaching and detaching.'),
    },
    ['spec'],
  ),
  [`${P}.VolumeAttachmentList`]: listOf('VolumeAttachment'),
  [`${P}.VolumeAttachmentSpec`]: obj(
    'What to attach where.',
    {
      attacher: str('The name of the volume driver that attaches the volume.'),
      nodeName: str('The node the volume is attached to.'),
      source: ref(`${P}.VolumeAttachmentSource`, 'The volume to attach.'),
    },
    { required: ['attacher', 'source', 'nodeName'] },
  ),
  [`${P}.VolumeAttachmentSource`]: obj(
    'The volume of an attachment: a persistent volume or an inline spec.',
    {
      inlineVolumeSpec: ref(
        'io.k8s.api.core.v1.PersistentVolumeSpec',
        'An inline volume of a pod, translated to a persistent volume spec by CSI migration.',
      ),
      persistentVolumeName: str('The name of the persistent volume to attach.'),
    },
  ),
  [`${P}.VolumeAttachmentStatus`]: obj(
    'The outcome of an attachment.',
    {
      attachError: ref(`${P}.VolumeError`, 'The last error while attaching, if any.'),
      attached: bool('Whether the volume is attached.'),
      attachmentMetadata: map(t.str, 'Information returned by the attacher, passed on to mounting.'),
      detachError: ref(`${P}.VolumeError`, 'The last error while detaching, if any.'),
    },
    { required: ['attached'] },
  ),
  [`${P}.VolumeError`]: obj('An error met while attaching or detaching a volume.', {
    message: str('What went wrong.'),
    time: ref(TIME, 'When the error happened.'),
  }),

  [`${P}.CSIStorageCapacity`]: topLevel(
    'CSIStorageCapacity',
    'Storage a CSI driver reports as available for one storage class in one topology segment.',
    {
      capacity: ref(QUANTITY, 'Capacity available for new volumes.'),
      maximumVolumeSize: ref(QUANTITY, 'The largest volume that can currently be created.'),
      nodeTopology: ref(LABEL_SELECTOR, 'The nodes that can reach this storage.'),
      storageClassName: str('The storage class the capacity applies to.'),
    },
    ['storageClassName'],
  ),
  [`${P}.CSIStorageCapacityList`]: listOf('CSIStorageCapacity'),
};
