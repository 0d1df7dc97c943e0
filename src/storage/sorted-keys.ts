// The watch cache's keys in ascending order (etcd's list order), kept sorted on every change
// so that lists and pages never sort: a binary search finds where a page starts.
export class SortedKeys {
  private keys: string[] = [];

  /** Replaces the contents (keys in any order). */
  reset(keys: Iterable<string>): void {
    this.keys = [...keys].sort();
  }

  get length(): number {
    return this.keys.length;
  }

  at(i: number): string {
    return this.keys[i];
  }

  /** Index of the first key >= target. */
  lowerBound(target: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] !== key) this.keys.splice(i, 0, key);
  }

  remove(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] === key) this.keys.splice(i, 1);
  }
}
