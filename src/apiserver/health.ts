// /healthz, /livez and /readyz as kube-apiserver serves them (k8s.io/apiserver/pkg/server/healthz):
// named checks; `?verbose` lists them; `?exclude=NAME` (repeatable) skips one; any failure is a
// 500 listing every check with "[-]NAME failed: reason withheld" (the endpoint is public, so
// the reason goes to our log only) and "<endpoint> check failed"; /<endpoint>/NAME runs one
// check ("ok", or 500 "internal server error: <reason>"). We run only the checks we really
// have: the datastore (`etcd`, also with SQLite, as k3s's kine answers for it), the KMS v2
// plugins (`kms-providers`, with encryption at rest by kms, and always with
// --encryption-provider-config-automatic-reload), the watch caches' initial sync and
// shutdown; upstream's post-start hooks have no counterpart here.
import type { Storage } from '../storage/types.js';
import { logger } from '../util/log.js';

const log = logger('healthz');

export interface HealthCheck {
  name: string;
  /** Resolves when healthy; rejects with the reason otherwise. */
  check(): Promise<void>;
}

export interface HealthAnswer {
  status: number;
  body: string;
}

type Endpoint = 'healthz' | 'livez' | 'readyz';

/** upstream's --etcd-healthcheck-timeout and --etcd-readycheck-timeout defaults */
const ETCD_CHECK_TIMEOUT_MS = 2000;
/** one datastore probe at most per interval, however often load balancers ask */
const PROBE_INTERVAL_MS = 1000;

/** A read of the health key with a deadline (upstream's etcd3 prober reads "health" the same way). */
export function datastoreProbe(storage: Storage, now: () => number = Date.now): () => Promise<void> {
  let last: { at: number; result: Promise<void> } | undefined;
  return () => {
    if (last && now() - last.at < PROBE_INTERVAL_MS) return last.result;
    let timer: NodeJS.Timeout | undefined;
    const result = Promise.race([
      storage.get('/registry/health').then(() => undefined),
      new Promise<void>((_, reject) => {
        timer = setTimeout(() => reject(new Error('context deadline exceeded')), ETCD_CHECK_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    result.catch(() => undefined); // read by callers; never an unhandled rejection
    last = { at: now(), result };
    return result;
  };
}

export interface HealthDeps {
  datastore: () => Promise<void>;
  /** The watch caches finished their initial list (informer-sync). */
  synced: () => boolean;
  /** A graceful shutdown has begun. */
  shuttingDown: () => boolean;
  /** upstream's kms-providers check (KMS v2 plugins' Status), on all three endpoints. */
  kmsProviders?: () => Promise<void>;
}

export function healthChecks(deps: HealthDeps): Record<Endpoint, HealthCheck[]> {
  const ping: HealthCheck = { name: 'ping', check: async () => undefined };
  const etcd: HealthCheck = { name: 'etcd', check: deps.datastore };
  const kms: HealthCheck[] = deps.kmsProviders ? [{ name: 'kms-providers', check: deps.kmsProviders }] : [];
  const live = [ping, etcd, ...kms];
  return {
    healthz: live,
    livez: live,
    readyz: [
      ping,
      etcd,
      { name: 'etcd-readiness', check: deps.datastore },
      ...kms,
      {
        name: 'informer-sync',
        check: async () => {
          if (!deps.synced()) throw new Error('not all caches have synced');
        },
      },
      {
        name: 'shutdown',
        check: async () => {
          if (deps.shuttingDown()) throw new Error('process is shutting down');
        },
      },
    ],
  };
}

const quoted = (names: string[]) => names.map((n) => JSON.stringify(n)).join(',');

/** The answer for a health path, or undefined when the path is none of them. */
export async function serveHealth(
  checks: Record<Endpoint, HealthCheck[]>,
  path: string,
  query: URLSearchParams,
): Promise<HealthAnswer | undefined> {
  const m = /^\/(healthz|livez|readyz)(?:\/(.*))?$/.exec(path);
  if (!m) return undefined;
  const endpoint = m[1] as Endpoint;
  const list = checks[endpoint];
  if (m[2]) {
    const one = list.find((c) => c.name === m[2]);
    if (!one) return undefined; // 404 from the caller, as upstream's mux
    try {
      await one.check();
      return { status: 200, body: 'ok' };
    } catch (err) {
      return { status: 500, body: `internal server error: ${(err as Error).message}\n` };
    }
  }
  const excluded = new Set(query.getAll('exclude'));
  const results = await Promise.all(
    list.map(async (c) => {
      if (excluded.delete(c.name)) return `[+]${c.name} excluded: ok\n`;
      try {
        await c.check();
        return `[+]${c.name} ok\n`;
      } catch (err) {
        log.info(`${c.name} check failed: ${endpoint}`, { reason: (err as Error).message });
        return `[-]${c.name} failed: reason withheld\n`;
      }
    }),
  );
  let out = results.join('');
  if (excluded.size > 0)
    out += `warn: some health checks cannot be excluded: no matches for ${quoted([...excluded].sort())}\n`;
  if (results.some((r) => r.startsWith('[-]')))
    return { status: 500, body: `${out}${endpoint} check failed\n` };
  if (!query.has('verbose')) return { status: 200, body: 'ok' };
  return { status: 200, body: `${out}${endpoint} check passed\n` };
}
