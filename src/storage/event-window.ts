// The watch cache's window of recent events: a fixed-size ring in revision order, so that a
// watch can resume from a recent resourceVersion without touching storage.
import type { CacheEvent } from './cacher-types.js';

export class EventWindow {
  private readonly ring: (CacheEvent | undefined)[];
  /** Index of the oldest event in ring. */
  private head = 0;
  private size = 0;
  /** Whether an event has been pushed out since the last reset (upstream tracks the same). */
  private dropped = false;

  constructor(
    readonly capacity: number,
    /** The revision the cache's initial list was read at. */
    private listRevision = 0,
  ) {
    if (capacity < 1) throw new Error('event window capacity must be at least 1');
    this.ring = new Array<CacheEvent | undefined>(capacity);
  }

  /** Empties the window after a fresh list at revision. */
  reset(listRevision: number): void {
    this.ring.fill(undefined);
    this.head = 0;
    this.size = 0;
    this.dropped = false;
    this.listRevision = listRevision;
  }

  push(ev: CacheEvent): void {
    if (this.size === this.capacity) {
      this.ring[this.head] = ev;
      this.head = (this.head + 1) % this.capacity;
      this.dropped = true;
      return;
    }
    this.ring[(this.head + this.size) % this.capacity] = ev;
    this.size++;
  }

  private at(i: number): CacheEvent {
    return this.ring[(this.head + i) % this.capacity]!;
  }

  /**
   * The oldest resourceVersion a watch may start from. As upstream's watch cache: the revision
   * before the oldest event kept, or the list revision while nothing has been pushed out.
   */
  resumableFrom(): number {
    return this.dropped ? this.at(0).revision - 1 : this.listRevision;
  }

  /** Events with revision > afterRevision, oldest first. */
  since(afterRevision: number): CacheEvent[] {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).revision <= afterRevision) lo = mid + 1;
      else hi = mid;
    }
    const out: CacheEvent[] = [];
    for (let i = lo; i < this.size; i++) out.push(this.at(i));
    return out;
  }
}
