// The resourcequota controller (pkg/controller/resourcequota): keeps every quota's status.hard
// equal to spec.hard and status.used equal to what its namespace really uses, recounted from
// informer caches. A quota is recounted when it is created or its spec.hard changes, when
// something it counts goes away (deleted; a pod turning terminal; a service changing type), and
// on a full resync every five minutes. Admission charges new objects at once; this controller
// gives back what is released and corrects any drift.
import type { KubeObject } from '../../api/types.js';
import { isRecord } from '../../api/types.js';
import { objectKey, type Informer } from '../../client/informer.js';
import { collectionPath, discoverResources, type DiscoveredResource } from '../../client/discovery.js';
import type { RestClient } from '../../client/rest.js';
import type { SharedInformers } from '../../client/shared-informers.js';
import { WorkQueue } from '../../client/workqueue.js';
import { runWorkers } from '../../client/reconcile-workers.js';
import { logger } from '../../util/log.js';
import type { Evaluator } from '../../api/quota/evaluator.js';
import { hardOf } from '../../api/quota/evaluator.js';
import { podCharged } from '../../api/quota/pods.js';
import { evaluatorsFor } from '../../api/quota/registry.js';
import { quotaServiceType } from '../../api/quota/services.js';
import { equals, resourceList } from '../../api/quota/resources.js';
import { calculateUsage, quotaStatusUpdate } from '../../api/quota/usage.js';

const log = logger('resourcequota-controller');
/** upstream's --resource-quota-sync-period default */
export const FULL_RESYNC_MS = 5 * 60_000;

const grKey = (group: string, resource: string) => (group ? `${resource}.${group}` : resource);

/** Whether a change of a counted object can lower usage (upstream QuotaMonitor's update filter). */
function releasesUsage(group: string, resource: string, old: KubeObject, cur: KubeObject): boolean {
  if (group !== '') return false;
  const now = new Date();
  if (resource === 'pods') return podCharged(old, now) && !podCharged(cur, now);
  if (resource === 'services') return quotaServiceType(old) !== quotaServiceType(cur);
  return false;
}

export interface ResourceQuotaControllerOptions {
  resyncMs?: number;
  workers?: number;
}

export class ResourceQuotaController {
  private readonly quotas: Informer;
  private readonly queue = new WorkQueue();
  /** informers of the resources quotas count, by group-resource */
  private readonly counted = new Map<string, Informer>();
  private resources: DiscoveredResource[] | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: RestClient,
    private readonly informers: SharedInformers,
    private readonly opts: ResourceQuotaControllerOptions = {},
  ) {
    this.quotas = informers.informer('/api/v1/resourcequotas');
    this.quotas.addHandlers({
      onAdd: (q) => this.queue.add(objectKey(q)),
      onUpdate: (old, cur) => {
        // status writes (ours and admission's) do not need a recount
        if (!equals(resourceList(hardOf(old, 'spec')), resourceList(hardOf(cur, 'spec'))))
          this.queue.add(objectKey(cur));
      },
    });
    // the built-in evaluators' resources are watched from the start
    for (const ev of evaluatorsFor([])) this.watch(ev.group, ev.resource, `/api/v1/${ev.resource}`);
  }

  async start(): Promise<void> {
    const workers = this.opts.workers ?? 2;
    runWorkers(this.queue, workers, (key) => this.reconcile(key), log);
    this.resyncTimer = setInterval(() => this.enqueueAll(), this.opts.resyncMs ?? FULL_RESYNC_MS);
    this.resyncTimer.unref();
  }

  stop(): void {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.queue.shutDown();
  }

  private enqueueAll(): void {
    for (const q of this.quotas.list()) this.queue.add(objectKey(q));
  }

  private enqueueNamespace(namespace: string | undefined): void {
    if (!namespace) return;
    for (const q of this.quotas.listNamespace(namespace)) this.queue.add(objectKey(q));
  }

  private watch(group: string, resource: string, path: string): Informer {
    const key = grKey(group, resource);
    let inf = this.counted.get(key);
    if (inf) return inf;
    inf = this.informers.informer(path);
    inf.addHandlers({
      onDelete: (o) => this.enqueueNamespace(o.metadata.namespace),
      onUpdate: (old, cur) => {
        if (releasesUsage(group, resource, old, cur)) this.enqueueNamespace(cur.metadata.namespace);
      },
    });
    this.counted.set(key, inf);
    return inf;
  }

  /** The informer of an evaluator's resource, made on first need; undefined if the server lacks it. */
  private async informerFor(ev: Evaluator): Promise<Informer | undefined> {
    const known = this.counted.get(grKey(ev.group, ev.resource));
    if (known) return known;
    const find = () => this.resources?.find((r) => r.group === ev.group && r.name === ev.resource);
    if (!find()) this.resources = await discoverResources(this.client);
    const r = find();
    if (!r || !r.namespaced || !r.verbs.includes('list') || !r.verbs.includes('watch')) return undefined;
    return this.watch(ev.group, ev.resource, collectionPath(r));
  }

  /** Recounts one quota and writes its status when it changed. */
  async reconcile(key: string): Promise<void> {
    const quota = this.quotas.get(key);
    if (!quota) return;
    const namespace = quota.metadata.namespace!;
    const lists = new Map<Evaluator, KubeObject[]>();
    for (const ev of evaluatorsFor(Object.keys(hardOf(quota, 'spec') ?? {}))) {
      const inf = await this.informerFor(ev);
      if (!inf) continue;
      await inf.waitForSync();
      lists.set(ev, inf.listNamespace(namespace));
    }
    const recounted = calculateUsage(quota, (ev) => lists.get(ev) ?? [], new Date());
    const status = quotaStatusUpdate(quota, recounted);
    if (!status) return;
    const prev = isRecord(quota.status) ? quota.status : {};
    await this.client.request(
      'PUT',
      `/api/v1/namespaces/${namespace}/resourcequotas/${quota.metadata.name}/status`,
      { ...quota, status: { ...prev, ...status } },
    );
  }
}
