// The namespace controller (upstream's NamespaceController): when a namespace is being
// deleted, delete everything in it, then remove the `kubernetes` finalizer so the API server
// removes the namespace. Level-based: each pass looks at what is left and goes on from there.
import type { KubeObject } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import { collectionPath, discoverResources, type DiscoveredResource } from '../../client/discovery.js';
import type { Informer } from '../../client/informer.js';
import type { RestClient } from '../../client/rest.js';
import { WorkQueue } from '../../client/workqueue.js';
import { runWorkers } from '../../client/reconcile-workers.js';
import { logger } from '../../util/log.js';

const log = logger('namespace-controller');
/** How soon to look again while content is still going away (upstream estimates; we poll). */
const CONTENT_REMAINING_RECHECK_MS = 1000;
/**
 * Upstream waits this long after every namespace event before it deletes content, so that
 * every API server's lifecycle admission has seen the deletion (and refuses new objects with
 * "being terminated") before the cleanup lists what is there.
 */
export const NAMESPACE_DELETION_GRACE_MS = 5000;

export class NamespaceController {
  private readonly queue = new WorkQueue();

  constructor(
    private readonly client: RestClient,
    /** the shared informer of /api/v1/namespaces (started and synced by the manager) */
    private readonly informer: Informer,
    private readonly workers = 2,
    private readonly deletionGraceMs = NAMESPACE_DELETION_GRACE_MS,
  ) {
    const enqueue = (o: KubeObject) => {
      if (o.metadata.deletionTimestamp) this.queue.addAfter(o.metadata.name!, this.deletionGraceMs);
    };
    this.informer.addHandlers({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n) });
  }

  start(): void {
    runWorkers(this.queue, this.workers, (key) => this.reconcile(key), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  /** Returns a delay when the namespace must be looked at again. */
  async reconcile(name: string): Promise<number | undefined> {
    const ns = this.informer.get(name);
    if (!ns || !ns.metadata.deletionTimestamp) return undefined;
    const finalizers = ((ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).filter(
      (f) => f !== 'kubernetes',
    );
    const hasOurs = ((ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).includes(
      'kubernetes',
    );
    if (!hasOurs) return undefined;
    const resources = (await discoverResources(this.client)).filter(
      (r) =>
        r.namespaced &&
        r.verbs.includes('list') &&
        r.verbs.includes('delete') &&
        !(r.group === 'events.k8s.io'),
    );
    let remaining = 0;
    for (const r of resources) remaining += await this.deleteAllOf(r, name);
    if (remaining > 0) return CONTENT_REMAINING_RECHECK_MS;
    try {
      await this.client.request('PUT', `/api/v1/namespaces/${name}/finalize`, {
        ...ns,
        spec: { ...(ns.spec as object), finalizers },
      });
    } catch (err) {
      if (err instanceof StatusError && (err.code === 404 || err.code === 409))
        return err.code === 409 ? 100 : undefined;
      throw err;
    }
    return undefined;
  }

  /** Deletes every object of one resource in the namespace; returns how many are still there. */
  private async deleteAllOf(r: DiscoveredResource, namespace: string): Promise<number> {
    const path = collectionPath(r, namespace);
    try {
      if (r.verbs.includes('deletecollection')) await this.client.request('DELETE', path);
      const left = await this.client.request<{ items: KubeObject[] }>('GET', path);
      if (!r.verbs.includes('deletecollection')) {
        for (const o of left.items) {
          await this.client.request('DELETE', `${path}/${o.metadata.name}`).catch(() => undefined);
        }
      }
      return left.items.length;
    } catch (err) {
      if (err instanceof StatusError && (err.code === 404 || err.code === 405)) return 0;
      throw err;
    }
  }
}
