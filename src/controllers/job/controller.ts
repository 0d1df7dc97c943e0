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
import { asPod, keyOf, nowStamp, type Pod } from '../common/objects.js';
import { PodControl, isNamespaceTerminating, podFromTemplate } from '../common/pod-control.js';
import { isPodReady } from '../common/pod-util.js';
import { rankPodsForDeletion } from '../common/pod-ranking.js';
import { slowStartBatch } from '../common/slow-start.js';
import { KeyWorkers, type Requeue } from '../common/worker.js';
import { addPodIndexes, CONTROLLER_UID_INDEX, ORPHAN_INDEX } from '../replicaset/controller.js';
import {
  completionIndexOf,
  failureBackoffMs,
  formatIndexes,
  matchPodFailurePolicy,
  matchSuccessPolicy,
  parseIndexes,
} from './policy.js';
import {
  COMPLETION_INDEX,
  INDEX_FAILURE_COUNT,
  JOB_TRACKING_FINALIZER,
  Messages,
  Reasons,
  type Job,
  type JobCondition,
  type JobStatus,
} from './types.js';

const log = logger('job-controller');
/** MaxPodCreateDeletePerSync */
const MAX_PER_SYNC = 500;

interface BackoffRecord {
  failures: number;
  lastFailure: number;
}

