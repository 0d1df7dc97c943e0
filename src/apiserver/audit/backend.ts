// What every audit backend offers: take events without ever blocking or failing the request.
import type { AuditEvent } from './event.js';

export interface AuditBackend {
  /** Plugin name, the `plugin` label of apiserver_audit_error_total (log, webhook). */
  readonly name: string;
  /** Queues events; never throws, never waits. */
  process(events: AuditEvent[]): void;
  /** Writes what is queued (best effort) and releases files, sockets and timers. */
  shutdown(): Promise<void>;
}

/** Counts lost events per plugin (apiserver_audit_error_total). */
export type ErrorCounter = (plugin: string, events: number) => void;
