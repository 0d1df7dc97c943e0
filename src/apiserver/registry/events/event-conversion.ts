// events.k8s.io/v1 Event <-> core/v1 Event (the stored form), field for field as upstream
// converts them: note/message, regarding/involvedObject, reportingController/reportingComponent,
// deprecatedSource/source, deprecatedFirstTimestamp/firstTimestamp, deprecatedLastTimestamp/
// lastTimestamp, deprecatedCount/count; the rest keeps its name.
import type { KubeObject } from '../../../api/types.js';

type Obj = Record<string, unknown>;

/** [events.k8s.io/v1 name, core/v1 name] */
const RENAMED: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];
const SAME = ['eventTime', 'series', 'reportingInstance', 'action', 'reason', 'related', 'type'];

function copyFields(from: Obj, to: Obj, pairs: [string, string][]): void {
  for (const [a, b] of pairs) if (from[a] !== undefined) to[b] = from[a];
}

/** Go serializes the zero Time as null and empty structs as {}: keep that shape. */
function zeroValues(o: Obj, structs: string[], times: string[]): void {
  for (const k of structs) o[k] ??= {};
  for (const k of times) if (o[k] === undefined) o[k] = null;
}

/** events.k8s.io/v1 → core/v1 */
export function eventToCore(e: KubeObject): KubeObject {
  const src = e as Obj;
  const out: Obj = { apiVersion: 'v1', kind: 'Event', metadata: e.metadata };
  copyFields(src, out, RENAMED);
  copyFields(
    src,
    out,
    SAME.map((k) => [k, k]),
  );
  zeroValues(out, ['involvedObject', 'source'], ['firstTimestamp', 'lastTimestamp', 'eventTime']);
  return out as KubeObject;
}

/** core/v1 → events.k8s.io/v1 */
export function eventFromCore(e: KubeObject): KubeObject {
  const src = e as Obj;
  const out: Obj = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: e.metadata };
  copyFields(
    src,
    out,
    RENAMED.map(([a, b]) => [b, a]),
  );
  copyFields(
    src,
    out,
    SAME.map((k) => [k, k]),
  );
  // a zero count is omitted in events.k8s.io/v1 (omitempty int)
  if (out.deprecatedCount === 0) delete out.deprecatedCount;
  zeroValues(
    out,
    ['regarding', 'deprecatedSource'],
    ['eventTime', 'deprecatedFirstTimestamp', 'deprecatedLastTimestamp'],
  );
  return out as KubeObject;
}
