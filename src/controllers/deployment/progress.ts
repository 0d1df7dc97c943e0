// The Progressing condition of a rollout (syncRolloutStatus, progress.go): complete when every
// replica is new and available, progressing while any count moves, timed out past
// progressDeadlineSeconds; plus the ReplicaFailure of its ReplicaSets.
import type { Condition } from '../common/conditions.js';
import { nowStamp } from '../common/objects.js';
import {
  calculateStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  replicaFailures,
} from './status.js';
import { Reasons, type Deployment, type DeploymentStatus, type ReplicaSet } from './types.js';
import { hasProgressDeadline, newDeploymentCondition, setDeploymentCondition } from './util.js';

export function rolloutStatus(
  d: Deployment,
  rsList: ReplicaSet[],
  newRS: ReplicaSet | undefined,
  nowMs: number,
): DeploymentStatus {
  const next = calculateStatus(rsList, newRS, d);
  let conds = next.conditions ?? [];
  if (!hasProgressDeadline(d)) conds = conds.filter((c) => c.type !== 'Progressing');
  const current = (d.status?.conditions ?? []).find((c) => c.type === 'Progressing');
  const complete = next.replicas === next.updatedReplicas && current?.reason === Reasons.NewRSAvailable;
  const now = nowStamp(nowMs);
  if (hasProgressDeadline(d) && !complete) {
    const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, next)) {
      conds = setDeploymentCondition(
        conds,
        newDeploymentCondition(
          'Progressing',
          'True',
          Reasons.NewRSAvailable,
          `${subject} has successfully progressed.`,
          now,
        ),
      );
    } else if (deploymentProgressing(d, next)) {
      const c = newDeploymentCondition(
        'Progressing',
        'True',
        Reasons.ReplicaSetUpdated,
        `${subject} is progressing.`,
        now,
      );
      if (current) {
        if (current.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
        conds = conds.filter((x) => x.type !== 'Progressing');
      }
      conds = setDeploymentCondition(conds, c);
    } else if (deploymentTimedOut(d, next, nowMs)) {
      conds = setDeploymentCondition(
        conds,
        newDeploymentCondition(
          'Progressing',
          'False',
          Reasons.TimedOut,
          `${subject} has timed out progressing.`,
          now,
        ),
      );
    }
  }
  const failure = replicaFailures(rsList, newRS);
  conds = failure ? setDeploymentCondition(conds, failure) : conds.filter((c) => c.type !== 'ReplicaFailure');
  next.conditions = conds.length ? conds : undefined;
  if (!next.conditions) delete next.conditions;
  return next;
}

/** requeueStuckDeployment: when to look again so that the progress deadline is noticed. */
export function stuckRequeue(d: Deployment, next: { conditions?: Condition[] }): number | undefined {
  const cond = (next.conditions ?? []).find((c) => c.type === 'Progressing');
  if (
    !hasProgressDeadline(d) ||
    !cond ||
    cond.reason === Reasons.NewRSAvailable ||
    cond.reason === Reasons.TimedOut
  )
    return undefined;
  if (deploymentComplete(d, next)) return undefined;
  const from = Date.parse(cond.lastUpdateTime ?? '') || Date.now();
  const after = from + d.spec.progressDeadlineSeconds! * 1000 - Date.now();
  return Math.max(after + 1000, 1000);
}
