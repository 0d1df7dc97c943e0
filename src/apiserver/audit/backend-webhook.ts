// --audit-webhook-config-file: the webhook plugin. Each batch it is given is POSTed as one
// audit.k8s.io/v1 EventList to the server a kubeconfig names. A transient failure (connection
// reset, 500, 504, 429 or a Retry-After) is retried with upstream's backoff: first after
// --audit-webhook-initial-backoff (10s), then 1.5 times longer each time with 20% jitter, 5
// attempts in all; anything else fails at once. Lost batches are counted (plugin "webhook").
// Batching, the buffer and the throttle are the mode's (./buffered.ts).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { parse } from 'yaml';
import { pluginError, type AuditBackend, type ErrorCounter } from './backend.js';
import { eventJSON, type AuditEvent } from './event.js';

/** upstream's DefaultRetryBackoffWithInitialDelay: 5 steps, factor 1.5, jitter 0.2 */
const ATTEMPTS = 5;
const FACTOR = 1.5;
const JITTER = 0.2;
const TIMEOUT_MS = 30_000;
export const DEFAULT_INITIAL_BACKOFF_MS = 10_000;

export interface WebhookOptions {
  configFile: string;
  initialBackoffMs?: number;
  countError: ErrorCounter;
}

/** A failed POST, and whether upstream's DefaultShouldRetry would try it again. */
class PostError extends Error {
  constructor(
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
  }
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
  private stopped = false;
  private readonly target: Target;
  private readonly backoffMs: number;
  private readonly sleeping = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  constructor(private readonly opts: WebhookOptions) {
    this.target = webhookTarget(opts.configFile);
    this.backoffMs = opts.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS;
  }

  /** Resolves true when the server took the batch, false when it is lost (counted). */
  async process(events: AuditEvent[]): Promise<boolean> {
    if (!events.length) return true;
    const body = `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[${events.map(eventJSON).join(',')}]}`;
    let delay = this.backoffMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.post(body);
        return true;
      } catch (err) {
        const retry = err instanceof PostError ? err.retry : false;
        if (!retry || attempt >= ATTEMPTS || this.stopped) {
          pluginError(this.opts.countError, this.name, events.length, (err as Error).message);
          return false;
        }
        await this.pause(delay * (1 + Math.random() * JITTER));
        delay *= FACTOR;
      }
    }
  }

  /** Batches on their way get their current attempt; no retries after this. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const s of this.sleeping) s.wake();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const s = {
        timer: setTimeout(() => s.wake(), ms),
        wake: () => {
          clearTimeout(s.timer);
          this.sleeping.delete(s);
          resolve();
        },
      };
      this.sleeping.add(s);
    });
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
          res.on('end', () => {
            const code = res.statusCode ?? 0;
            if (code < 300) return resolvePost();
            const retry = code === 500 || code === 504 || code === 429 || !!res.headers['retry-after'];
            reject(new PostError(`the server answered ${code}`, retry));
          });
        },
      );
      req.on('timeout', () => req.destroy(new PostError('timeout', true)));
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(
          err instanceof PostError
            ? err
            : new PostError(err.message, err.code === 'ECONNRESET' || err.code === 'EPIPE'),
        ),
      );
      req.end(body);
    });
  }
}
