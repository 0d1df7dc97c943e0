// The Job shape the job controller reads and writes (batch/v1, 1.31).
import type { KubeObject } from '../../api/types.js';
import type { PodTemplateSpec } from '../common/objects.js';
import type { LabelSelectorObject } from '../../api/selectors/index.js';

export interface JobCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface PodFailurePolicyRule {
  action: 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn'; values: number[] };
  onPodConditions?: { type: string; status?: string }[];
}

export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  completedIndexes?: string;
  failedIndexes?: string;
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
  ready?: number;
}

export interface Job extends KubeObject {
  spec: {
    parallelism?: number;
    completions?: number;
    activeDeadlineSeconds?: number;
    backoffLimit?: number;
    selector?: LabelSelectorObject;
    template: PodTemplateSpec;
    completionMode?: 'NonIndexed' | 'Indexed';
    suspend?: boolean;
    podFailurePolicy?: { rules: PodFailurePolicyRule[] };
    podReplacementPolicy?: 'TerminatingOrFailed' | 'Failed';
    backoffLimitPerIndex?: number;
    maxFailedIndexes?: number;
    successPolicy?: { rules: { succeededIndexes?: string; succeededCount?: number }[] };
  };
  status?: JobStatus;
}

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
export const INDEX_FAILURE_COUNT = 'batch.kubernetes.io/job-index-failure-count';

export const Reasons = {
  CompletionsReached: 'CompletionsReached',
  BackoffLimitExceeded: 'BackoffLimitExceeded',
  DeadlineExceeded: 'DeadlineExceeded',
  PodFailurePolicy: 'PodFailurePolicy',
  MaxFailedIndexesExceeded: 'MaxFailedIndexesExceeded',
  FailedIndexes: 'FailedIndexes',
  SuccessPolicy: 'SuccessPolicy',
  Suspended: 'JobSuspended',
  Resumed: 'JobResumed',
} as const;

export const Messages = {
  completions: 'Reached expected number of succeeded pods',
  backoff: 'Job has reached the specified backoff limit',
  deadline: 'Job was active longer than specified deadline',
  maxFailedIndexes: 'Job has exceeded the specified maximum number of failed indexes',
  failedIndexes: 'Job has failed indexes',
} as const;
