// Leader election on a coordination.k8s.io Lease (client-go's leaderelection with
// LeaseLock): one candidate holds the lease and renews it every retryPeriod; the others take
// it over once renewTime + leaseDurationSeconds has passed. A leader that cannot renew within
// renewDeadline has lost: onStoppedLeading runs (components exit, as upstream's do).
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { StatusError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import type { RestClient } from './rest.js';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  /** holderIdentity; upstream's default is `<hostname>_<uuid>` */
  identity?: string;
  /** upstream's defaults: 15 s, 10 s, 2 s */
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** the clock (tests) */
  now?: () => Date;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

const microTime = (d: Date) => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export class LeaderElector {
  readonly identity: string;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastRenew = 0;

  constructor(
    private readonly client: RestClient,
    private readonly opts: LeaderElectionOptions,
  ) {
    this.identity = opts.identity ?? `${hostname()}_${randomUUID()}`;
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.opts.namespace}/leases/${this.opts.name}`;
  }

  /** Resolves once this candidate leads; then keeps renewing until stop() or loss. */
  async run(onStoppedLeading: () => void): Promise<void> {
    const retry = this.opts.retryPeriodMs ?? 2000;
    while (!this.stopped && !(await this.tryAcquireOrRenew())) await new Promise((r) => setTimeout(r, retry));
    if (this.stopped) return;
    const renewDeadline = this.opts.renewDeadlineMs ?? 10_000;
    const renew = () => {
      if (this.stopped) return;
      void this.tryAcquireOrRenew().then((ok) => {
        if (this.stopped) return;
        if (!ok && Date.now() - this.lastRenew > renewDeadline) {
          this.stopped = true;
          onStoppedLeading();
          return;
        }
        this.timer = setTimeout(renew, retry);
      });
    };
    this.timer = setTimeout(renew, retry);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One attempt (upstream's tryAcquireOrRenew): true when we hold the lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.opts.now?.() ?? new Date();
    const duration = this.opts.leaseDurationSeconds ?? 15;
    let lease: KubeObject | undefined;
    try {
      lease = await this.client.request<KubeObject>('GET', this.path);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) return false;
    }
    const spec: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: duration,
      renewTime: microTime(now),
    };
    try {
      if (!lease) {
        spec.acquireTime = spec.renewTime;
        spec.leaseTransitions = 0;
        await this.client.request(
          'POST',
          `/apis/coordination.k8s.io/v1/namespaces/${this.opts.namespace}/leases`,
          {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: this.opts.name, namespace: this.opts.namespace },
            spec,
          },
        );
      } else {
        const old = (lease.spec ?? {}) as LeaseSpec;
        const renewed = old.renewTime ? Date.parse(old.renewTime) : 0;
        const expired = renewed + (old.leaseDurationSeconds ?? duration) * 1000 < now.getTime();
        const ours = old.holderIdentity === this.identity;
        if (!ours && old.holderIdentity && !expired) return false;
        spec.acquireTime = ours ? old.acquireTime : spec.renewTime;
        spec.leaseTransitions = (old.leaseTransitions ?? 0) + (ours ? 0 : 1);
        await this.client.request('PUT', this.path, { ...lease, spec });
      }
      this.lastRenew = Date.now();
      return true;
    } catch {
      // a conflict: someone else wrote it first
      return false;
    }
  }
}
