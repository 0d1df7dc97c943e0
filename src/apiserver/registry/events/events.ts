// events.k8s.io/v1 events, stored as core/v1 events (upstream's conversion between the two).
import type { KubeObject } from '../../../api/types.js';
import { defineResource } from '../define.js';
import { events as coreEvents } from '../core/events.js';

type Obj = Record<string, unknown>;

function move(from: Obj, to: Obj, a: string, b: string): void {
  if (from[a] !== undefined) to[b] = from[a];
}

/** events.k8s.io/v1 → core/v1 */
function toCore(e: KubeObject): KubeObject {
  const src = e as Obj;
  const out: Obj = { apiVersion: 'v1', kind: 'Event', metadata: e.metadata };
  move(src, out, 'regarding', 'involvedObject');
  move(src, out, 'note', 'message');
  move(src, out, 'reason', 'reason');
  move(src, out, 'type', 'type');
  move(src, out, 'action', 'action');
  move(src, out, 'related', 'related');
  move(src, out, 'reportingController', 'reportingComponent');
  move(src, out, 'reportingInstance', 'reportingInstance');
  move(src, out, 'eventTime', 'eventTime');
  move(src, out, 'deprecatedFirstTimestamp', 'firstTimestamp');
  move(src, out, 'deprecatedLastTimestamp', 'lastTimestamp');
  move(src, out, 'deprecatedCount', 'count');
  move(src, out, 'deprecatedSource', 'source');
  if (src.series) {
    const s = src.series as Obj;
    out.series = { count: s.count, lastObservedTime: s.lastObservedTime };
  }
  out.involvedObject ??= {};
  return out as KubeObject;
}

/** core/v1 → events.k8s.io/v1 */
function fromCore(e: KubeObject): KubeObject {
  const src = e as Obj;
  const out: Obj = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: e.metadata };
  move(src, out, 'eventTime', 'eventTime');
  move(src, out, 'series', 'series');
  move(src, out, 'reportingComponent', 'reportingController');
  move(src, out, 'reportingInstance', 'reportingInstance');
  move(src, out, 'action', 'action');
  move(src, out, 'reason', 'reason');
  move(src, out, 'involvedObject', 'regarding');
  move(src, out, 'related', 'related');
  move(src, out, 'message', 'note');
  move(src, out, 'type', 'type');
  move(src, out, 'source', 'deprecatedSource');
  move(src, out, 'firstTimestamp', 'deprecatedFirstTimestamp');
  move(src, out, 'lastTimestamp', 'deprecatedLastTimestamp');
  move(src, out, 'count', 'deprecatedCount');
  if (out.eventTime === undefined) out.eventTime = null;
  return out as KubeObject;
}

export const eventsV1 = defineResource({
  group: 'events.k8s.io',
  version: 'v1',
  resource: 'events',
  kind: 'Event',
  namespaced: true,
  shortNames: ['ev'],
  definition: 'io.k8s.api.events.v1.Event',
  storedAs: { group: '', resource: 'events', toStored: toCore, fromStored: fromCore },
  table: {
    columns: coreEvents.table!.columns,
    cells: (e, now) => coreEvents.table!.cells(toCore(e), now),
  },
});
