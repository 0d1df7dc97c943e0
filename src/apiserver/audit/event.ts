// audit.k8s.io/v1 Event, the shape upstream's backends write (fields in upstream's order).
import type { Level, Stage } from './policy.js';

export interface AuditUser {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface ObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

export interface ResponseStatus {
  metadata: Record<string, never>;
  status?: string;
  message?: string;
  reason?: string;
  details?: unknown;
  code?: number;
}

export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: Level;
  auditID: string;
  stage: Stage;
  requestURI: string;
  verb: string;
  user: AuditUser | Record<string, never>;
  impersonatedUser?: AuditUser;
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: ObjectReference;
  responseStatus?: ResponseStatus;
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** metav1.MicroTime's wire format: RFC 3339 with exactly six fractional digits, UTC. */
export function microTime(epochMicros: number): string {
  const d = new Date(Math.floor(epochMicros / 1000));
  const micros = String(Math.floor(epochMicros) % 1_000_000).padStart(6, '0');
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}` +
    `T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${micros}Z`
  );
}

export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/** Copies an event for one stage (events are written after the request moved on). */
export function atStage(ev: AuditEvent, stage: Stage, at = nowMicros()): AuditEvent {
  return { ...ev, stage, stageTimestamp: microTime(at) };
}

/** The event's JSON with fields in upstream's order (JSON.stringify keeps insertion order). */
export function eventJSON(ev: AuditEvent): string {
  const ordered: Record<string, unknown> = {};
  for (const k of [
    'kind',
    'apiVersion',
    'level',
    'auditID',
    'stage',
    'requestURI',
    'verb',
    'user',
    'impersonatedUser',
    'sourceIPs',
    'userAgent',
    'objectRef',
    'responseStatus',
    'requestObject',
    'responseObject',
    'requestReceivedTimestamp',
    'stageTimestamp',
    'annotations',
  ] as const)
    if (ev[k] !== undefined) ordered[k] = ev[k];
  return JSON.stringify(ordered);
}
