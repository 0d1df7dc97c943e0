// One sync of one Job (the body of upstream's syncJob): count finished pods through the
// tracking finalizer, decide what the Job has come to (FailureTarget/SuccessCriteriaMet, then
// Failed/Complete once no pod runs), suspend or resume, and create or delete pods.
import type { EventRecorder } from '../../client/events.js';
import type { RestClient } from '../../client/rest.js';
import { isNotFound } from '../../client/informer.js';
import { newControllerRef } from '../common/controller-ref.js';
import type { Expectations } from '../common/expectations.js';
import { keyOf, nowStamp, type Pod } from '../common/objects.js';
import { isNamespaceTerminating, podFromTemplate, type PodControl } from '../common/pod-control.js';
import { isPodReady } from '../common/pod-util.js';
import { rankPodsForDeletion } from '../common/pod-ranking.js';
import { slowStartBatch } from '../common/slow-start.js';
import type { Requeue } from '../common/worker.js';
import {
  completionIndexOf,
  failureBackoffMs,
  formatIndexes,
  matchPodFailurePolicy,
  matchSuccessPolicy,
  parseIndexes,
} from './policy.js';
import {
  cond,
  finished,
  finishTime,
  hasFinalizer,
  indexFailureCount,
  isTrue,
  terminal,
  type BackoffRecord,
} from './pod-state.js';
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

/** MaxPodCreateDeletePerSync */
const MAX_PER_SYNC = 500;

/** What a pass needs from its controller. */
export interface JobHost {
  client(): RestClient;
  events(): EventRecorder;
  podControl(): PodControl;
  exp(): Expectations;
  backoffOf(key: string): BackoffRecord;
  finalizerRemoval(p: Pod): Promise<void>;
}

export class JobPass {
  private readonly key: string;
  private readonly status: JobStatus;
  private readonly now = Date.now();

  constructor(
    private readonly c: JobHost,
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
