// events (ev), core/v1: the namespace rule, upstream's table (LAST SEEN ... MESSAGE) and
// field selectors.
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { defineResource } from '../define.js';
import { age, col } from '../table.js';
import { invalidValue, type FieldError } from '../validation.js';

interface Ref {
  kind?: string;
  name?: string;
  namespace?: string;
  fieldPath?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
}
const ref = (e: KubeObject): Ref => (isRecord(e.involvedObject) ? (e.involvedObject as Ref) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const source = (e: KubeObject): { component?: string; host?: string } =>
  isRecord(e.source) ? (e.source as { component?: string; host?: string }) : {};

/** "component, host" from source, else from reportingComponent / reportingInstance. */
function sourceText(e: KubeObject): string {
  const component = source(e).component || str(e.reportingComponent);
  const instance = source(e).host || str(e.reportingInstance);
  if (!component) return '';
  return instance ? `${component}, ${instance}` : component;
}

function validate(e: KubeObject): FieldError[] {
  // old-style events (no eventTime) must sit in their object's namespace ("default" for cluster objects)
  if (e.eventTime) return [];
  const ns = e.metadata.namespace ?? '';
  const objNs = ref(e).namespace ?? '';
  const ok = objNs ? ns === objNs : ns === '' || ns === 'default';
  return ok ? [] : [invalidValue('involvedObject.namespace', objNs, 'does not match event.namespace')];
}

export const events = defineResource({
  group: '',
  version: 'v1',
  resource: 'events',
  kind: 'Event',
  namespaced: true,
  shortNames: ['ev'],
  definition: 'io.k8s.api.core.v1.Event',
  validate,
  table: {
    columns: [
      col('Last Seen', 'How long ago the event was last observed.'),
      col('Type', 'Normal or Warning.'),
      col('Reason', 'Short machine-readable cause of the event.'),
      col('Object', 'The object the event is about, as kind/name.'),
      col('Subobject', 'The part of the object concerned, e.g. a container.', 1),
      col('Source', 'The component (and host) that reported the event.', 1),
      col('Message', 'What happened, in words.'),
      col('First Seen', 'How long ago the event was first observed.', 1),
      col('Count', 'How many times the event was observed.', 1),
      { name: 'Name', type: 'string', format: 'name', description: 'Name of the event object.', priority: 1 },
    ],
    cells: (e, now) => {
      const r = ref(e);
      const first = age(str(e.firstTimestamp) || str(e.eventTime) || undefined, now);
      let last = e.lastTimestamp ? age(str(e.lastTimestamp), now) : first;
      let count = typeof e.count === 'number' && e.count > 0 ? e.count : 1;
      if (isRecord(e.series)) {
        last = age(str(e.series.lastObservedTime) || undefined, now);
        count = typeof e.series.count === 'number' ? e.series.count : count;
      }
      const kind = (r.kind ?? '').toLowerCase();
      return [
        last,
        str(e.type),
        str(e.reason),
        r.name ? `${kind}/${r.name}` : kind,
        r.fieldPath ?? '',
        sourceText(e),
        str(e.message).trim(),
        first,
        count,
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
    reason: (e) => str(e.reason),
    reportingComponent: (e) => str(e.reportingComponent),
    source: (e) => source(e).component || str(e.reportingComponent),
    type: (e) => str(e.type),
  },
});
