// node.k8s.io/v1: RuntimeClass.
import type { Definitions } from './dsl.js';
import { LIST_META, OBJECT_META, QUANTITY, arr, map, obj, ref, str, t } from './dsl.js';

const P = 'io.k8s.api.node.v1';
const gvk = (kind: string) => [{ group: 'node.k8s.io', version: 'v1', kind }];

export const nodeV1Definitions: Definitions = {
  [`${P}.RuntimeClass`]: obj(
    'A container runtime configuration that pods can select by name.',
    {
      apiVersion: str('The versioned schema of this object, here node.k8s.io/v1.'),
      handler: str('The runtime handler in the CRI configuration that runs pods of this class; immutable.'),
      kind: str('The kind of this object, here RuntimeClass.'),
      metadata: ref(OBJECT_META, "The object's name, labels and other metadata."),
      overhead: ref(`${P}.Overhead`, 'Resources a pod of this class uses beyond its containers.'),
      scheduling: ref(`${P}.Scheduling`, 'Constrains pods of this class to nodes that support it.'),
    },
    { required: ['handler'], gvk: gvk('RuntimeClass') },
  ),
  [`${P}.RuntimeClassList`]: obj(
    'A list of RuntimeClass objects.',
    {
      apiVersion: str('The versioned schema of this list, here node.k8s.io/v1.'),
      items: arr(t.ref(`${P}.RuntimeClass`), 'The RuntimeClass objects.'),
      kind: str('The kind of this list, here RuntimeClassList.'),
      metadata: ref(LIST_META, 'Resource version and continuation token of the list.'),
    },
    { required: ['items'], gvk: gvk('RuntimeClassList') },
  ),
  [`${P}.Overhead`]: obj('Fixed resource overhead of running a pod with a runtime class.', {
    podFixed: map(t.ref(QUANTITY), 'Resources added to every pod of the class, e.g. cpu and memory.'),
  }),
  [`${P}.Scheduling`]: obj('Node constraints of a runtime class, merged into the pods that use it.', {
    nodeSelector: map(t.str, 'Labels a node must have to run pods of this class.', {
      'x-kubernetes-map-type': 'atomic',
    }),
    tolerations: arr(t.ref('io.k8s.api.core.v1.Toleration'), 'Tolerations added to pods of this class.', {
      'x-kubernetes-list-type': 'atomic',
    }),
  }),
};
