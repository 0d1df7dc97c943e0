// batch/v1: Job and CronJob.
import type { Definition, Definitions, PropSchema } from './dsl.js';
import {
  LABEL_SELECTOR,
  LIST_META,
  OBJECT_META,
  TIME,
  arr,
  bool,
  int32,
  int64,
  obj,
  ref,
  str,
  t,
} from './dsl.js';

const P = 'io.k8s.api.batch.v1';
const gvk = (kind: string) => [{ group: 'batch', version: 'v1', kind }];
const atomic = { 'x-kubernetes-list-type': 'atomic' } as const;
const set = { 'x-kubernetes-list-type': 'set' } as const;

function topLevel(kind: string, description: string, props: Record<string, PropSchema>): Definition {
  return obj(
    description,
    {
      apiVersion: str('The versioned schema of this object, here batch/v1.'),
      kind: str(`The kind of this object, here ${kind}.`),
      metadata: ref(OBJECT_META, "The object's name, namespace, labels and other metadata."),
      ...props,
    },
    { gvk: gvk(kind) },
  );
}

function listOf(kind: string): Definition {
  return obj(
    `A list of ${kind} objects.`,
    {
      apiVersion: str('The versioned schema of this list, here batch/v1.'),
      items: arr(t.ref(`${P}.${kind}`), `The ${kind} objects.`),
      kind: str(`The kind of this list, here ${kind}List.`),
      metadata: ref(LIST_META, 'Resource version and continuation token of the list.'),
    },
    { required: ['items'], gvk: gvk(`${kind}List`) },
  );
}

