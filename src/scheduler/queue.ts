// The scheduling queue (upstream's PriorityQueue): activeQ (ordered by the QueueSort plugin),
// backoffQ (pods waiting out 1 s doubling to 10 s after a failed attempt) and unschedulablePods
// (waiting for a cluster event that may help: node added or changed, a pod deleted). A pod
// whose attempt failed while such an event happened goes to backoff at once, so an event in
// the middle of a cycle is never lost. Pods left unschedulable for 5 min are retried anyway.
import { KeyedHeap } from './heap.js';
import type { Pod, QueuedPodInfo, QueueSortPlugin } from './framework/types.js';
import { podKey } from './framework/node-info.js';

export const INITIAL_BACKOFF_MS = 1_000;
export const MAX_BACKOFF_MS = 10_000;
const UNSCHEDULABLE_MAX_MS = 5 * 60_000;

export class SchedulingQueue {
  private readonly active: KeyedHeap<QueuedPodInfo>;
  private readonly backoff = new KeyedHeap<QueuedPodInfo>(
    (p) => p.key,
    (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b),
  );
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /** pods popped and not yet done (key → info) */
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private schedulingCycle = 0;
  private moveRequestCycle = -1;
  private waiter: ((p: QueuedPodInfo | undefined) => void) | undefined;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private lastFlush = Date.now();

  constructor(
    sort: QueueSortPlugin,
    private readonly now: () => number = Date.now,
  ) {
    this.active = new KeyedHeap<QueuedPodInfo>(
      (p) => p.key,
      (a, b) => sort.less(a, b),
    );
    this.timer = setInterval(() => this.flush(), 200);
    this.timer.unref();
  }

  /** Backoff of a pod after `attempts` failures: 1 s, 2 s, 4 s, 8 s, then 10 s. */
  static backoffDuration(attempts: number): number {
    return Math.min(INITIAL_BACKOFF_MS * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
  }

  private backoffExpiry(p: QueuedPodInfo): number {
    return p.timestamp + SchedulingQueue.backoffDuration(p.attempts);
  }

  get pendingCounts(): { active: number; backoff: number; unschedulable: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  /** A new pod to schedule (or an update of one already queued). */
  add(pod: Pod): void {
    const key = podKey(pod);
    if (this.inFlight.has(key)) {
      this.inFlight.get(key)!.pod = pod;
      return;
    }
    const existing = this.active.get(key) ?? this.backoff.get(key) ?? this.unschedulable.get(key);
    if (existing) {
      existing.pod = pod;
      // an update may make it schedulable: give it another try
      if (this.unschedulable.delete(key)) this.requeue(existing);
      return;
    }
    this.pushActive({ pod, key, timestamp: this.now(), attempts: 0, unschedulablePlugins: new Set() });
  }

  delete(pod: Pod): void {
    const key = podKey(pod);
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    this.inFlight.delete(key);
  }

  /** The next pod to schedule; waits while the active queue is empty. */
  pop(): Promise<QueuedPodInfo | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const p = this.active.pop();
    if (p) return Promise.resolve(this.started(p));
    return new Promise((resolve) => (this.waiter = (x) => resolve(x && this.started(x))));
  }

  private started(p: QueuedPodInfo): QueuedPodInfo {
    this.schedulingCycle++;
    p.attempts++;
    p.initialAttemptTimestamp ??= this.now();
    p.cycle = this.schedulingCycle;
    this.inFlight.set(p.key, p);
    return p;
  }

  /** The attempt is over (bound or assumed): forget the pod. */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * The attempt failed. `unschedulable`: the cluster must change first (else it was an error:
   * plain backoff).
   */
  addUnschedulable(p: QueuedPodInfo, unschedulable: boolean): void {
    if (!this.inFlight.has(p.key)) return; // deleted meanwhile
    this.inFlight.delete(p.key);
    p.timestamp = this.now();
    if (!unschedulable || this.moveRequestCycle >= (p.cycle ?? 0)) this.backoff.push(p);
    else this.unschedulable.set(p.key, p);
  }

  /** A cluster event that may make pods schedulable (upstream's MoveAllToActiveOrBackoffQueue). */
  moveAllToActiveOrBackoff(): void {
    for (const p of this.unschedulable.values()) this.requeue(p);
    this.unschedulable.clear();
    this.moveRequestCycle = this.schedulingCycle;
  }

  private requeue(p: QueuedPodInfo): void {
    if (this.backoffExpiry(p) > this.now()) this.backoff.push(p);
    else this.pushActive(p);
  }

  private pushActive(p: QueuedPodInfo): void {
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(p);
    } else this.active.push(p);
  }

  /** Moves pods whose backoff is over, and long-unschedulable ones, to the active queue. */
  flush(): void {
    const now = this.now();
    for (let p = this.backoff.peek(); p && this.backoffExpiry(p) <= now; p = this.backoff.peek()) {
      this.backoff.pop();
      this.pushActive(p);
    }
    if (now - this.lastFlush < 30_000) return;
    this.lastFlush = now;
    for (const [key, p] of this.unschedulable) {
      if (now - p.timestamp < UNSCHEDULABLE_MAX_MS) continue;
      this.unschedulable.delete(key);
      this.requeue(p);
    }
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.waiter?.(undefined);
    this.waiter = undefined;
  }
}
