// --audit-webhook-config-file: events POSTed as an audit.k8s.io/v1 EventList to the server a
// kubeconfig names, in batches (upstream's batch mode, its defaults: 10000 buffered events,
// at most 400 per request, sent at least every 30 s), retried with exponential backoff from
// --audit-webhook-initial-backoff. Overflow and failed sends are counted, never waited for.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { parse } from 'yaml';
import { logger } from '../../util/log.js';
import type { AuditBackend, ErrorCounter } from './backend.js';
import { eventJSON, type AuditEvent } from './event.js';

const log = logger('audit');
const RETRIES = 3;
const TIMEOUT_MS = 30_000;

export interface WebhookOptions {
  configFile: string;
  bufferEvents?: number;
  maxBatchSize?: number;
  maxWaitMs?: number;
  initialBackoffMs?: number;
  countError: ErrorCounter;
}

interface Target {
  url: URL;
  tls: Pick<RequestOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized'>;
  headers: Record<string, string>;
}

interface Named<T> {
  name: string;
  [k: string]: unknown;
  value?: T;
}

/** The server and credentials of a kubeconfig's current context (or its only cluster/user). */
export function webhookTarget(configFile: string): Target {
  const doc = parse(readFileSync(configFile, 'utf8')) as {
    'current-context'?: string;
    contexts?: (Named<never> & { context?: { cluster?: string; user?: string } })[];
    clusters?: (Named<never> & { cluster?: Record<string, string | boolean> })[];
    users?: (Named<never> & { user?: Record<string, string> })[];
  };
  const ctx = doc.contexts?.find((c) => c.name === doc['current-context'])?.context;
  const cluster = (doc.clusters?.find((c) => c.name === ctx?.cluster) ?? doc.clusters?.[0])?.cluster;
  const user = (doc.users?.find((u) => u.name === ctx?.user) ?? doc.users?.[0])?.user ?? {};
  if (!cluster?.server) throw new Error(`audit webhook config ${configFile}: no cluster with a server`);
  const base = dirname(configFile);
  const data = (inline: unknown, file: unknown): Buffer | undefined =>
    typeof inline === 'string'
      ? Buffer.from(inline, 'base64')
      : typeof file === 'string'
        ? readFileSync(resolve(base, file))
        : undefined;
  const tls: Target['tls'] = { rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true };
  const ca = data(cluster['certificate-authority-data'], cluster['certificate-authority']);
  const cert = data(user['client-certificate-data'], user['client-certificate']);
  const key = data(user['client-key-data'], user['client-key']);
  if (ca) tls.ca = ca;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (user.token) headers.Authorization = `Bearer ${user.token}`;
  return { url: new URL(String(cluster.server)), tls, headers };
}

export class WebhookBackend implements AuditBackend {
  readonly name = 'webhook';
  private queue: AuditEvent[] = [];
  private timer?: NodeJS.Timeout;
  private sending = new Set<Promise<void>>();
  private stopped = false;
  private readonly target: Target;
  private readonly bufferEvents: number;
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly backoffMs: number;

  constructor(private readonly opts: WebhookOptions) {
    this.target = webhookTarget(opts.configFile);
    this.bufferEvents = opts.bufferEvents ?? 10_000;
    this.maxBatch = opts.maxBatchSize ?? 400;
    this.maxWaitMs = opts.maxWaitMs ?? 30_000;
    this.backoffMs = opts.initialBackoffMs ?? 10_000;
  }

  process(events: AuditEvent[]): void {
    if (this.stopped) return;
    const room = this.bufferEvents - this.queue.length;
    if (room < events.length) {
      this.opts.countError(this.name, events.length - Math.max(room, 0));
      log.error('audit webhook buffer full, dropping events', { events: events.length - Math.max(room, 0) });
      events = events.slice(0, Math.max(room, 0));
    }
    this.queue.push(...events);
    if (this.queue.length >= this.maxBatch) this.flush();
    else if (!this.timer && this.queue.length) this.timer = setTimeout(() => this.flush(), this.maxWaitMs);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    this.flush();
    await Promise.allSettled([...this.sending]);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      const p = this.send(batch).finally(() => this.sending.delete(p));
      this.sending.add(p);
    }
  }

  private async send(batch: AuditEvent[]): Promise<void> {
    const body = `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[${batch.map(eventJSON).join(',')}]}`;
    let delay = this.backoffMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.post(body);
        return;
      } catch (err) {
        if (attempt >= RETRIES || this.stopped) {
          this.opts.countError(this.name, batch.length);
          log.error('audit webhook request failed', { events: batch.length, error: (err as Error).message });
          return;
        }
        await new Promise((r) => setTimeout(r, delay).unref());
        delay *= 2;
      }
    }
  }

  private post(body: string): Promise<void> {
    const { url, tls, headers } = this.target;
    const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolvePost, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
          ...tls,
          timeout: TIMEOUT_MS,
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            (res.statusCode ?? 0) < 300
              ? resolvePost()
              : reject(new Error(`the server answered ${res.statusCode}`)),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(body);
    });
  }
}
