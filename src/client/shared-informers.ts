// One informer per collection path, shared by every controller of a process (client-go's
// SharedInformerFactory), so that five controllers watching pods cost one watch, not five.
import { Informer } from './informer.js';
import type { RestClient } from './rest.js';

export class SharedInformers {
  private readonly informers = new Map<string, Informer>();
  private started = false;
  private readonly running = new Set<Informer>();

  constructor(private readonly client: RestClient) {}

  /** The informer of a collection, e.g. '/api/v1/pods' or '/apis/apps/v1/replicasets'. */
  informer(path: string): Informer {
    let inf = this.informers.get(path);
    if (!inf) {
      inf = new Informer(this.client, path);
      this.informers.set(path, inf);
      if (this.started) this.run(inf);
    }
    return inf;
  }

  /** Starts every informer asked for so far (and, from now on, each new one at once). */
  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) this.run(inf);
  }

  private run(inf: Informer): void {
    if (this.running.has(inf)) return;
    this.running.add(inf);
    inf.start();
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
  }

  dispose(): void {
    for (const inf of this.informers.values()) inf.dispose();
    this.informers.clear();
    this.running.clear();
  }
}
