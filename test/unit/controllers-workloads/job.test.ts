// Pure parts of the job controller: failure backoff, the pod failure policy, index intervals.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  failureBackoffMs,
  formatIndexes,
  matchPodFailurePolicy,
  parseIndexes,
} from '../../../src/controllers/job/policy.js';
import type { Job } from '../../../src/controllers/job/types.js';
import type { Pod } from '../../../src/controllers/common/objects.js';

const job = (rules: NonNullable<Job['spec']['podFailurePolicy']>['rules']): Job => ({
  metadata: { name: 'j', namespace: 'ns' },
  spec: { template: {}, podFailurePolicy: { rules } },
});
const failed = (code: number, conditions: { type: string; status: string }[] = []): Pod => ({
  metadata: { name: 'p', namespace: 'ns' },
  status: {
    phase: 'Failed',
    conditions,
    containerStatuses: [
      {
        name: 'main',
        image: '',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: { terminated: { exitCode: code } },
      },
    ],
  },
});

describe('job failure backoff', () => {
  it('waits 10 s after the first failure, doubling up to 10 minutes', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 7, 20].map(failureBackoffMs),
      [0, 10_000, 20_000, 40_000, 600_000, 600_000],
    );
  });
});

describe('pod failure policy', () => {
  it('matches exit codes In and NotIn, and conditions, with upstream messages', () => {
    const j = job([
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
      { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
      { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1] } },
    ]);
    assert.deepEqual(matchPodFailurePolicy(j, failed(42)), {
      action: 'FailJob',
      message: 'Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1',
    });
    assert.equal(matchPodFailurePolicy(j, failed(3))?.action, 'Count');
    assert.equal(matchPodFailurePolicy(j, failed(1)), undefined);
    assert.deepEqual(matchPodFailurePolicy(j, failed(42, [{ type: 'DisruptionTarget', status: 'True' }])), {
      action: 'Ignore',
      message: 'Pod ns/p has condition DisruptionTarget matching Ignore rule at index 0',
    });
  });
});

describe('completed indexes', () => {
  it('are written as compressed intervals and read back', () => {
    assert.equal(formatIndexes([4, 0, 1, 2, 7, 8]), '0-2,4,7-8');
    assert.deepEqual([...parseIndexes('0-2,4')], [0, 1, 2, 4]);
    assert.equal(formatIndexes([]), '');
  });
});
