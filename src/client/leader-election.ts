// Leader election on a coordination.k8s.io/v1 Lease (client-go's leaderelection with the
// LeaseLock): a candidate takes the lease when it is free or its holder stopped renewing for
// leaseDuration, renews it every retryPeriod, and gives up leadership when it could not renew
// within renewDeadline. Several `k8ts server`s can then run one active controller manager.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { StatusError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { logger } from '../util/log.js';
import type { RestClient } from './rest.js';

const log = logger('leader-election');

export interface LeaderElectionConfig {
  namespace: string;
  /** Lease name, e.g. 'kube-controller-manager' or 'kube-scheduler' as upstream. */
  name: string;
  /** Defaults as kube-controller-manager: 15 s, 10 s, 2 s. */
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  identity?: string;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** MicroTime as the API serializes it (RFC 3339 with microseconds). */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/(\.\d{3})Z$/, '$1000Z');
}

export class LeaderElector {
  readonly identity: string;
  private readonly leaseSeconds: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private timer: NodeJS.Timeout | undefined;
  private leading = false;
  private lastRenew = 0;
  /** What we last saw of someone else's lease, and when (local clock, as client-go). */
  private observed: { renewTime?: string; holder?: string; at: number } = { at: 0 };
  private stopped = false;

  constructor(
    private readonly client: RestClient,
    private readonly cfg: LeaderElectionConfig,
    private readonly callbacks: { onStartedLeading(): void; onStoppedLeading(): void },
  ) {
    this.identity = cfg.identity ?? `${hostname()}_${randomUUID()}`;
    this.leaseSeconds = cfg.leaseDurationSeconds ?? 15;
    this.renewDeadlineMs = cfg.renewDeadlineMs ?? 10_000;
    this.retryMs = cfg.retryPeriodMs ?? 2_000;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    void this.tick();
  }

  /** Stops campaigning; a leader releases the lease so another candidate takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.read();
      if (lease && (lease.spec as LeaseSpec | undefined)?.holderIdentity === this.identity) {
        // client-go's release(): no holder, a 1 s duration, renew and acquire time now
        const now = microTime(Date.now());
        const spec: LeaseSpec = {
          ...(lease.spec as LeaseSpec),
          holderIdentity: '',
          leaseDurationSeconds: 1,
          acquireTime: now,
          renewTime: now,
        };
        await this.client.request('PUT', this.path(lease.metadata.name), { ...lease, spec });
      }
    } catch (err) {
      log.debug('could not release the lease', { error: String(err) });
    }
  }

  private path(name = ''): string {
    const base = `/apis/coordination.k8s.io/v1/namespaces/${this.cfg.namespace}/leases`;
    return name ? `${base}/${name}` : base;
  }

  private async read(): Promise<KubeObject | undefined> {
    try {
      return await this.client.request<KubeObject>('GET', this.path(this.cfg.name));
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return undefined;
      throw err;
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (err) {
      log.debug('lease attempt failed', { lease: this.cfg.name, error: String(err) });
    }
    const now = Date.now();
    if (ok) {
      this.lastRenew = now;
      if (!this.leading) {
        this.leading = true;
        log.info('became leader', {
          lease: `${this.cfg.namespace}/${this.cfg.name}`,
          identity: this.identity,
        });
        this.callbacks.onStartedLeading();
      }
    } else if (this.leading && now - this.lastRenew > this.renewDeadlineMs) {
      this.leading = false;
      log.warn('lost leadership', { lease: this.cfg.name });
      this.callbacks.onStoppedLeading();
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.retryMs);
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = Date.now();
    const lease = await this.read();
    const fresh: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.leaseSeconds,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    if (!lease) {
      await this.client.request('POST', this.path(), {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.cfg.name, namespace: this.cfg.namespace },
        spec: fresh,
      });
      return true;
    }
    const spec = (lease.spec ?? {}) as LeaseSpec;
    if (spec.renewTime !== this.observed.renewTime || spec.holderIdentity !== this.observed.holder) {
      this.observed = { renewTime: spec.renewTime, holder: spec.holderIdentity, at: now };
    }
    const holder = spec.holderIdentity ?? '';
    const ours = holder === this.identity;
    const expired = now - this.observed.at > (spec.leaseDurationSeconds ?? this.leaseSeconds) * 1000;
    if (holder && !ours && !expired) return false;
    const next: LeaseSpec = ours
      ? { ...spec, renewTime: microTime(now), leaseDurationSeconds: this.leaseSeconds }
      : { ...fresh, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 };
    // the PUT carries the read resourceVersion: a concurrent candidate's write makes ours fail
    await this.client.request('PUT', this.path(this.cfg.name), { ...lease, spec: next });
    this.observed = { renewTime: next.renewTime, holder: this.identity, at: now };
    return true;
  }
}
