// Our own recent slice writes, laid over the informer's cache until the informer has caught up
// (the role of upstream's EndpointSliceTracker): without it, a sync that runs before the watch
// delivers a slice we just created would create it again.
import type { KubeObject } from '../../api/types.js';

const rv = (o: KubeObject) => Number(o.metadata.resourceVersion ?? 0);

export class SliceWrites<T extends KubeObject = KubeObject> {
  /** service key → slice name → what we wrote (undefined: we deleted it) */
  private readonly pending = new Map<string, Map<string, { obj?: T; rv: number }>>();

  wrote(service: string, obj: T): void {
    this.entry(service).set(obj.metadata.name!, { obj, rv: rv(obj) });
  }

  deleted(service: string, obj: T): void {
    this.entry(service).set(obj.metadata.name!, { rv: Infinity });
  }

  /** The informer saw `obj`: what we wrote up to its revision is no longer news. */
  observed(obj: KubeObject): void {
    for (const [svc, m] of this.pending) {
      const p = m.get(obj.metadata.name!);
      if (p && p.obj && rv(obj) >= p.rv) m.delete(obj.metadata.name!);
      if (!m.size) this.pending.delete(svc);
    }
  }

  observedDelete(obj: KubeObject): void {
    for (const [svc, m] of this.pending) {
      m.delete(obj.metadata.name!);
      if (!m.size) this.pending.delete(svc);
    }
  }

  /** The cached slices of a service with our newer writes in place of theirs. */
  overlay(service: string, cached: T[]): T[] {
    const m = this.pending.get(service);
    if (!m) return cached;
    const out: T[] = [];
    const seen = new Set<string>();
    for (const c of cached) {
      seen.add(c.metadata.name!);
      const p = m.get(c.metadata.name!);
      if (!p) out.push(c);
      else if (p.obj) out.push(rv(p.obj) > rv(c) ? p.obj : c);
    }
    for (const [name, p] of m) if (!seen.has(name) && p.obj) out.push(p.obj);
    return out;
  }

  private entry(service: string): Map<string, { obj?: T; rv: number }> {
    let m = this.pending.get(service);
    if (!m) this.pending.set(service, (m = new Map()));
    return m;
  }
}
