// The Job controller (upstream's job.Controller, 1.31): runs pods of the template until enough
// succeed, within parallelism; counts finished pods through the job-tracking finalizer and
// status.uncountedTerminatedPods; backs off 10 s, 20 s, ... after failures; fails the Job past
// backoffLimit, activeDeadlineSeconds or a FailJob rule of podFailurePolicy (FailureTarget
// first, Failed once no pod runs); Complete after SuccessCriteriaMet; suspends and resumes.
import type { KubeObject } from '../../api/types.js';
import { labelSelectorFromObject } from '../../api/selectors/index.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { isNotFound } from '../../client/informer.js';
import { logger } from '../../util/log.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { claim, controllerRefOf, newControllerRef } from '../common/controller-ref.js';
import { Expectations } from '../common/expectations.js';
import { asPod, keyOf, type Pod } from '../common/objects.js';
import { PodControl } from '../common/pod-control.js';
import { KeyWorkers, type Requeue } from '../common/worker.js';
import { addPodIndexes, CONTROLLER_UID_INDEX, ORPHAN_INDEX } from '../replicaset/controller.js';
import { JobPass, type JobHost } from './pass.js';
import { hasFinalizer, jobFinished, type BackoffRecord } from './pod-state.js';
import { JOB_TRACKING_FINALIZER, type Job } from './types.js';

export { jobFinished };

const log = logger('job-controller');

export class JobController implements Controller, JobHost {
  private readonly jobs: Informer;
  private readonly pods: Informer;
  private readonly recorder: EventRecorder;
  private readonly control: PodControl;
  private readonly expectations = new Expectations();
  private readonly backoff = new Map<string, BackoffRecord>();
  private readonly workers = new KeyWorkers(log, (key) => this.sync(key));

  constructor(
    private readonly ctx: ControllerContext,
    private readonly workerCount = 5,
  ) {
    this.recorder = ctx.recorder('job-controller');
    this.control = new PodControl(ctx.client, this.recorder);
    this.jobs = ctx.informers.informer('/apis/batch/v1/jobs');
    this.pods = ctx.informers.informer('/api/v1/pods');
    addPodIndexes(this.pods);
    const enqueue = (o: KubeObject) => this.workers.queue.add(keyOf(o));
    this.jobs.addHandlers({
      onAdd: enqueue,
      onUpdate: (_o, n) => enqueue(n),
      onDelete: (o) => {
        this.expectations.forget(keyOf(o));
        this.backoff.delete(keyOf(o));
        for (const p of this.pods.byIndex(CONTROLLER_UID_INDEX, o.metadata.uid!))
          void this.releaseOrphan(asPod(p));
      },
    });
    this.pods.addHandlers({
      onAdd: (o) => this.podEvent(asPod(o), 'add'),
      onUpdate: (old, cur) => {
        const c = asPod(cur);
        if (c.metadata?.deletionTimestamp && !old.metadata.deletionTimestamp) this.podEvent(c, 'delete');
        this.podEvent(c, 'update');
      },
      onDelete: (o) => this.podEvent(asPod(o), 'delete'),
    });
  }

  start(): void {
    this.workers.start(this.workerCount);
  }

  stop(): void {
    this.workers.stop();
  }

  private ownerOf(p: Pod): Job | undefined {
    const ref = controllerRefOf(p);
    if (!ref || ref.kind !== 'Job') return undefined;
    const j = this.jobs.get(`${p.metadata!.namespace}/${ref.name}`);
    return j && j.metadata.uid === ref.uid ? (j as Job) : undefined;
  }

  private podEvent(p: Pod, what: 'add' | 'update' | 'delete'): void {
    const job = this.ownerOf(p);
    if (!job) {
      // a pod still carrying our finalizer after its Job is gone must not be stuck
      if (controllerRefOf(p)?.kind === 'Job' && hasFinalizer(p) && this.jobs.hasSynced())
        void this.releaseOrphan(p);
      return;
    }
    const key = keyOf(job);
    if (what === 'add' && !p.metadata?.deletionTimestamp) this.expectations.creationObserved(key);
    if (what === 'delete') this.expectations.deletionObserved(key, keyOf(p));
    this.workers.queue.add(key);
  }

  private async releaseOrphan(p: Pod): Promise<void> {
    if (!hasFinalizer(p) || this.ownerOf(p)) return;
    await this.removeFinalizer(p).catch(() => undefined);
  }

  private async removeFinalizer(p: Pod): Promise<void> {
    try {
      await this.ctx.client.request(
        'PATCH',
        `/api/v1/namespaces/${p.metadata!.namespace}/pods/${p.metadata!.name}`,
        {
          metadata: {
            finalizers: (p.metadata?.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER),
            resourceVersion: p.metadata?.resourceVersion,
          },
        },
        'application/merge-patch+json',
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private jobPath(j: Job): string {
    return `/apis/batch/v1/namespaces/${j.metadata.namespace}/jobs/${j.metadata.name}`;
  }

  async sync(key: string): Promise<Requeue> {
    const cached = this.jobs.get(key) as Job | undefined;
    if (!cached) {
      this.expectations.forget(key);
      return;
    }
    const job = structuredClone(cached);
    const ns = job.metadata.namespace!;
    const matcher = labelSelectorFromObject(job.spec.selector ?? {});
    const all = await claim(
      this.ctx.client,
      {
        owner: job,
        ref: newControllerRef(job, 'batch/v1', 'Job'),
        collection: `/api/v1/namespaces/${ns}/pods`,
        ownerPath: this.jobPath(job),
        matches: (o) => !!job.spec.selector && matcher.matches(o.metadata.labels ?? {}),
      },
      [...this.pods.byIndex(CONTROLLER_UID_INDEX, job.metadata.uid!), ...this.pods.byIndex(ORPHAN_INDEX, ns)],
    );
    const pods = all.map(asPod);
    if (jobFinished(job)) {
      for (const p of pods) if (hasFinalizer(p)) await this.removeFinalizer(p);
      return;
    }
    return new JobPass(this, job, pods).run();
  }

  // ---- what JobPass needs from the controller ----
  client() {
    return this.ctx.client;
  }
  events(): EventRecorder {
    return this.recorder;
  }
  podControl(): PodControl {
    return this.control;
  }
  exp(): Expectations {
    return this.expectations;
  }
  backoffOf(key: string): BackoffRecord {
    let b = this.backoff.get(key);
    if (!b) this.backoff.set(key, (b = { failures: 0, lastFailure: 0 }));
    return b;
  }
  finalizerRemoval(p: Pod): Promise<void> {
    return this.removeFinalizer(p);
  }
}

/** One sync of one Job, mutating its status copy. */
