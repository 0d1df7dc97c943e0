// Graceful termination as k8s.io/apiserver's genericapiserver runs it (v1.31):
//   ShutdownInitiated       /readyz fails its `shutdown` check, requests are served as usual
//   (--shutdown-delay-duration later) AfterShutdownDelayDuration
//   NotAcceptingNewRequest  the listener closes and HTTP/2 sessions get GOAWAY, unless
//                           --shutdown-send-retry-after keeps it open and answers new requests
//                           429 "The apiserver is shutting down, please try again later."
//                           (Retry-After: 5, Connection: close) until in-flight ones drained;
//                           a new request that still reaches the handler otherwise gets 503
//                           "apiserver is shutting down" (Retry-After: 1), as WithWaitGroup
//   InFlightRequestsDrained non-long-running requests finished (bounded by the 60 s request
//                           timeout); watches get --shutdown-watch-termination-grace-period
//                           to end, then they are ended (clients re-establish elsewhere)
// and only after that the caller closes the datastore, the audit backends and the caches, so
// no request ever runs against a closed database.
import { StatusError } from '../api/errors.js';
import type { Res } from './http/io.js';

/** upstream's --request-timeout default: the bound of the in-flight drain */
export const REQUEST_TIMEOUT_MS = 60_000;

export interface ShutdownOptions {
  /** --shutdown-delay-duration (upstream default 0) */
  delayMs?: number;
  /** --shutdown-send-retry-after (upstream default false) */
  sendRetryAfter?: boolean;
  /** --shutdown-watch-termination-grace-period (upstream default 0: watches are not waited for) */
  watchGraceMs?: number;
  /** bound of the in-flight drain (upstream: --request-timeout, 60 s) */
  requestTimeoutMs?: number;
}

type Phase = 'running' | 'delay' | 'notAccepting';

/** What the handler does with a request at its start. */
export type Admission =
  | { kind: 'serve'; done: () => void }
  | { kind: 'reject'; status: number; headers: Record<string, string>; body: string };

// health probes and metrics scraping are never turned away (upstream's exempt prefixes)
const EXEMPT_PREFIXES = ['/readyz', '/livez', '/healthz', '/metrics'];

export function isExemptFromRetryAfter(path: string, userAgent: string): boolean {
  return userAgent.startsWith('kube-apiserver/') || EXEMPT_PREFIXES.some((p) => path.startsWith(p));
}

export class ShutdownSequence {
  private phase: Phase = 'running';
  private inFlight = 0;
  private drainWaiters: (() => void)[] = [];
  /** open watches: ended once the grace period is over */
  readonly watches = new Set<Res>();
  private watchWaiters: (() => void)[] = [];
  private initiatedAt = 0;

  constructor(private readonly opts: ShutdownOptions = {}) {}

  get initiated(): boolean {
    return this.phase !== 'running';
  }

  get sendRetryAfter(): boolean {
    return this.opts.sendRetryAfter ?? false;
  }

  get inFlightCount(): number {
    return this.inFlight;
  }

  /**
   * Admits a request (WithRetryAfter + WithWaitGroup). Long-running requests (watches, exec,
   * logs, proxy) are not counted: the drain does not wait for them.
   */
  admit(path: string, userAgent: string, longRunning: boolean): Admission {
    const exempt = isExemptFromRetryAfter(path, userAgent);
    if (this.phase === 'notAccepting') {
      if (this.sendRetryAfter && !exempt)
        return {
          kind: 'reject',
          status: 429,
          headers: {
            'Content-Type': 'text/plain; charset=utf-8',
            'X-Content-Type-Options': 'nosniff',
            'Retry-After': '5',
            Connection: 'close',
          },
          body: 'The apiserver is shutting down, please try again later.\n',
        };
      if (!longRunning && !exempt)
        return {
          kind: 'reject',
          status: 503,
          headers: {
            'Content-Type': 'application/json',
            'X-Content-Type-Options': 'nosniff',
            'Retry-After': '1',
          },
          body:
            JSON.stringify(
              new StatusError(503, 'ServiceUnavailable', 'apiserver is shutting down').toStatus(),
            ) + '\n',
        };
    }
    if (longRunning || exempt) return { kind: 'serve', done: () => undefined };
    this.inFlight++;
    let finished = false;
    return {
      kind: 'serve',
      done: () => {
        if (finished) return;
        finished = true;
        this.inFlight--;
        if (this.inFlight === 0) for (const w of this.drainWaiters.splice(0)) w();
      },
    };
  }

  trackWatch(res: Res): void {
    this.watches.add(res);
  }

  untrackWatch(res: Res): void {
    if (!this.watches.delete(res)) return;
    if (this.watches.size === 0) for (const w of this.watchWaiters.splice(0)) w();
  }

  /** ShutdownInitiated: /readyz fails from now on. Idempotent. */
  initiate(): void {
    if (this.phase !== 'running') return;
    this.phase = 'delay';
    this.initiatedAt = Date.now();
  }

  /** Resolves when the shutdown delay, counted from initiate(), has elapsed. */
  async delayElapsed(): Promise<void> {
    this.initiate();
    const left = this.initiatedAt + (this.opts.delayMs ?? 0) - Date.now();
    if (left > 0) await sleep(left);
  }

  /** NotAcceptingNewRequest: new non-exempt requests are refused from now on. */
  stopAccepting(): void {
    if (this.phase === 'delay' || this.phase === 'running') this.phase = 'notAccepting';
  }

  /** Waits for in-flight non-long-running requests; false when the request timeout cut it. */
  async drainRequests(): Promise<boolean> {
    if (this.inFlight === 0) return true;
    const drained = new Promise<true>((resolve) => this.drainWaiters.push(() => resolve(true)));
    return race(drained, this.opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS);
  }

  /** Gives watches their grace period, then ends the rest; returns how many were ended. */
  async endWatches(): Promise<number> {
    const grace = this.opts.watchGraceMs ?? 0;
    if (grace > 0 && this.watches.size > 0) {
      const gone = new Promise<true>((resolve) => this.watchWaiters.push(() => resolve(true)));
      await race(gone, grace);
    }
    return this.endOpenWatches();
  }

  /** Ends every open watch now (also those that began during the drain). */
  endOpenWatches(): number {
    const open = [...this.watches];
    for (const res of open) {
      this.watches.delete(res);
      // a clean end of the chunked stream: client-go's reflector sees EOF and re-lists/re-watches
      try {
        res.end();
      } catch {
        (res as unknown as { destroy?: () => void }).destroy?.();
      }
    }
    return open.length;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function race(p: Promise<true>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
