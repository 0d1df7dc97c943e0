// The service-account controller (upstream's serviceaccounts_controller.go): every active
// namespace has a ServiceAccount named "default"; deleting it brings it back. Level-based:
// a namespace key is reconciled from the caches (namespace and service-account events both
// enqueue the namespace).
import { StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { Informer } from '../../client/informer.js';
import type { RestClient } from '../../client/rest.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { logger } from '../../util/log.js';

const log = logger('serviceaccount-controller');
/** upstream's --service-account controller list: just "default". */
const ACCOUNTS = ['default'];

export class ServiceAccountsController implements Controller {
  private readonly namespaces: Informer;
  private readonly accounts: Informer;
  private readonly queue = new WorkQueue();
  private readonly client: RestClient;
  private stopped = false;

  constructor(
    ctx: ControllerContext,
    private readonly workers = 2,
  ) {
    this.client = ctx.client;
    this.namespaces = ctx.informers.informer('/api/v1/namespaces');
    this.accounts = ctx.informers.informer('/api/v1/serviceaccounts');
    const onNamespace = (ns: KubeObject) => this.queue.add(ns.metadata.name!);
    this.namespaces.addHandlers({ onAdd: onNamespace, onUpdate: (_o, ns) => onNamespace(ns) });
    this.accounts.addHandlers({
      onDelete: (sa) => {
        if (ACCOUNTS.includes(sa.metadata.name ?? '')) this.queue.add(sa.metadata.namespace!);
      },
    });
  }

  start(): void {
    for (let i = 0; i < this.workers; i++) void this.worker();
  }

  stop(): void {
    this.stopped = true;
    this.queue.shutDown();
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined || this.stopped) return;
      try {
        await this.reconcile(key);
        this.queue.forget(key);
      } catch (err) {
        log.warn('service account sync failed; retrying', { namespace: key, error: String(err) });
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  async reconcile(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace);
    if (!ns || (ns.status as { phase?: string } | undefined)?.phase !== 'Active') return;
    for (const name of ACCOUNTS) {
      if (this.accounts.get(`${namespace}/${name}`)) continue;
      try {
        await this.client.request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name },
        });
      } catch (err) {
        // exists already (our cache is behind), or the namespace began terminating meanwhile
        if (err instanceof StatusError && (err.code === 409 || err.code === 403 || err.code === 404))
          continue;
        throw err;
      }
    }
  }
}
