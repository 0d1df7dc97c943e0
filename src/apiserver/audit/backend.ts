// What every audit backend offers (upstream's audit.Backend): take events and say whether they
// were handled. A backend never throws; a failure is counted in apiserver_audit_error_total
// under the plugin that failed (log, webhook, buffered, truncate) and reported in the log.
import { logger } from '../../util/log.js';
import type { AuditEvent } from './event.js';

const log = logger('audit');
/** error lines at most this often per plugin, so a full disk does not flood the server log */
const ERROR_LOG_INTERVAL_MS = 10_000;

export interface AuditBackend {
  /** Plugin name, the `plugin` label of apiserver_audit_error_total. */
  readonly name: string;
  /**
   * Takes events. The answer is whether they were handled: a buffered backend answers true at
   * once; a blocking one answers when they were written (blocking-strict fails the request on
   * false at RequestReceived).
   */
  process(events: AuditEvent[]): boolean | Promise<boolean>;
  /** Writes what is queued (best effort) and releases files, sockets and timers. */
  shutdown(): Promise<void>;
}

/** Counts lost events per plugin (apiserver_audit_error_total). */
export type ErrorCounter = (plugin: string, events: number) => void;

const lastLogged = new Map<string, number>();

/** upstream's audit.HandlePluginError: count the impacted events and log the failure. */
export function pluginError(count: ErrorCounter, plugin: string, events: number, error: string): void {
  count(plugin, events);
  const now = Date.now();
  if (now - (lastLogged.get(plugin) ?? 0) < ERROR_LOG_INTERVAL_MS) return;
  lastLogged.set(plugin, now);
  log.error(`Error in audit plugin '${plugin}' affecting ${events} audit events: ${error}`);
}

/** All of several answers (upstream's union backend: every backend gets the events). */
export function allOf(results: (boolean | Promise<boolean>)[]): boolean | Promise<boolean> {
  if (results.every((r) => r === true)) return true;
  if (results.every((r) => typeof r === 'boolean')) return false;
  return Promise.all(results).then((rs) => rs.every(Boolean));
}
