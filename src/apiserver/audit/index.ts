// Audit logging (k8s.io/apiserver/pkg/audit): --audit-policy-file decides per request what is
// recorded; the log and webhook backends receive the events. Without a policy file nothing is
// audited (as upstream), but every response still carries its Audit-Id.
import type { Req, Res } from '../http/io.js';
import type { AuditBackend } from './backend.js';
import { LogBackend } from './backend-log.js';
import { WebhookBackend } from './backend-webhook.js';
import type { AuditEvent } from './event.js';
import { loadPolicy, type Policy } from './policy.js';
import { ActiveRequestAudit, NoRequestAudit, type RequestAudit } from './request.js';

export type { RequestAudit } from './request.js';
export { noteRequestor } from './request.js';
export { parseDuration } from '../../util/duration.js';

export interface AuditOptions {
  policyFile?: string;
  logPath?: string;
  logMaxAgeDays?: number;
  logMaxBackups?: number;
  logMaxSizeMB?: number;
  webhookConfigFile?: string;
  webhookBatchMaxSize?: number;
  webhookBatchMaxWaitMs?: number;
  webhookInitialBackoffMs?: number;
}

/** The counters the auditor reports (apiserver_audit_event_total, apiserver_audit_error_total). */
export interface AuditMetrics {
  event(): void;
  error(plugin: string, events: number): void;
}

export class Auditor {
  private constructor(
    private readonly policy: Policy | undefined,
    private readonly backends: AuditBackend[],
    private readonly metrics: AuditMetrics,
  ) {}

  static create(opts: AuditOptions, metrics: AuditMetrics): Auditor {
    if (!opts.policyFile) return new Auditor(undefined, [], metrics);
    const policy = loadPolicy(opts.policyFile);
    const countError = (plugin: string, n: number) => metrics.error(plugin, n);
    const backends: AuditBackend[] = [];
    if (opts.logPath) {
      const o: ConstructorParameters<typeof LogBackend>[0] = { path: opts.logPath, countError };
      if (opts.logMaxAgeDays !== undefined) o.maxAgeDays = opts.logMaxAgeDays;
      if (opts.logMaxBackups !== undefined) o.maxBackups = opts.logMaxBackups;
      if (opts.logMaxSizeMB !== undefined) o.maxSizeMB = opts.logMaxSizeMB;
      backends.push(new LogBackend(o));
    }
    if (opts.webhookConfigFile) {
      const o: ConstructorParameters<typeof WebhookBackend>[0] = {
        configFile: opts.webhookConfigFile,
        countError,
      };
      if (opts.webhookBatchMaxSize !== undefined) o.maxBatchSize = opts.webhookBatchMaxSize;
      if (opts.webhookBatchMaxWaitMs !== undefined) o.maxWaitMs = opts.webhookBatchMaxWaitMs;
      if (opts.webhookInitialBackoffMs !== undefined) o.initialBackoffMs = opts.webhookInitialBackoffMs;
      backends.push(new WebhookBackend(o));
    }
    return new Auditor(policy, backends, metrics);
  }

  /** Starts the record of one request (sets the Audit-Id response header). */
  begin(req: Req & { socket?: unknown }, res: Res): RequestAudit {
    if (!this.policy || !this.backends.length) return new NoRequestAudit(res);
    return new ActiveRequestAudit(this.policy, (ev) => this.emit(ev), req, res);
  }

  private emit(ev: AuditEvent): void {
    this.metrics.event();
    for (const b of this.backends) {
      try {
        b.process([ev]);
      } catch {
        this.metrics.error(b.name, 1); // a backend must not throw; if one does, the request goes on
      }
    }
  }

  async shutdown(): Promise<void> {
    await Promise.allSettled(this.backends.map((b) => b.shutdown()));
  }
}