export const batchV1Definitions: Definitions = {
  // ---- Job ----
  [`${P}.Job`]: topLevel('Job', 'Runs pods until a given number of them finish successfully.', {
    spec: ref(`${P}.JobSpec`, 'The desired behaviour of the job.'),
    status: ref(`${P}.JobStatus`, 'The most recently observed state of the job.'),
  }),
  [`${P}.JobList`]: listOf('Job'),
  [`${P}.JobSpec`]: obj(
    'The desired behaviour of a job.',
    {
      activeDeadlineSeconds: int64('Seconds the job may be active before the system terminates it.'),
      backoffLimit: int32('Retries before the job is marked failed; defaults to 6.'),
      backoffLimitPerIndex: int32(
        'Retries allowed for each index of an Indexed job before that index fails.',
      ),
      completionMode: str('NonIndexed (the default) or Indexed, where each pod gets a completion index.', {
        enum: ['Indexed', 'NonIndexed'],
      }),
      completions: int32('How many pods must finish successfully; unset means any one success ends the job.'),
      managedBy: str(
        'The controller that reconciles this job; empty or kubernetes.io/job-controller for the built-in one.',
      ),
      manualSelector: bool('When true, the selector is given by the user instead of generated.'),
      maxFailedIndexes: int32('How many failed indexes an Indexed job tolerates before it fails.'),
      parallelism: int32('The most pods that run at once.'),
      podFailurePolicy: ref(`${P}.PodFailurePolicy`, 'How failed pods count towards the backoff limit.'),
      podReplacementPolicy: str('When replacement pods are created: TerminatingOrFailed or Failed.', {
        enum: ['Failed', 'TerminatingOrFailed'],
      }),
      selector: ref(LABEL_SELECTOR, 'Label query over the pods of this job; usually generated.'),
      successPolicy: ref(`${P}.SuccessPolicy`, 'When an Indexed job may be declared successful early.'),
      suspend: bool('When true, no pods are created and running ones are terminated.'),
      template: ref(
        'io.k8s.api.core.v1.PodTemplateSpec',
        'The pod template from which the job creates its pods.',
      ),
      ttlSecondsAfterFinished: int32('Seconds after the job finishes before it is deleted automatically.'),
    },
    { required: ['template'] },
  ),
  [`${P}.PodFailurePolicy`]: obj(
    'Rules that decide what a pod failure means for its job.',
    {
      rules: arr(
        t.ref(`${P}.PodFailurePolicyRule`),
        'Rules checked in order; the first match applies.',
        atomic,
      ),
    },
    { required: ['rules'] },
  ),
  [`${P}.PodFailurePolicyRule`]: obj(
    'An action to take when a failed pod matches exit codes or pod conditions.',
    {
      action: str('FailJob, FailIndex, Ignore or Count.', {
        enum: ['Count', 'FailIndex', 'FailJob', 'Ignore'],
      }),
      onExitCodes: ref(
        `${P}.PodFailurePolicyOnExitCodesRequirement`,
        'Container exit codes this rule matches.',
      ),
      onPodConditions: arr(
        t.ref(`${P}.PodFailurePolicyOnPodConditionsPattern`),
        'Pod conditions this rule matches; any one suffices.',
        atomic,
      ),
    },
    { required: ['action'] },
  ),
  [`${P}.PodFailurePolicyOnExitCodesRequirement`]: obj(
    'Matches a failed pod by the exit codes of its containers.',
    {
      containerName: str('Only this container is checked; unset checks all containers.'),
      operator: str('In or NotIn: whether the exit code must be among the values.', {
        enum: ['In', 'NotIn'],
      }),
      values: arr(t.int32, 'The exit codes to compare against.', set),
    },
    { required: ['operator', 'values'] },
  ),
  [`${P}.PodFailurePolicyOnPodConditionsPattern`]: obj(
    'Matches a failed pod by one of its conditions.',
    {
      status: str('The condition status to match; defaults to True.'),
      type: str('The pod condition type to match.'),
    },
    { required: ['type', 'status'] },
  ),
  [`${P}.SuccessPolicy`]: obj(
    'Criteria under which an Indexed job succeeds before all indexes finish.',
    {
      rules: arr(t.ref(`${P}.SuccessPolicyRule`), 'The job succeeds when any rule is met.', atomic),
    },
    { required: ['rules'] },
  ),
  [`${P}.SuccessPolicyRule`]: obj('One success criterion of an Indexed job.', {
    succeededCount: int32('How many of the named indexes must succeed.'),
    succeededIndexes: str('The indexes that count, as a list of ranges like "1,3-5".'),
  }),
  [`${P}.JobStatus`]: obj('The observed state of a job.', {
    active: int32('Pods that are pending or running.'),
    completedIndexes: str('The completed indexes of an Indexed job, as ranges like "1,3-5".'),
    completionTime: ref(TIME, 'When the job completed successfully.'),
    conditions: arr(t.ref(`${P}.JobCondition`), "The latest observations of the job's state.", {
      'x-kubernetes-list-type': 'atomic',
      'x-kubernetes-patch-merge-key': 'type',
      'x-kubernetes-patch-strategy': 'merge',
    }),
    failed: int32('Pods that reached the Failed phase.'),
    failedIndexes: str('The failed indexes of a job with backoffLimitPerIndex, as ranges.'),
    ready: int32('Pods whose Ready condition is true.'),
    startTime: ref(TIME, 'When the job controller started working on the job.'),
    succeeded: int32('Pods that reached the Succeeded phase.'),
    terminating: int32('Pods that are terminating.'),
    uncountedTerminatedPods: ref(
      `${P}.UncountedTerminatedPods`,
      'Finished pods the controller has not yet added to the counters.',
    ),
  }),
  [`${P}.JobCondition`]: obj(
    "One aspect of a job's state at a point in time.",
    {
      lastProbeTime: ref(TIME, 'When the condition was last checked.'),
      lastTransitionTime: ref(TIME, 'When the condition last changed its status.'),
      message: str('A human-readable explanation of the condition.'),
      reason: str('A machine-readable, CamelCase reason for the last transition.'),
      status: str('Whether the condition holds: True, False or Unknown.'),
      type: str('The kind of condition, e.g. Complete or Failed.'),
    },
    { required: ['type', 'status'] },
  ),
  [`${P}.UncountedTerminatedPods`]: obj('UIDs of finished pods not yet counted in the job status.', {
    failed: arr(t.str, 'UIDs of failed pods.', set),
    succeeded: arr(t.str, 'UIDs of succeeded pods.', set),
  }),
  [`${P}.JobTemplateSpec`]: obj('The jobs a cron job creates.', {
    metadata: ref(OBJECT_META, 'Metadata copied to every created job.'),
    spec: ref(`${P}.JobSpec`, 'The behaviour of every created job.'),
  }),

  // ---- CronJob ----
  [`${P}.CronJob`]: topLevel('CronJob', 'Creates jobs on a repeating schedule.', {
    spec: ref(`${P}.CronJobSpec`, 'The desired schedule and job template.'),
    status: ref(`${P}.CronJobStatus`, 'The most recently observed state of the cron job.'),
  }),
  [`${P}.CronJobList`]: listOf('CronJob'),
  [`${P}.CronJobSpec`]: obj(
    'The schedule and the job template of a cron job.',
    {
      concurrencyPolicy: str('Allow (the default), Forbid or Replace overlapping runs.', {
        enum: ['Allow', 'Forbid', 'Replace'],
      }),
      failedJobsHistoryLimit: int32('How many failed jobs to keep; defaults to 1.'),
      jobTemplate: ref(`${P}.JobTemplateSpec`, 'The job created at each scheduled time.'),
      schedule: str('When to run, in cron syntax, e.g. "*/5 * * * *".'),
      startingDeadlineSeconds: int64(
        'Seconds after a missed scheduled time during which the job may still start.',
      ),
      successfulJobsHistoryLimit: int32('How many successful jobs to keep; defaults to 3.'),
      suspend: bool('When true, no further runs are started.'),
      timeZone: str("The IANA time zone the schedule is read in; defaults to the controller's local zone."),
    },
    { required: ['schedule', 'jobTemplate'] },
  ),
  [`${P}.CronJobStatus`]: obj('The observed state of a cron job.', {
    active: arr(t.ref('io.k8s.api.core.v1.ObjectReference'), 'The jobs currently running.', atomic),
    lastScheduleTime: ref(TIME, 'When a job was last scheduled.'),
    lastSuccessfulTime: ref(TIME, 'When a job last completed successfully.'),
  }),
};
