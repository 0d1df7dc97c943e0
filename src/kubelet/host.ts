// Runs one or many kubelets in one process over one API client (one HTTP/2 session), one pod
// informer indexed by spec.nodeName and one node informer, so that 1,000 simulated nodes cost
// two watches, not 2,000. A bounded work queue with a few workers syncs pods by key.
import type { KubeObject } from '../api/types.js';
import { objectKey } from '../client/informer.js';
import type { RestClient } from '../client/rest.js';
import { SharedInformers } from '../client/shared-informers.js';
import { WorkQueue } from '../client/workqueue.js';
import { logger } from '../util/log.js';
import { Kubelet, type KubeletOptions } from './kubelet.js';
import type { Pod } from './runtime/types.js';

const log = logger('kubelet-host');
const WORKERS = 16;

const nodeNameOf = (o: KubeObject): string => {
  const spec = o.spec as { nodeName?: unknown } | undefined;
  return typeof spec?.nodeName === 'string' ? spec.nodeName : '';
};

export class KubeletHost {
  private readonly informers: SharedInformers;
  private readonly kubelets = new Map<string, Kubelet>();
  /** Static pod keys and the kubelet whose manifests define them. */
  private readonly staticOwners = new Map<string, Kubelet>();
  private readonly queue = new WorkQueue(100, 10_000);
  private running = false;
  private stopped = false;
  private readonly watchServices: boolean;

  constructor(
    private readonly client: RestClient,
    opts: { watchServices?: boolean } = {},
  ) {
    this.informers = new SharedInformers(client);
    this.watchServices = !!opts.watchServices;
    // real containers get the service variables (KUBERNETES_SERVICE_HOST, ...); simulated ones do not
    if (opts.watchServices) this.informers.informer('/api/v1/services');
    const pods = this.informers.informer('/api/v1/pods');
    pods.addIndex('nodeName', (o) => {
      const n = nodeNameOf(o);
      return n ? [n] : [];
    });
    pods.addHandlers({
      onAdd: (o) => this.podChanged(o),
      onUpdate: (_old, o) => this.podChanged(o),
      onDelete: (o) => this.kubelets.get(nodeNameOf(o))?.podDeleted(o as Pod),
    });
    this.informers.informer('/api/v1/nodes');
  }

  /** The Services known to the host (empty unless constructed with watchServices). */
  services(): KubeObject[] {
    return this.watchServices ? this.informers.informer('/api/v1/services').list() : [];
  }

  /** Adds a kubelet (before or after start()); its node registers at once when running. */
  add(opts: KubeletOptions): Kubelet {
    const k = new Kubelet(
      {
        client: this.client,
        node: (name) => this.informers.informer('/api/v1/nodes').get(name),
        enqueue: (key) => this.queue.add(key),
        claimStatic: (key, claim) => {
          if (claim) this.staticOwners.set(key, k);
          else if (this.staticOwners.get(key) === k) this.staticOwners.delete(key);
        },
      },
      opts,
    );
    this.kubelets.set(k.name, k);
    if (this.running) void this.startKubelet(k);
    return k;
  }

  /** The pods bound to node `nodeName`, as the informer has them (the kubelet server's view). */
  podsOf(nodeName: string): Pod[] {
    return this.informers.informer('/api/v1/pods').byIndex('nodeName', nodeName) as Pod[];
  }

  /** One pod by namespace and name, when it is bound to `nodeName`. */
  podOf(nodeName: string, namespace: string, name: string): Pod | undefined {
    const key = `${namespace}/${name}`;
    // a mirror pod's containers run under its static pod's UID
    const owner = this.staticOwners.get(key);
    if (owner?.name === nodeName) return owner.staticPodOf(key);
    const pod = this.informers.informer('/api/v1/pods').get(key) as Pod | undefined;
    return pod && nodeNameOf(pod) === nodeName ? pod : undefined;
  }

  get size(): number {
    return this.kubelets.size;
  }

  async start(): Promise<void> {
    this.running = true;
    this.informers.start();
    await this.informers.waitForSync();
    // register with bounded concurrency so that 1,000 nodes do not open 1,000 streams at once
    const all = [...this.kubelets.values()];
    for (let i = 0; i < all.length; i += 50)
      await Promise.all(all.slice(i, i + 50).map((k) => this.startKubelet(k)));
    for (let i = 0; i < WORKERS; i++) void this.worker();
    // pods already bound before we started
    for (const k of this.kubelets.values())
      for (const p of this.informers.informer('/api/v1/pods').byIndex('nodeName', k.name))
        this.queue.add(objectKey(p));
  }

  private async startKubelet(k: Kubelet): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await k.start();
        return;
      } catch (err) {
        log.warn('node registration failed; retrying', { node: k.name, error: String(err) });
        await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** attempt, 10_000)));
      }
    }
  }

  private podChanged(o: KubeObject): void {
    if (this.kubelets.has(nodeNameOf(o))) this.queue.add(objectKey(o));
  }

  private async worker(): Promise<void> {
    const pods = this.informers.informer('/api/v1/pods');
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const pod = pods.get(key) as Pod | undefined;
      const k = pod && this.kubelets.get(nodeNameOf(pod));
      const owner = this.staticOwners.get(key);
      try {
        if (owner) await owner.syncStatic(key, pod);
        else if (pod && k) await k.syncPod(key, pod);
        this.queue.forget(key);
      } catch (err) {
        log.debug('pod sync failed; retrying', { pod: key, error: String(err) });
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.queue.shutDown();
    for (const k of this.kubelets.values()) k.stop();
    this.informers.dispose();
  }
}
