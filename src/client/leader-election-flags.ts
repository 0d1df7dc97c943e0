// The leader-election flags kube-controller-manager and kube-scheduler share (component-base's
// LeaderElectionConfiguration), checked as client-go's NewLeaderElector checks its config.
import { parseDuration } from '../util/duration.js';
import type { LeaderElectionConfig } from './leader-election.js';

export const LEADER_ELECT_FLAG_OPTIONS = {
  'leader-elect-lease-duration': { type: 'string', default: '15s' },
  'leader-elect-renew-deadline': { type: 'string', default: '10s' },
  'leader-elect-retry-period': { type: 'string', default: '2s' },
} as const;

export const LEADER_ELECT_FLAGS_HELP = `  --leader-elect-lease-duration DURATION  How long a lease's candidates wait after the last renewal before taking it (default 15s)
  --leader-elect-renew-deadline DURATION  How long the leader retries renewing before it gives up leading (default 10s)
  --leader-elect-retry-period DURATION    How often candidates try to acquire or renew (default 2s)
`;

/** client-go's leaderelection.JitterFactor: renewals must fit several retries into the deadline */
const JITTER_FACTOR = 1.2;

type Timings = Required<
  Pick<LeaderElectionConfig, 'leaseDurationSeconds' | 'renewDeadlineMs' | 'retryPeriodMs'>
>;

export function leaderElectionTimings(values: {
  'leader-elect-lease-duration'?: string;
  'leader-elect-renew-deadline'?: string;
  'leader-elect-retry-period'?: string;
}): Timings {
  const lease = parseDuration(values['leader-elect-lease-duration'] ?? '15s', 'leader-elect-lease-duration');
  const renew = parseDuration(values['leader-elect-renew-deadline'] ?? '10s', 'leader-elect-renew-deadline');
  const retry = parseDuration(values['leader-elect-retry-period'] ?? '2s', 'leader-elect-retry-period');
  if (lease <= renew) throw new Error('leaseDuration must be greater than renewDeadline');
  if (renew <= JITTER_FACTOR * retry)
    throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
  // the Lease carries whole seconds (client-go writes int32(LeaseDuration / time.Second))
  if (lease < 1000) throw new Error('leaseDuration must be greater than zero');
  return { leaseDurationSeconds: Math.floor(lease / 1000), renewDeadlineMs: renew, retryPeriodMs: retry };
}
