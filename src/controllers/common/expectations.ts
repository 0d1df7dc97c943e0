// Controller expectations (upstream's UIDTrackingControllerExpectations): after a controller asks
// for N creations or for some deletions, it does not act on the same owner again until its
// informer has seen them (or five minutes passed), so a lagging watch never makes it create or
// delete twice.
const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Expectation {
  adds: number;
  /** keys of pods whose deletion we wait to see */
  deletes: Set<string>;
  since: number;
}

export class Expectations {
  private readonly byOwner = new Map<string, Expectation>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True when the owner may be synced: nothing pending, nothing recorded, or the record expired. */
  satisfied(owner: string): boolean {
    const e = this.byOwner.get(owner);
    if (!e) return true;
    if (e.adds <= 0 && e.deletes.size === 0) return true;
    return this.now() - e.since > EXPECTATIONS_TIMEOUT_MS;
  }

  expectCreations(owner: string, n: number): void {
    this.byOwner.set(owner, { adds: n, deletes: new Set(), since: this.now() });
  }

  expectDeletions(owner: string, podKeys: string[]): void {
    this.byOwner.set(owner, { adds: 0, deletes: new Set(podKeys), since: this.now() });
  }

  creationObserved(owner: string): void {
    const e = this.byOwner.get(owner);
    if (e) e.adds--;
  }

  deletionObserved(owner: string, podKey: string): void {
    this.byOwner.get(owner)?.deletes.delete(podKey);
  }

  forget(owner: string): void {
    this.byOwner.delete(owner);
  }
}
