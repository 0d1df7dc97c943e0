// The CronJob controller (upstream's ControllerV2, 1.31): at each scheduled time (in
// spec.timeZone) it creates the Job `<cronjob>-<scheduled time in minutes>`, honouring
// concurrencyPolicy, startingDeadlineSeconds and suspend; it tracks active jobs, records
// lastScheduleTime/lastSuccessfulTime, and prunes finished jobs beyond the history limits.
import { StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { isNotFound } from '../../client/informer.js';
import { logger } from '../../util/log.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { controllerRefOf, newControllerRef } from '../common/controller-ref.js';
import { keyOf, nowStamp } from '../common/objects.js';
import { messageOf } from '../common/pod-control.js';
import { KeyWorkers, type Requeue } from '../common/worker.js';
import { addPodIndexes, CONTROLLER_UID_INDEX } from '../replicaset/controller.js';
import type { Job } from '../job/types.js';
import { CronSyntaxError, nextAfter, parseSchedule, validTimeZone, type Schedule } from './cron.js';

const log = logger('cronjob-controller');
export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** beyond this many missed start times upstream gives up counting and warns */
const MAX_MISSED = 100;

interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
}

export interface CronJob extends KubeObject {
  spec: {
    schedule: string;
    timeZone?: string;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
    suspend?: boolean;
    jobTemplate: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: Job['spec'];
    };
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
  };
  status?: { active?: ObjectReference[]; lastScheduleTime?: string; lastSuccessfulTime?: string };
}

/** getJobName: the scheduled time in minutes since the epoch, so one slot makes one name. */
export function jobName(cronJobName: string, scheduled: number): string {
  return `${cronJobName}-${Math.floor(scheduled / 60_000)}`;
}

/** time.RFC3339 in the zone: 2026-01-01T12:00:00+09:00, or ...Z in UTC. */
export function rfc3339In(instant: number, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  const off = Math.round((wall - Math.floor(instant / 1000) * 1000) / 60_000);
  const zoneText =
    off === 0
      ? 'Z'
      : `${off < 0 ? '-' : '+'}${String(Math.floor(Math.abs(off) / 60)).padStart(2, '0')}:${String(Math.abs(off) % 60).padStart(2, '0')}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${zoneText}`;
}

/** RFC 1123Z as Go prints it: "Mon, 02 Jan 2006 15:04:05 -0700" (in UTC here). */
function rfc1123z(instant: number): string {
  return new Date(instant).toUTCString().replace('GMT', '+0000');
}

/**
 * mostRecentScheduleTime: the latest start time due by `now` after the last one (or creation),
 * not earlier than startingDeadlineSeconds allows; with the number of missed times.
 */
export function mostRecentScheduleTime(
  cj: CronJob,
  now: number,
  sched: Schedule,
  zone: string,
): { time?: number; missed: number } {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || now;
  const deadline = cj.spec.startingDeadlineSeconds;
  if (deadline !== undefined && deadline !== null) earliest = Math.max(earliest, now - deadline * 1000);
  if (earliest > now) return { missed: 0 };
  let t = nextAfter(sched, earliest, zone);
  if (t === undefined || t > now) return { missed: 0 };
  let missed = 0;
  let last = t;
  while (t !== undefined && t <= now) {
    last = t;
    missed++;
    if (missed > MAX_MISSED) {
      // upstream stops walking and estimates; the most recent time is found from `now` backwards
      break;
    }
    t = nextAfter(sched, t, zone);
  }
  if (missed > MAX_MISSED) {
    // jump close to now: walk from a window before now
    let probe = nextAfter(sched, now - 366 * 24 * 3600_000, zone);
    while (probe !== undefined && probe <= now) {
      last = probe;
      probe = nextAfter(sched, probe, zone);
    }
  }
  return { time: last, missed };
}

const jobDone = (j: Job): 'Complete' | 'Failed' | undefined =>
  j.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')
    ?.type as 'Complete' | 'Failed' | undefined;

export class CronJobController implements Controller {
  private readonly cronjobs: Informer;
  private readonly jobs: Informer;
  private readonly recorder: EventRecorder;
  private readonly workers = new KeyWorkers(log, (key) => this.sync(key));

