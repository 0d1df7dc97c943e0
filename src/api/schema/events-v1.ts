// events.k8s.io/v1: Event (the newer event API, same storage as core/v1 events).
import type { Definitions } from './dsl.js';
import { LIST_META, MICRO_TIME, OBJECT_META, TIME, arr, int32, obj, ref, str, t } from './dsl.js';

const P = 'io.k8s.api.events.v1';
const CORE = 'io.k8s.api.core.v1';
const gvk = (kind: string) => [{ group: 'events.k8s.io', version: 'v1', kind }];

export const eventsV1Definitions: Definitions = {
  [`${P}.Event`]: obj(
    'A report of something that happened to an object, for people and tools to read.',
    {
      action: str('What was done, or failed, to the regarding object, e.g. Binding.'),
      apiVersion: str('The versioned schema of this object, here events.k8s.io/v1.'),
      deprecatedCount: int32('Occurrence count, kept for the core/v1 event API.'),
      deprecatedFirstTimestamp: ref(TIME, 'First occurrence, kept for the core/v1 event API.'),
      deprecatedLastTimestamp: ref(TIME, 'Last occurrence, kept for the core/v1 event API.'),
      deprecatedSource: ref(`${CORE}.EventSource`, 'Reporting component, kept for the core/v1 event API.'),
      eventTime: ref(MICRO_TIME, 'When the event first happened.'),
      kind: str('The kind of this object, here Event.'),
      metadata: ref(OBJECT_META, "The object's name, namespace, labels and other metadata."),
      note: str('A human-readable description of what happened, at most 1kB.'),
      reason: str('Why the action was taken, as a short CamelCase word.'),
      regarding: ref(`${CORE}.ObjectReference`, 'The object the event is about.'),
      related: ref(`${CORE}.ObjectReference`, 'A second object involved, if any.'),
      reportingController: str('The controller that emitted the event, e.g. kubernetes.io/kubelet.'),
      reportingInstance: str('The instance of the controller that emitted the event, e.g. the node name.'),
      series: ref(`${P}.EventSeries`, 'Counts repeats of the same event; unset for a single occurrence.'),
      type: str('Normal or Warning.'),
    },
    { required: ['eventTime'], gvk: gvk('Event') },
  ),
  [`${P}.EventList`]: obj(
    'A list of Event objects.',
    {
      apiVersion: str('The versioned schema of this list, here events.k8s.io/v1.'),
      items: arr(t.ref(`${P}.Event`), 'The Event objects.'),
      kind: str('The kind of this list, here EventList.'),
      metadata: ref(LIST_META, 'Resource version and continuation token of the list.'),
    },
    { required: ['items'], gvk: gvk('EventList') },
  ),
  [`${P}.EventSeries`]: obj(
    'Repeated occurrences of an event.',
    {
      count: int32('How many times the event has happened so far.'),
      lastObservedTime: ref(MICRO_TIME, 'When the event was last seen.'),
    },
    { required: ['count', 'lastObservedTime'] },
  ),
};
