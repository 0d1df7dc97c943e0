// The per-host fault policy we give the etcd3 client instead of its default circuit breaker.
// The default opens after 3 consecutive connection failures and stays open for 5 s after the
// last one, so an API server whose only reachable member (its own, restarted by the
// supervisor within 0.5–3 s) came back kept refusing every request for up to 5 s more: the
// "server stopped answering after its etcd member restarted" fault. Here the circuit lets one
// probe through HALF_OPEN_MS after it opened, and closes again on the first success.
import type { IOptions } from 'etcd3';
import { etcd3 } from '../../etcd/load.js';

type HostPolicy = ReturnType<NonNullable<NonNullable<IOptions['faultHandling']>['host']>>;

const FAILURES_TO_OPEN = 3;
export const HALF_OPEN_MS = 500;

/** What an open circuit answers; not a gRPC error, so the client tries its next host. */
export class EtcdHostUnavailableError extends Error {
  constructor(host: string) {
    super(`etcd member ${host} is unavailable (its last ${FAILURES_TO_OPEN} calls failed)`);
  }
}

interface Listener<T> {
  (fn: (e: T) => void): { dispose(): void };
}
const noListeners: Listener<never> = () => ({ dispose: () => undefined });

export function hostBreaker(host: string, now: () => number = Date.now): HostPolicy {
  let failures = 0;
  let openedAt = 0;
  let probing = false;
  const policy = {
    onSuccess: noListeners,
    onFailure: noListeners,
    async execute<T>(fn: (ctx: { signal: AbortSignal }) => PromiseLike<T> | T, signal?: AbortSignal) {
      const open = failures >= FAILURES_TO_OPEN;
      if (open && (probing || now() - openedAt < HALF_OPEN_MS)) throw new EtcdHostUnavailableError(host);
      if (open) probing = true;
      try {
        const v = await fn({ signal: signal ?? new AbortController().signal });
        failures = 0;
        return v;
      } catch (err) {
        if (err instanceof Error && etcd3().isRecoverableError(err)) {
          failures++;
          if (failures >= FAILURES_TO_OPEN) openedAt = now();
        } else failures = 0; // the member answered (with a refusal)
        throw err;
      } finally {
        if (open) probing = false;
      }
    },
  };
  // `_altReturn` is a type-only marker of cockatiel's IPolicy (never defined at run time)
  return policy as unknown as HostPolicy;
}
