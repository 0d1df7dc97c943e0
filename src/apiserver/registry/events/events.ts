// events.k8s.io/v1 events, stored as core/v1 events. Creation through this API is validated
// strictly (upstream's ValidateEventCreate for events.k8s.io): a new-style event must say when,
// who reported it and what was done, and may not set the deprecated fields.
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { defineResource } from '../define.js';
import { events as coreEvents } from '../core/events.js';
import { invalidValue, isQualifiedName, required, type FieldError } from '../validation.js';
import { eventFromCore, eventToCore } from './event-conversion.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const rec = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});

/** upstream's length limits for events */
const LIMIT_128 = 128;
const NOTE_LIMIT = 1024;

function tooLongText(path: string, value: string, limit: number): FieldError[] {
  return value.length > limit ? [invalidValue(path, '', `can have at most ${limit} characters`)] : [];
}

/** The events.k8s.io/v1 rules (legacy rules for new-style events, then the strict ones). */
export function validateEventsV1(e: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const ns = e.metadata.namespace ?? '';
  const regardingNs = str(rec(e.regarding).namespace);
  if (!e.eventTime) {
    // an old-style event only has to sit in its object's namespace
    const ok = regardingNs ? ns === regardingNs : ns === '' || ns === 'default';
    if (!ok)
      errs.push(invalidValue('involvedObject.namespace', regardingNs, 'does not match event.namespace'));
  } else {
    if (!regardingNs && ns !== 'default' && ns !== 'kube-system')
      errs.push(invalidValue('involvedObject.namespace', regardingNs, 'does not match event.namespace'));
    const controller = str(e.reportingController);
    if (!controller) errs.push(required('reportingController'));
    for (const m of isQualifiedName(controller))
      errs.push(invalidValue('reportingController', controller, m));
    if (!str(e.reportingInstance)) errs.push(required('reportingInstance'));
    errs.push(...tooLongText('reportingInstance', str(e.reportingInstance), LIMIT_128));
    if (!str(e.action)) errs.push(required('action'));
    errs.push(...tooLongText('action', str(e.action), LIMIT_128));
    if (!str(e.reason)) errs.push(required('reason'));
    errs.push(...tooLongText('reason', str(e.reason), LIMIT_128));
    errs.push(...tooLongText('note', str(e.note), NOTE_LIMIT));
  }

  if (isRecord(e.series)) {
    if (typeof e.series.count !== 'number' || e.series.count < 2)
      errs.push(invalidValue('series.count', '', 'should be at least 2'));
    if (!e.series.lastObservedTime) errs.push(required('series.lastObservedTime'));
  }
  if (!e.eventTime) errs.push(required('eventTime'));
  if (e.type !== 'Normal' && e.type !== 'Warning')
    errs.push(invalidValue('type', '', `has invalid value: ${str(e.type)}`));
  if (e.deprecatedFirstTimestamp)
    errs.push(invalidValue('deprecatedFirstTimestamp', '', 'needs to be unset'));
  if (e.deprecatedLastTimestamp) errs.push(invalidValue('deprecatedLastTimestamp', '', 'needs to be unset'));
  if (typeof e.deprecatedCount === 'number' && e.deprecatedCount !== 0)
    errs.push(invalidValue('deprecatedCount', '', 'needs to be unset'));
  const source = rec(e.deprecatedSource);
  if (str(source.component) || str(source.host))
    errs.push(invalidValue('deprecatedSource', '', 'needs to be unset'));
  return errs;
}

export const eventsV1 = defineResource({
  group: 'events.k8s.io',
  version: 'v1',
  resource: 'events',
  kind: 'Event',
  namespaced: true,
  shortNames: ['ev'],
  definition: 'io.k8s.api.events.v1.Event',
  storedAs: { group: '', resource: 'events', toStored: eventToCore, fromStored: eventFromCore },
  validate: validateEventsV1,
  table: {
    columns: coreEvents.table!.columns,
    cells: (e, now) => coreEvents.table!.cells(eventToCore(e), now),
  },
});
