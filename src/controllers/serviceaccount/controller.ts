// The serviceaccount controller (upstream's ServiceAccountsController): every active namespace
// has a `default` ServiceAccount; deleting it brings it back.
import type { KubeObject } from '../../api/types.js';
import { isStatus, namespaceGoneOrTerminating, runWorkers } from '../../client/reconcile-workers.js';
import type { Informer } from '../../client/informer.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { logger } from '../../util/log.js';

const log = logger('serviceaccount-controller');
/** The accounts every namespace gets (upstream's DefaultServiceAccountsControllerOptions). */
export const ENSURED_SERVICE_ACCOUNTS = ['default'];

function active(ns: KubeObject): boolean {
  const phase = (ns.status as { phase?: string } | undefined)?.phase;
  return !ns.metadata.deletionTimestamp && (phase === undefined || phase === 'Active');
}

export class ServiceAccountsController implements Controller {
  private readonly namespaces: Informer;
  private readonly accounts: Informer;
  private readonly queue = new WorkQueue();

  constructor(private readonly ctx: ControllerContext) {
    this.namespaces = ctx.informers.informer('/api/v1/namespaces');
    this.accounts = ctx.informers.informer('/api/v1/serviceaccounts');
    const enqueueNs = (ns: KubeObject) => {
      if (active(ns)) this.queue.add(ns.metadata.name!);
    };
    this.namespaces.addHandlers({ onAdd: enqueueNs, onUpdate: (_o, n) => enqueueNs(n) });
    this.accounts.addHandlers({
      onDelete: (sa) => {
        if (ENSURED_SERVICE_ACCOUNTS.includes(sa.metadata.name!)) this.queue.add(sa.metadata.namespace!);
      },
    });
  }

  start(): void {
    runWorkers(this.queue, 2, (ns) => this.reconcile(ns), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  async reconcile(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace);
    if (!ns || !active(ns)) return;
    for (const name of ENSURED_SERVICE_ACCOUNTS) {
      if (this.accounts.get(`${namespace}/${name}`)) continue;
      try {
        await this.ctx.client.request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name, namespace },
        });
      } catch (err) {
        if (isStatus(err, 409) || namespaceGoneOrTerminating(err)) continue;
        throw err;
      }
    }
  }
}
