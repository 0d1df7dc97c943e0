// coordination.k8s.io/v1: Lease (leader election, node heartbeats).
import type { Definitions } from './dsl.js';
import { LIST_META, MICRO_TIME, OBJECT_META, arr, int32, obj, ref, str, t } from './dsl.js';

const P = 'io.k8s.api.coordination.v1';
const gvk = (kind: string) => [{ group: 'coordination.k8s.io', version: 'v1', kind }];

export const coordinationV1Definitions: Definitions = {
  [`${P}.Lease`]: obj(
    'A lease held by one holder at a time; used for leader election and node heartbeats.',
    {
      apiVersion: str('The versioned schema of this object, here coordination.k8s.io/v1.'),
      kind: str('The kind of this object, here Lease.'),
      metadata: ref(OBJECT_META, "The object's name, namespace, labels and other metadata."),
      spec: ref(`${P}.LeaseSpec`, 'Who holds the lease and until when.'),
    },
    { gvk: gvk('Lease') },
  ),
  [`${P}.LeaseList`]: obj(
    'A list of Lease objects.',
    {
      apiVersion: str('The versioned schema of this list, here coordination.k8s.io/v1.'),
      items: arr(t.ref(`${P}.Lease`), 'The Lease objects.'),
      kind: str('The kind of this list, here LeaseList.'),
      metadata: ref(LIST_META, 'Resource version and continuation token of the list.'),
    },
    { required: ['items'], gvk: gvk('LeaseList') },
  ),
  [`${P}.LeaseSpec`]: obj('The holder and timing of a lease.', {
    acquireTime: ref(MICRO_TIME, 'When the current holder acquired the lease.'),
    holderIdentity: str('The identity of the current holder.'),
    leaseDurationSeconds: int32('How long candidates wait after the last renewal before taking over.'),
    leaseTransitions: int32('How many times the lease has changed holders.'),
    preferredHolder: str('A holder the coordinated leader election asks the current holder to hand over to.'),
    renewTime: ref(MICRO_TIME, 'When the current holder last renewed the lease.'),
    strategy: str('How coordinated leader election picks the next holder, e.g. OldestEmulationVersion.'),
  }),
};
