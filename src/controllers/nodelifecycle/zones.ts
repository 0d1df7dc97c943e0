// Zone states and eviction rate limits (upstream's node lifecycle "disruption" handling): a
// zone where more than 55% of (and more than two) nodes are not ready is partially disrupted
// and gets no new NoExecute taints (0.01 node/s if it has more than 50 nodes); if no node in
// any zone is ready the controller assumes it is itself cut off and taints nothing. Otherwise
// new NoExecute taints are added at --node-eviction-rate (0.1 node/s) per zone, burst 1.
import type { KubeObject } from '../../api/types.js';

export const EVICTION_QPS = 0.1;
export const SECONDARY_EVICTION_QPS = 0.01;
export const LARGE_CLUSTER_THRESHOLD = 50;
export const UNHEALTHY_ZONE_THRESHOLD = 0.55;

export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

/** upstream's GetZoneKey: region and zone labels ('' when a node has neither). */
export function zoneKey(node: KubeObject): string {
  const l = node.metadata.labels ?? {};
  const region = l['topology.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? '';
  return region || zone ? `${region}:\x00:${zone}` : '';
}

export function zoneState(ready: number, notReady: number): ZoneState {
  if (ready === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / (notReady + ready) >= UNHEALTHY_ZONE_THRESHOLD) return 'PartialDisruption';
  return 'Normal';
}

/** The rate at which a zone's nodes may get new NoExecute taints. */
export function zoneQPS(state: ZoneState, size: number): number {
  if (state === 'PartialDisruption') return size > LARGE_CLUSTER_THRESHOLD ? SECONDARY_EVICTION_QPS : 0;
  return EVICTION_QPS;
}

/** A token bucket with burst 1 (client-go's tokenBucketRateLimiter as the controller uses it). */
export class TokenBucket {
  private tokens = 1;
  private last: number;

  constructor(
    private qps: number,
    now: number,
  ) {
    this.last = now;
  }

  setQPS(qps: number, now: number): void {
    this.refill(now);
    this.qps = qps;
  }

  private refill(now: number): void {
    this.tokens = Math.min(1, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }

  tryAccept(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
