// scheduling.k8s.io/v1: PriorityClass.
import type { Definitions } from './dsl.js';
import { LIST_META, OBJECT_META, arr, bool, int32, obj, ref, str, t } from './dsl.js';

const P = 'io.k8s.api.scheduling.v1';
const gvk = (kind: string) => [{ group: 'scheduling.k8s.io', version: 'v1', kind }];

export const schedulingV1Definitions: Definitions = {
  [`${P}.PriorityClass`]: obj(
    'Maps a priority class name to an integer priority that pods referring to it receive.',
    {
      apiVersion: str('The versioned schema of this object, here scheduling.k8s.io/v1.'),
      description: str('Free text saying when this class should be used.'),
      globalDefault: bool('Whether pods without a priority class get this one; only one class may set it.'),
      kind: str('The kind of this object, here PriorityClass.'),
      metadata: ref(OBJECT_META, "The object's name, labels and other metadata."),
      preemptionPolicy: str(
        'Whether pods of this class may preempt lower-priority pods: PreemptLowerPriority or Never.',
        {
          enum: ['Never', 'PreemptLowerPriority'],
        },
      ),
      value: int32('The priority; higher runs first. Values above one billion are reserved for the system.'),
    },
    { required: ['value'], gvk: gvk('PriorityClass') },
  ),
  [`${P}.PriorityClassList`]: obj(
    'A list of PriorityClass objects.',
    {
      apiVersion: str('The versioned schema of this list, here scheduling.k8s.io/v1.'),
      items: arr(t.ref(`${P}.PriorityClass`), 'The PriorityClass objects.'),
      kind: str('The kind of this list, here PriorityClassList.'),
      metadata: ref(LIST_META, 'Resource version and continuation token of the list.'),
    },
    { required: ['items'], gvk: gvk('PriorityClassList') },
  ),
};