  constructor(
    private readonly ctx: ControllerContext,
    private readonly workerCount = 3,
  ) {
    this.recorder = ctx.recorder('cronjob-controller');
    this.cronjobs = ctx.informers.informer('/apis/batch/v1/cronjobs');
    this.jobs = ctx.informers.informer('/apis/batch/v1/jobs');
    addPodIndexes(this.jobs);
    const enqueue = (o: KubeObject) => this.workers.queue.add(keyOf(o));
    this.cronjobs.addHandlers({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n) });
    const jobChanged = (o: KubeObject) => {
      const ref = controllerRefOf(o);
      if (ref?.kind !== 'CronJob') return;
      const cj = this.cronjobs.get(`${o.metadata.namespace}/${ref.name}`);
      if (cj && cj.metadata.uid === ref.uid) enqueue(cj);
    };
    this.jobs.addHandlers({ onAdd: jobChanged, onUpdate: (_o, n) => jobChanged(n), onDelete: jobChanged });
  }

  start(): void {
    this.workers.start(this.workerCount);
  }

  stop(): void {
    this.workers.stop();
  }

  private jobsPath(ns: string): string {
    return `/apis/batch/v1/namespaces/${ns}/jobs`;
  }

  async sync(key: string, now = Date.now()): Promise<Requeue> {
    const cached = this.cronjobs.get(key) as CronJob | undefined;
    if (!cached) return;
    const cj = structuredClone(cached);
    const ns = cj.metadata.namespace!;
    const before = JSON.stringify(cj.status ?? {});
    const status = (cj.status ??= {});
    const children = this.jobs.byIndex(CONTROLLER_UID_INDEX, cj.metadata.uid!) as Job[];
    const active = new Map((status.active ?? []).map((r) => [r.uid, r]));
    for (const j of children) {
      const done = jobDone(j);
      const inActive = active.has(j.metadata.uid);
      if (inActive && done) {
        active.delete(j.metadata.uid);
        this.recorder.event(
          cj,
          'Normal',
          'SawCompletedJob',
          `Saw completed job: ${j.metadata.name}, condition: ${done}`,
        );
      } else if (!inActive && !done) {
        this.recorder.event(
          cj,
          'Warning',
          'UnexpectedJob',
          `Saw a job that the controller did not create or forgot: ${j.metadata.name}`,
        );
      }
      if (done === 'Complete' && j.status?.completionTime) {
        const t = Date.parse(j.status.completionTime);
        if (!status.lastSuccessfulTime || t > Date.parse(status.lastSuccessfulTime))
          status.lastSuccessfulTime = j.status.completionTime;
      }
    }
    for (const [uid, ref] of active) {
      if (children.some((j) => j.metadata.uid === uid)) continue;
      // the cache may lag a fresh create: ask the server before calling it missing
      try {
        await this.ctx.client.request('GET', `${this.jobsPath(ns)}/${ref.name}`);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        active.delete(uid);
        this.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
      }
    }
    status.active = [...active.values()];
    const requeue = await this.schedule(cj, children, now);
    await this.cleanupFinished(cj, children);
    if (!status.active.length) delete status.active;
    if (JSON.stringify(status) !== before) {
      await this.ctx.client.request(
        'PUT',
        `/apis/batch/v1/namespaces/${ns}/cronjobs/${cj.metadata.name}/status`,
        cj,
      );
    }
    return requeue;
  }

  /** Creates the Job of the most recent due slot, if policy allows; returns when to look again. */
  private async schedule(cj: CronJob, children: Job[], now: number): Promise<number | undefined> {
    if (cj.metadata.deletionTimestamp) return undefined;
    const zone = cj.spec.timeZone ?? 'UTC';
    if (cj.spec.timeZone && !validTimeZone(cj.spec.timeZone)) {
      this.recorder.event(
        cj,
        'Warning',
        'UnknownTimeZone',
        `invalid timeZone: "${cj.spec.timeZone}": unknown time zone ${cj.spec.timeZone}`,
      );
      return undefined;
    }
    if (cj.spec.suspend) return undefined;
    let sched: Schedule;
    try {
      sched = parseSchedule(cj.spec.schedule);
    } catch (err) {
      if (!(err instanceof CronSyntaxError)) throw err;
      this.recorder.event(
        cj,
        'Warning',
        'UnparseableSchedule',
        `unparseable schedule: "${cj.spec.schedule}" : ${err.message}`,
      );
      return undefined;
    }
    const untilNext = (after: number) => {
      const n = nextAfter(sched, after, zone);
      return n === undefined ? undefined : Math.max(n - now, 0) + 100;
    };
    const { time: scheduled, missed } = mostRecentScheduleTime(cj, now, sched, zone);
    if (missed > MAX_MISSED)
      this.recorder.event(
        cj,
        'Warning',
        'TooManyMissedTimes',
        `too many missed start times: ${missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`,
      );
    if (scheduled === undefined) return untilNext(now);
    const deadline = cj.spec.startingDeadlineSeconds;
    if (deadline !== undefined && deadline !== null && scheduled + deadline * 1000 < now) {
      this.recorder.event(
        cj,
        'Warning',
        'MissSchedule',
        `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`,
      );
      return untilNext(now);
    }
    const name = jobName(cj.metadata.name!, scheduled);
    const status = cj.status!;
    if (status.active!.some((r) => r.name === name) || children.some((j) => j.metadata.name === name))
      return untilNext(now);
    const policy = cj.spec.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && status.active!.length > 0) {
      this.recorder.event(
        cj,
        'Normal',
        'JobAlreadyActive',
        'Not starting job because prior execution is running and concurrency policy is Forbid',
      );
      return untilNext(now);
    }
    if (policy === 'Replace') {
      for (const ref of [...status.active!]) {
        await this.deleteJob(cj, ref.name!);
        status.active = status.active!.filter((r) => r.uid !== ref.uid);
      }
    }
    const tpl = cj.spec.jobTemplate;
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: cj.metadata.namespace,
        labels: { ...(tpl.metadata?.labels ?? {}) },
        annotations: {
          ...(tpl.metadata?.annotations ?? {}),
          [SCHEDULED_TIMESTAMP]: rfc3339In(scheduled, zone),
        },
        ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
      },
      spec: structuredClone(tpl.spec),
    };
    let created: Job;
    try {
      created = await this.ctx.client.request<Job>('POST', this.jobsPath(cj.metadata.namespace!), job);
    } catch (err) {
      if (err instanceof StatusError && err.reason === 'AlreadyExists') return untilNext(now);
      this.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${messageOf(err)}`);
      throw err;
    }
    this.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    status.active!.push({
      kind: 'Job',
      namespace: created.metadata.namespace,
      name: created.metadata.name,
      uid: created.metadata.uid,
      apiVersion: 'batch/v1',
      resourceVersion: created.metadata.resourceVersion,
    });
    status.lastScheduleTime = nowStamp(scheduled);
    return untilNext(now);
  }

  private async deleteJob(cj: CronJob, name: string): Promise<void> {
    try {
      await this.ctx.client.request('DELETE', `${this.jobsPath(cj.metadata.namespace!)}/${name}`, {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        propagationPolicy: 'Background',
      });
      this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${name}`);
    } catch (err) {
      if (isNotFound(err)) return;
      this.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${messageOf(err)}`);
      throw err;
    }
  }

  /** cleanupFinishedJobs: keep the newest successful/failed jobs within the history limits. */
  private async cleanupFinished(cj: CronJob, children: Job[]): Promise<void> {
    const prune = async (kind: 'Complete' | 'Failed', limit: number | undefined) => {
      if (limit === undefined || limit === null) return;
      const done = children.filter((j) => jobDone(j) === kind && !j.metadata.deletionTimestamp);
      if (done.length <= limit) return;
      const start = (j: Job) => Date.parse(j.status?.startTime ?? '') || Infinity;
      done.sort((a, b) => start(a) - start(b) || (a.metadata.name! < b.metadata.name! ? -1 : 1));
      for (const j of done.slice(0, done.length - limit)) await this.deleteJob(cj, j.metadata.name!);
    };
    await prune('Complete', cj.spec.successfulJobsHistoryLimit);
    await prune('Failed', cj.spec.failedJobsHistoryLimit);
  }
}
