// The TTL-after-finished controller (upstream's ttlafterfinished.Controller): a Job with
// spec.ttlSecondsAfterFinished is deleted (in the foreground, so its pods go first) that many
// seconds after it finished — the lastTransitionTime of its Complete or Failed condition.
// Before deleting, the Job is read fresh from the API server: a TTL changed meanwhile counts.
import type { KubeObject } from '../../api/types.js';
import type { Informer } from '../../client/informer.js';
import { isStatus, runWorkers } from '../../client/reconcile-workers.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { logger } from '../../util/log.js';

const log = logger('ttl-after-finished-controller');

/** When a finished Job with a TTL expires (epoch ms), or undefined if it has no TTL or runs. */
export function expiresAt(job: KubeObject): number | undefined {
  const ttl = (job.spec as { ttlSecondsAfterFinished?: number } | undefined)?.ttlSecondsAfterFinished;
  if (typeof ttl !== 'number' || job.metadata.deletionTimestamp) return undefined;
  const conds = (
    job.status as { conditions?: { type: string; status: string; lastTransitionTime?: string }[] } | undefined
  )?.conditions;
  const done = conds?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  if (!done) return undefined;
  const finished = Date.parse(done.lastTransitionTime ?? '');
  if (Number.isNaN(finished)) return undefined;
  return finished + ttl * 1000;
}

export class TTLAfterFinishedController implements Controller {
  private readonly jobs: Informer;
  private readonly queue = new WorkQueue();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly clock: () => number = Date.now,
  ) {
    this.jobs = ctx.informers.informer('/apis/batch/v1/jobs');
    const enqueue = (j: KubeObject) => {
      if (expiresAt(j) !== undefined) this.queue.add(`${j.metadata.namespace}/${j.metadata.name}`);
    };
    this.jobs.addHandlers({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n) });
  }

  start(): void {
    runWorkers(this.queue, 2, (key) => this.reconcile(key), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  async reconcile(key: string): Promise<number | undefined> {
    const cached = this.jobs.get(key);
    if (!cached) return;
    const at = expiresAt(cached);
    if (at === undefined) return;
    const now = this.clock();
    if (at > now) return at - now;
    const [namespace, name] = key.split('/');
    const path = `/apis/batch/v1/namespaces/${namespace}/jobs/${name}`;
    let fresh: KubeObject;
    try {
      fresh = await this.ctx.client.request<KubeObject>('GET', path);
    } catch (err) {
      if (isStatus(err, 404)) return;
      throw err;
    }
    const freshAt = expiresAt(fresh);
    if (freshAt === undefined) return;
    if (freshAt > now) return freshAt - now;
    try {
      await this.ctx.client.request('DELETE', path, {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        propagationPolicy: 'Foreground',
        preconditions: { uid: fresh.metadata.uid },
      });
      log.info('deleted finished job past its TTL', { job: key });
    } catch (err) {
      if (!isStatus(err, 404) && !isStatus(err, 409)) throw err;
    }
    return;
  }
}
