// events (ev), core/v1
import type { KubeObject } from '../../../api/types.js';
import { defineResource } from '../define.js';
import { age, col } from '../table.js';

interface Ref {
  kind?: string;
  name?: string;
  namespace?: string;
  fieldPath?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
}
const ref = (e: KubeObject) => (e.involvedObject ?? {}) as Ref;

function lastSeen(e: KubeObject, now: Date): string {
  const t = (e.lastTimestamp as string) || (e.eventTime as string) || e.metadata.creationTimestamp;
  return age(t, now);
}

export const events = defineResource({
  group: '',
  version: 'v1',
  resource: 'events',
  kind: 'Event',
  namespaced: true,
  shortNames: ['ev'],
  definition: 'io.k8s.api.core.v1.Event',
  table: {
    columns: [
      col('Last Seen', 'Time since the event was last seen.'),
      col('Type', 'Normal or Warning.'),
      col('Reason', 'A short, machine-readable reason.'),
      col('Object', 'The object the event is about.'),
      col('Subobject', 'The part of the object, e.g. a container.', 1),
      col('Source', 'The component that reported the event.', 1),
      col('Message', 'A human-readable description.'),
      col('First Seen', 'Time since the event was first seen.', 1),
      col('Count', 'How many times the event happened.', 1, 'integer'),
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the event.', priority: 1 },
    ],
    cells: (e, now) => {
      const r = ref(e);
      const src = (e.source ?? {}) as { component?: string; host?: string };
      return [
        lastSeen(e, now),
        e.type ?? '',
        e.reason ?? '',
        `${(r.kind ?? '').toLowerCase()}/${r.name ?? ''}`,
        r.fieldPath ?? '',
        [src.component, src.host].filter(Boolean).join(', ') || (e.reportingComponent as string) || '',
        String(e.message ?? '').trim(),
        age((e.firstTimestamp as string) || (e.eventTime as string) || e.metadata.creationTimestamp, now),
        e.count ?? 1,
        e.metadata.name,
      ];
    },
  },
  fieldSelectors: {
    'involvedObject.kind': (e) => ref(e).kind ?? '',
    'involvedObject.namespace': (e) => ref(e).namespace ?? '',
    'involvedObject.name': (e) => ref(e).name ?? '',
    'involvedObject.uid': (e) => ref(e).uid ?? '',
    'involvedObject.apiVersion': (e) => ref(e).apiVersion ?? '',
    'involvedObject.resourceVersion': (e) => ref(e).resourceVersion ?? '',
    'involvedObject.fieldPath': (e) => ref(e).fieldPath ?? '',
    reason: (e) => (e.reason as string) ?? '',
    reportingComponent: (e) => (e.reportingComponent as string) ?? '',
    source: (e) => ((e.source as { component?: string } | undefined)?.component as string) ?? '',
    type: (e) => (e.type as string) ?? '',
  },
});
