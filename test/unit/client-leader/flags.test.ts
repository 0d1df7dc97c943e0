// --leader-elect-lease-duration / -renew-deadline / -retry-period: upstream's defaults (15s, 10s,
// 2s) and client-go's NewLeaderElector checks, with its messages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { leaderElectionTimings } from '../../../src/client/leader-election-flags.js';

describe('leader election flags', () => {
  it('defaults to 15s / 10s / 2s and takes Go durations', () => {
    assert.deepEqual(leaderElectionTimings({}), {
      leaseDurationSeconds: 15,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2000,
    });
    assert.deepEqual(
      leaderElectionTimings({
        'leader-elect-lease-duration': '4s',
        'leader-elect-renew-deadline': '3s',
        'leader-elect-retry-period': '500ms',
      }),
      { leaseDurationSeconds: 4, renewDeadlineMs: 3000, retryPeriodMs: 500 },
    );
  });

  it('refuses inconsistent timings and bad durations as upstream', () => {
    assert.throws(() => leaderElectionTimings({ 'leader-elect-lease-duration': '10s' }), {
      message: 'leaseDuration must be greater than renewDeadline',
    });
    assert.throws(() => leaderElectionTimings({ 'leader-elect-retry-period': '9s' }), {
      message: 'renewDeadline must be greater than retryPeriod*JitterFactor',
    });
    assert.throws(() => leaderElectionTimings({ 'leader-elect-retry-period': 'soon' }), {
      message:
        'invalid argument "soon" for "--leader-elect-retry-period" flag: time: invalid duration "soon"',
    });
  });
});
