// Audit logging (k8s.io/apiserver/pkg/audit): --audit-policy-file decides per request what is
// recorded; the log and webhook backends receive the events, each wrapped as upstream wraps it:
// the plugin, then its mode (batch / blocking / blocking-strict, ./buffered.ts), then truncation
// when enabled (./truncate.ts). Without a policy file nothing is audited (as upstream), but every
// response still carries its Audit-Id.
import type { Req, Res } from '../http/io.js';
import { allOf, type AuditBackend, type ErrorCounter } from './backend.js';
import { LogBackend, type LogBackendOptions } from './backend-log.js';
import { WebhookBackend } from './backend-webhook.js';
import { LOG_BATCH, WEBHOOK_BATCH, withMode } from './buffered.js';
import type { AuditEvent } from './event.js';
import { goQuote } from './format.js';
import type { AuditOptions, BackendOptions } from './options.js';
import { loadPolicy, type Level, type Policy } from './policy.js';
import { ActiveRequestAudit, NoRequestAudit, type RequestAudit } from './request.js';
import { DEFAULT_TRUNCATE, TruncateBackend } from './truncate.js';

export type { RequestAudit } from './request.js';
export { noteRequestor } from './request.js';
export { parseDuration } from '../../util/duration.js';
export type { AuditOptions } from './options.js';
export { AUDIT_FLAG_OPTIONS, AUDIT_FLAGS_HELP, auditBoolArgs, auditOptionsFromFlags } from './options.js';

/** The counters the auditor reports (upstream's apiserver_audit_* metrics). */
export interface AuditMetrics {
  /** apiserver_audit_event_total */
  event(): void;
  /** apiserver_audit_error_total{plugin} */
  error(plugin: string, events: number): void;
  /** apiserver_audit_level_total{level}: one per request */
  level?(level: Level): void;
  /** apiserver_audit_requests_rejected_total (blocking-strict) */
  rejected?(): void;
}

function wrap(plugin: AuditBackend, o: BackendOptions, countError: ErrorCounter): AuditBackend {
  const moded = withMode(plugin, o.mode, o.batch, countError);
  return o.truncateEnabled ? new TruncateBackend(moded, o.truncate, countError) : moded;
}

const defaults = (mode: BackendOptions['mode'], batch: BackendOptions['batch']): BackendOptions => ({
  mode,
  batch,
  truncateEnabled: false,
  truncate: DEFAULT_TRUNCATE,
});

export class Auditor {
  private constructor(
    private readonly policy: Policy | undefined,
    private readonly backends: AuditBackend[],
    private readonly metrics: AuditMetrics,
  ) {}

  static create(opts: AuditOptions, metrics: AuditMetrics): Auditor {
    if (!opts.policyFile) return new Auditor(undefined, [], metrics);
    const policy = loadPolicy(opts.policyFile);
    const countError: ErrorCounter = (plugin, n) => metrics.error(plugin, n);
    const backends: AuditBackend[] = [];
    if (opts.logPath) {
      const o: LogBackendOptions = { path: opts.logPath, countError };
      if (opts.logFormat) o.format = opts.logFormat;
      if (opts.logMaxAgeDays !== undefined) o.maxAgeDays = opts.logMaxAgeDays;
      if (opts.logMaxBackups !== undefined) o.maxBackups = opts.logMaxBackups;
      if (opts.logMaxSizeMB !== undefined) o.maxSizeMB = opts.logMaxSizeMB;
      if (opts.logCompress) o.compress = true;
      backends.push(wrap(new LogBackend(o), opts.log ?? defaults('blocking', LOG_BATCH), countError));
    }
    if (opts.webhookConfigFile) {
      const o: ConstructorParameters<typeof WebhookBackend>[0] = {
        configFile: opts.webhookConfigFile,
        countError,
      };
      if (opts.webhookInitialBackoffMs !== undefined) o.initialBackoffMs = opts.webhookInitialBackoffMs;
      backends.push(
        wrap(new WebhookBackend(o), opts.webhook ?? defaults('batch', WEBHOOK_BATCH), countError),
      );
    }
    return new Auditor(policy, backends, metrics);
  }

  /** Starts the record of one request (sets the Audit-Id response header). */
  begin(req: Req & { socket?: unknown }, res: Res): RequestAudit {
    if (!this.policy || !this.backends.length) return new NoRequestAudit(res);
    return new ActiveRequestAudit(
      this.policy,
      (ev) => this.emit(ev),
      req,
      res,
      (level) => this.metrics.level?.(level),
    );
  }

  /** A request refused because its RequestReceived event could not be stored (blocking-strict). */
  rejected(): void {
    this.metrics.rejected?.();
  }

  /** Every backend gets the event; the answer is whether all of them stored it. */
  private emit(ev: AuditEvent): boolean | Promise<boolean> {
    this.metrics.event();
    return allOf(
      this.backends.map((b) => {
        try {
          return b.process([ev]);
        } catch {
          this.metrics.error(b.name, 1); // a backend must not throw; if one does, the request goes on
          return true;
        }
      }),
    );
  }

  async shutdown(): Promise<void> {
    await Promise.allSettled(this.backends.map((b) => b.shutdown()));
  }
}

/** upstream's responsewriters.InternalError for a request whose audit event was not stored. */
export function sendAuditRejection(req: Req, res: Res): void {
  // upstream's sanitizer: the message is plain text a browser might render
  const text = `Internal Server Error: ${goQuote(req.url ?? '/')}: failed to store audit event`;
  const body = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') + '\n';
  res.writeHead(500, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}