const finished = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
/** gone or going: a terminal phase, or deleted (TerminatingOrFailed counts those as failed) */
const terminal = (p: Pod) => finished(p) || !!p.metadata?.deletionTimestamp;
const hasFinalizer = (p: Pod) => (p.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
const indexFailureCount = (p: Pod) => {
  const v = p.metadata?.annotations?.[INDEX_FAILURE_COUNT];
  return v && /^\d+$/.test(v) ? Number(v) : 0;
};
const cond = (j: { status?: JobStatus }, type: string) => j.status?.conditions?.find((c) => c.type === type);
const isTrue = (j: { status?: JobStatus }, type: string) => cond(j, type)?.status === 'True';

export function jobFinished(j: Job): boolean {
  return isTrue(j, 'Complete') || isTrue(j, 'Failed');
}

function finishTime(p: Pod): number {
  let t = 0;
  for (const cs of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
    const f = cs.state?.terminated?.finishedAt;
    if (f) t = Math.max(t, Date.parse(f));
  }
  return t || Date.now();
}

export class JobController implements Controller {
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
class JobPass {
  private readonly key: string;
  private readonly status: JobStatus;
  private readonly now = Date.now();

  constructor(
    private readonly c: JobController,
    private readonly job: Job,
    private readonly pods: Pod[],
  ) {
    this.key = keyOf(job);
    this.status = structuredClone(job.status ?? {});
  }

  private get indexed(): boolean {
    return this.job.spec.completionMode === 'Indexed';
  }

  private setCondition(
    type: string,
    status: JobCondition['status'],
    reason: string,
    message: string,
  ): boolean {
    const conds = (this.status.conditions ??= []);
    const cur = conds.find((c) => c.type === type);
    const stamp = nowStamp(this.now);
    if (cur) {
      if (cur.status === status && cur.reason === reason && cur.message === message) return false;
      if (cur.status !== status) cur.lastTransitionTime = stamp;
      Object.assign(cur, { status, reason, message, lastProbeTime: stamp });
      return true;
    }
    conds.push({ type, status, lastProbeTime: stamp, lastTransitionTime: stamp, reason, message });
    return true;
  }

  async run(): Promise<Requeue> {
    const job = this.job;
    const st = this.status;
    const backoff = this.c.backoffOf(this.key);
    const uncounted = {
      succeeded: new Set(st.uncountedTerminatedPods?.succeeded ?? []),
      failed: new Set(st.uncountedTerminatedPods?.failed ?? []),
    };
    const completed = parseIndexes(st.completedIndexes);
    const perIndex = this.indexed && job.spec.backoffLimitPerIndex !== undefined;
    const failedIndexes = parseIndexes(st.failedIndexes);
    let failJob: string | undefined;
    const done: Pod[] = [];
    let newlyUncounted = false;
    for (const p of this.pods) {
      if (!hasFinalizer(p) || !terminal(p)) continue;
      const uid = p.metadata!.uid!;
      done.push(p);
      if (uncounted.succeeded.has(uid) || uncounted.failed.has(uid)) continue;
      newlyUncounted = true;
      if (p.status?.phase === 'Succeeded') {
        uncounted.succeeded.add(uid);
        backoff.failures = 0;
        const i = completionIndexOf(p);
        if (this.indexed && i !== undefined && i < (job.spec.completions ?? 0)) completed.add(i);
        continue;
      }
      const match = p.status?.phase === 'Failed' ? matchPodFailurePolicy(job, p) : undefined;
      if (match?.action === 'Ignore') continue;
      if (match?.action === 'FailJob') failJob ??= match.message;
      uncounted.failed.add(uid);
      if (perIndex) {
        // backoffLimitPerIndex: an index that failed too often (or by a FailIndex rule) is given up
        const i = completionIndexOf(p);
        const failures = indexFailureCount(p) + 1;
        if (i !== undefined && (match?.action === 'FailIndex' || failures > job.spec.backoffLimitPerIndex!))
          failedIndexes.add(i);
        continue;
      }
      backoff.failures++;
      backoff.lastFailure = Math.max(backoff.lastFailure, finishTime(p));
    }
    if (this.indexed) st.completedIndexes = formatIndexes(completed);
    if (perIndex) st.failedIndexes = formatIndexes(failedIndexes);
    if (newlyUncounted) {
      // record first, then let the pods go: a crash in between counts nothing twice
      st.uncountedTerminatedPods = { succeeded: [...uncounted.succeeded], failed: [...uncounted.failed] };
      for (const k of ['succeeded', 'failed'] as const)
        if (!st.uncountedTerminatedPods[k]!.length) delete st.uncountedTerminatedPods[k];
      await this.writeStatus();
    }
    for (const p of done) await this.c.finalizerRemoval(p);
    // the finalizers are gone: fold the uncounted pods into the counts
    const succeededCount = this.indexed ? completed.size : (st.succeeded ?? 0) + uncounted.succeeded.size;
    st.succeeded = succeededCount;
    st.failed = (st.failed ?? 0) + uncounted.failed.size;
    st.uncountedTerminatedPods = {};

    const active = this.pods.filter((p) => !terminal(p));
    const terminating = this.pods.filter((p) => !finished(p) && !!p.metadata?.deletionTimestamp);
    const suspended = job.spec.suspend === true;

    // what the Job has come to
    if (!isTrue({ status: st }, 'FailureTarget') && !isTrue({ status: st }, 'SuccessCriteriaMet')) {
      const limit = job.spec.backoffLimit ?? 6;
      if (failJob) this.setCondition('FailureTarget', 'True', Reasons.PodFailurePolicy, failJob);
      else if (st.failed > limit || this.pastBackoffLimitOnFailure(active, limit))
        this.setCondition('FailureTarget', 'True', Reasons.BackoffLimitExceeded, Messages.backoff);
      else if (this.pastActiveDeadline())
        this.setCondition('FailureTarget', 'True', Reasons.DeadlineExceeded, Messages.deadline);
      else if (
        perIndex &&
        job.spec.maxFailedIndexes !== undefined &&
        failedIndexes.size > job.spec.maxFailedIndexes
      )
        this.setCondition(
          'FailureTarget',
          'True',
          Reasons.MaxFailedIndexesExceeded,
          Messages.maxFailedIndexes,
        );
      else if (
        perIndex &&
        failedIndexes.size > 0 &&
        failedIndexes.size + completed.size >= (job.spec.completions ?? 0)
      )
        this.setCondition('FailureTarget', 'True', Reasons.FailedIndexes, Messages.failedIndexes);
      else if (this.complete(active.length, succeededCount))
        this.setCondition('SuccessCriteriaMet', 'True', Reasons.CompletionsReached, Messages.completions);
      const rule = this.indexed ? matchSuccessPolicy(job, completed) : undefined;
      if (rule !== undefined) {
        // a met success policy wins over anything found in the same pass, as upstream
        st.conditions = (st.conditions ?? []).filter(
          (c) => c.type !== 'FailureTarget' && c.type !== 'SuccessCriteriaMet',
        );
        this.setCondition(
          'SuccessCriteriaMet',
          'True',
          Reasons.SuccessPolicy,
          `Matched rules at index ${rule}`,
        );
      }
    }
    let requeue: number | undefined;
    const target = cond({ status: st }, 'FailureTarget');
    if (target?.status === 'True' || isTrue({ status: st }, 'SuccessCriteriaMet')) {
      await this.deletePods(active, active.length);
      if (active.length === 0 && terminating.length === 0) {
        if (target?.status === 'True') {
          this.setCondition('Failed', 'True', target.reason!, target.message!);
          this.c.events().event(job, 'Warning', target.reason!, target.message!);
        } else {
          const met = cond({ status: st }, 'SuccessCriteriaMet')!;
          this.setCondition('Complete', 'True', met.reason!, met.message!);
          st.completionTime = nowStamp(this.now);
          this.c.events().event(job, 'Normal', 'Completed', 'Job completed');
        }
      }
    } else if (suspended) {
      await this.deletePods(active, active.length);
      if (this.setCondition('Suspended', 'True', Reasons.Suspended, 'Job suspended'))
        this.c.events().event(job, 'Normal', 'Suspended', 'Job suspended');
    } else {
      if (isTrue({ status: st }, 'Suspended')) {
        this.setCondition('Suspended', 'False', Reasons.Resumed, 'Job resumed');
        this.c.events().event(job, 'Normal', 'Resumed', 'Job resumed');
        st.startTime = nowStamp(this.now);
      }
      st.startTime ??= nowStamp(this.now);
      if (this.c.exp().satisfied(this.key))
        requeue = await this.manage(active, terminating, succeededCount, completed);
      const deadline = job.spec.activeDeadlineSeconds;
      if (deadline !== undefined) {
        const left = Date.parse(st.startTime) + deadline * 1000 - this.now;
        requeue = Math.min(requeue ?? Infinity, Math.max(left, 0) + 100);
      }
    }
    const stillActive = this.pods.filter((p) => !terminal(p)).length;
    st.active = stillActive;
    st.ready = this.pods.filter((p) => !terminal(p) && isPodReady(p)).length;
    st.terminating = terminating.length;
    await this.writeStatus();
    return requeue;
  }

  private pastActiveDeadline(): boolean {
    const d = this.job.spec.activeDeadlineSeconds;
    if (d === undefined || !this.status.startTime) return false;
    return this.now - Date.parse(this.status.startTime) >= d * 1000;
  }

  /** restartPolicy OnFailure: container restarts count against backoffLimit */
  private pastBackoffLimitOnFailure(active: Pod[], limit: number): boolean {
    if (this.job.spec.template.spec?.restartPolicy !== 'OnFailure') return false;
    let restarts = 0;
    for (const p of active)
      for (const cs of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])])
        restarts += cs.restartCount ?? 0;
    return limit === 0 ? restarts > 0 : restarts >= limit;
  }

  private complete(active: number, succeeded: number): boolean {
    const completions = this.job.spec.completions;
    if (completions === undefined || completions === null) return succeeded > 0 && active === 0;
    return succeeded >= completions;
  }

  private async deletePods(pods: Pod[], n: number): Promise<void> {
    if (n <= 0) return;
    const victims = rankPodsForDeletion(pods, []).slice(0, Math.min(n, MAX_PER_SYNC));
    this.c.exp().expectDeletions(this.key, victims.map(keyOf));
    await Promise.all(
      victims.map(async (p) => {
        try {
          await this.c.podControl().delete(p.metadata!.namespace!, p.metadata!.name!, this.job);
        } catch (err) {
          this.c.exp().deletionObserved(this.key, keyOf(p));
          if (!isNotFound(err)) throw err;
        }
      }),
    );
  }

  /** manageJob: delete extras, or create what is missing once the failure backoff has passed. */
  private async manage(
    active: Pod[],
    terminating: Pod[],
    succeeded: number,
    completed: Set<number>,
  ): Promise<number | undefined> {
    const job = this.job;
    const parallelism = job.spec.parallelism ?? 1;
    const completions = job.spec.completions;
    let want: number;
    if (completions === undefined || completions === null) want = succeeded > 0 ? active.length : parallelism;
    else want = Math.max(0, Math.min(completions - succeeded, parallelism));
    if (this.indexed) {
      // one pod per pending index; extras of an index go
      const byIndex = new Map<number, Pod[]>();
      for (const p of active) {
        const i = completionIndexOf(p);
        if (i === undefined || i >= (completions ?? 0) || completed.has(i)) {
          await this.deletePods([p], 1);
          continue;
        }
        byIndex.set(i, [...(byIndex.get(i) ?? []), p]);
      }
      for (const dup of byIndex.values()) if (dup.length > 1) await this.deletePods(dup, dup.length - 1);
      const failed = parseIndexes(this.status.failedIndexes);
      const failures = this.indexFailures();
      const pending: number[] = [];
      let wait: number | undefined;
      for (let i = 0; i < (completions ?? 0) && pending.length < want - byIndex.size; i++) {
        if (completed.has(i) || byIndex.has(i) || failed.has(i)) continue;
        const f = failures.get(i);
        const left = f ? f.last + failureBackoffMs(f.count) - this.now : 0;
        if (left > 0) {
          wait = Math.min(wait ?? Infinity, left);
          continue;
        }
        pending.push(i);
      }
      return (await this.create(pending, failures)) ?? wait;
    }
    const busy = active.length + (job.spec.podReplacementPolicy === 'Failed' ? terminating.length : 0);
    if (active.length > want) {
      await this.deletePods(active, active.length - want);
      return undefined;
    }
    const missing = Math.min(want - busy, MAX_PER_SYNC);
    if (missing <= 0) return undefined;
    return this.create(Array.from({ length: missing }, () => undefined));
  }

  /** Per index: failures so far (the newest failed pod's count + 1) and when the last one ended. */
  private indexFailures(): Map<number, { count: number; last: number }> {
    const out = new Map<number, { count: number; last: number }>();
    for (const p of this.pods) {
      if (p.status?.phase !== 'Failed' && !(p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded'))
        continue;
      const i = completionIndexOf(p);
      if (i === undefined) continue;
      const count = indexFailureCount(p) + 1;
      const cur = out.get(i);
      if (!cur || count > cur.count) out.set(i, { count, last: finishTime(p) });
    }
    return out;
  }

  private async create(
    indexes: (number | undefined)[],
    indexFailures?: Map<number, { count: number; last: number }>,
  ): Promise<number | undefined> {
    if (!indexes.length) return undefined;
    const b = this.c.backoffOf(this.key);
    const wait = b.lastFailure + failureBackoffMs(b.failures) - this.now;
    if (!indexFailures && b.failures > 0 && wait > 0) return wait;
    const job = this.job;
    const ref = newControllerRef(job, 'batch/v1', 'Job');
    this.c.exp().expectCreations(this.key, indexes.length);
    let next = 0;
    const { successes, error } = await slowStartBatch(indexes.length, 1, async () => {
      const index = indexes[next++];
      const pod = podFromTemplate(job.spec.template, job.metadata.name!, ref);
      const m = pod.metadata!;
      m.finalizers = [...(m.finalizers ?? []), JOB_TRACKING_FINALIZER];
      if (index !== undefined) {
        m.generateName = `${job.metadata.name}-${index}-`;
        m.annotations = { ...(m.annotations ?? {}), [COMPLETION_INDEX]: String(index) };
        m.labels = { ...(m.labels ?? {}), [COMPLETION_INDEX]: String(index) };
        if (!pod.spec!.hostname) pod.spec!.hostname = `${job.metadata.name}-${index}`;
        if (indexFailures) m.annotations[INDEX_FAILURE_COUNT] = String(indexFailures.get(index)?.count ?? 0);
      }
      try {
        await this.c.podControl().create(job.metadata.namespace!, pod, job);
      } catch (err) {
        if (!isNamespaceTerminating(err)) throw err;
      }
    });
    for (let i = successes; i < indexes.length; i++) this.c.exp().creationObserved(this.key);
    if (error !== undefined) throw error;
    return undefined;
  }

  private async writeStatus(): Promise<void> {
    const st = this.status;
    // Go's omitempty on the int32 counters; ready and terminating are pointers, kept at 0
    for (const k of ['active', 'succeeded', 'failed'] as const) if (!st[k]) delete st[k];
    if (st.completedIndexes === '') delete st.completedIndexes;
    if (JSON.stringify(st) === JSON.stringify(this.job.status ?? {})) return;
    const updated = await this.c
      .client()
      .request<Job>(
        'PUT',
        `/apis/batch/v1/namespaces/${this.job.metadata.namespace}/jobs/${this.job.metadata.name}/status`,
        { ...this.job, status: st },
      );
    this.job.metadata.resourceVersion = updated.metadata.resourceVersion;
    this.job.status = structuredClone(st);
  }
}
