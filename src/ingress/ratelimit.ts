// The limit-rps / limit-rpm / limit-connections annotations, as ingress-nginx renders them into
// nginx's limit_req (`burst=<limit × multiplier> nodelay`) and limit_conn, keyed per client
// address (nginx's $binary_remote_addr) in zones of their own per Ingress, so all paths of one
// Ingress share a client's budget. nginx's limit_req is a leaky bucket counted in
// milli-requests: a request adds 1000 to the key's excess, which drains at the rate; a request
// that would push the excess past burst × 1000 is rejected and changes nothing. With nodelay
// the admitted ones are not delayed: a client gets 1 + burst requests at once, then the rate.
// limit_conn counts the requests of a client being served right now. Clients in
// limit-whitelist are not limited. Nothing here runs on a timer: idle keys are dropped when a
// zone grows, zones of Ingresses that are gone when the controller says so.
import { inCidr, type Cidr } from './annotations.js';

export interface RateLimits {
  /** the zone name: namespace/name/uid of the Ingress (ingress-nginx: ns_name_uid) */
  zone: string;
  rps: number;
  rpm: number;
  connections: number;
  /** limit-burst-multiplier, default 5 */
  burstMultiplier: number;
  whitelist: Cidr[];
}

interface Bucket {
  /** milli-requests above the rate */
  excess: number;
  /** ms, from the clock */
  last: number;
}

/** Keys of a zone kept before idle ones are swept (nginx's 5m zone holds ~40,000). */
const SWEEP_AT = 10_000;

/** A leaky bucket zone; its limits may change on a reload, its keys stay (as nginx's zone). */
class RequestZone {
  private readonly buckets = new Map<string, Bucket>();
  /** milli-requests drained per ms (= requests per second) */
  rate = 0;
  /** requests */
  burst = 0;

  /** The excess this request would leave, or undefined when it is over the burst. */
  probe(key: string, now: number): number | undefined {
    const b = this.buckets.get(key);
    if (!b) return 0;
    const elapsed = Math.max(0, now - b.last);
    // nginx clamps after adding this request: a drained key starts at 0, as a new one does
    const excess = Math.max(0, b.excess - this.rate * elapsed + 1000);
    return excess > this.burst * 1000 ? undefined : excess;
  }

  commit(key: string, now: number, excess: number): void {
    if (this.buckets.size >= SWEEP_AT && !this.buckets.has(key)) this.sweep(now);
    this.buckets.set(key, { excess, last: now });
  }

  /** Drops the keys whose excess has drained away (they would start afresh anyway). */
  private sweep(now: number): void {
    for (const [k, b] of this.buckets) if (b.excess - this.rate * (now - b.last) <= 0) this.buckets.delete(k);
  }
}

export type Admission = { ok: true; release: () => void } | { ok: false; why: 'rate' | 'connections' };

const NOTHING = () => {};

export class Limiter {
  private readonly zones = new Map<string, RequestZone>();
  /** zone → client → requests in progress */
  private readonly active = new Map<string, Map<string, number>>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /**
   * Whether a request of a client may go on, in nginx's order (limit_req before limit_conn);
   * when it may, `release` must be called once its response is over.
   */
  admit(l: RateLimits, client: string): Admission {
    if (l.whitelist.some((c) => inCidr(client, c))) return { ok: true, release: NOTHING };
    const now = this.now();
    const checks: { zone: RequestZone; excess: number }[] = [];
    for (const [suffix, perSecond, limit] of [
      ['rps', l.rps, l.rps],
      ['rpm', l.rpm / 60, l.rpm],
    ] as const) {
      if (limit <= 0) continue;
      const zone = this.zone(`${l.zone}/${suffix}`, perSecond, limit * l.burstMultiplier);
      const excess = zone.probe(client, now);
      if (excess === undefined) return { ok: false, why: 'rate' };
      checks.push({ zone, excess });
    }
    if (l.connections > 0) {
      const inZone = this.active.get(l.zone)?.get(client) ?? 0;
      if (inZone >= l.connections) return { ok: false, why: 'connections' };
    }
    for (const c of checks) c.zone.commit(client, now, c.excess);
    if (l.connections <= 0) return { ok: true, release: NOTHING };
    let zone = this.active.get(l.zone);
    if (!zone) this.active.set(l.zone, (zone = new Map()));
    const clients = zone;
    clients.set(client, (clients.get(client) ?? 0) + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        const n = (clients.get(client) ?? 1) - 1;
        if (n > 0) clients.set(client, n);
        else clients.delete(client);
      },
    };
  }

  /** Forgets the zones of Ingresses no longer served (prefix = their zone names). */
  retain(zones: Set<string>): void {
    for (const k of this.zones.keys()) if (!zones.has(k.slice(0, k.lastIndexOf('/')))) this.zones.delete(k);
    for (const [k, clients] of this.active) if (!zones.has(k) && !clients.size) this.active.delete(k);
  }

  private zone(name: string, perSecond: number, burst: number): RequestZone {
    let z = this.zones.get(name);
    if (!z) this.zones.set(name, (z = new RequestZone()));
    z.rate = perSecond;
    z.burst = burst;
    return z;
  }
}
