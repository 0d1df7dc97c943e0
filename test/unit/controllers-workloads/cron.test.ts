// Cron schedules and CronJob bookkeeping: next times (robfig/cron semantics, time zones via
// Intl), job names in minutes, the scheduled-timestamp annotation, missed start times.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CronSyntaxError, nextAfter, parseSchedule } from '../../../src/controllers/cronjob/cron.js';
import {
  jobName,
  mostRecentScheduleTime,
  rfc3339In,
  type CronJob,
} from '../../../src/controllers/cronjob/controller.js';

const at = (s: string) => Date.parse(s);
const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

describe('cron schedules', () => {
  it('steps, ranges, lists and names', () => {
    assert.equal(
      iso(nextAfter(parseSchedule('*/15 * * * *'), at('2026-01-01T12:07:30Z'))),
      '2026-01-01T12:15:00.000Z',
    );
    assert.equal(
      iso(nextAfter(parseSchedule('5,10 3-4 * * *'), at('2026-01-01T03:10:00Z'))),
      '2026-01-01T04:05:00.000Z',
    );
    assert.equal(
      iso(nextAfter(parseSchedule('0 0 1 feb-mar *'), at('2026-01-15T00:00:00Z'))),
      '2026-02-01T00:00:00.000Z',
    );
    assert.equal(
      iso(nextAfter(parseSchedule('0 12 * * SUN'), at('2026-01-01T00:00:00Z'))),
      '2026-01-04T12:00:00.000Z',
    );
    // 7 is Sunday as well
    assert.equal(
      iso(nextAfter(parseSchedule('0 12 * * 7'), at('2026-01-01T00:00:00Z'))),
      '2026-01-04T12:00:00.000Z',
    );
  });

  it('descriptors', () => {
    const from = at('2026-03-10T12:07:00Z');
    assert.equal(iso(nextAfter(parseSchedule('@hourly'), from)), '2026-03-10T13:00:00.000Z');
    assert.equal(iso(nextAfter(parseSchedule('@daily'), from)), '2026-03-11T00:00:00.000Z');
    assert.equal(iso(nextAfter(parseSchedule('@weekly'), from)), '2026-03-15T00:00:00.000Z');
    assert.equal(iso(nextAfter(parseSchedule('@monthly'), from)), '2026-04-01T00:00:00.000Z');
    assert.equal(iso(nextAfter(parseSchedule('@yearly'), from)), '2027-01-01T00:00:00.000Z');
    assert.equal(iso(nextAfter(parseSchedule('@every 90s'), from)), '2026-03-10T12:08:30.000Z');
  });

  it('day-of-month OR day-of-week when both are restricted, AND when one is *', () => {
    // the 13th, or any Friday
    assert.equal(
      iso(nextAfter(parseSchedule('0 0 13 * 5'), at('2026-01-01T00:00:00Z'))),
      '2026-01-02T00:00:00.000Z',
    );
    assert.equal(
      iso(nextAfter(parseSchedule('0 0 13 * *'), at('2026-01-01T00:00:00Z'))),
      '2026-01-13T00:00:00.000Z',
    );
  });

  it('runs on the wall clock of spec.timeZone', () => {
    // 09:00 on weekdays in Seoul (UTC+9): Friday 2 January 09:30 KST is past, so Monday 5 January
    const next = nextAfter(parseSchedule('0 9 * * 1-5'), at('2026-01-02T00:30:00Z'), 'Asia/Seoul');
    assert.equal(iso(next), '2026-01-05T00:00:00.000Z');
    // New York changes to daylight time on 8 March 2026: 02:30 does not exist that day
    const ny = nextAfter(parseSchedule('0 12 * * *'), at('2026-03-08T00:00:00Z'), 'America/New_York');
    assert.equal(iso(ny), '2026-03-08T16:00:00.000Z');
  });

  it('rejects bad schedules with robfig messages', () => {
    assert.throws(
      () => parseSchedule('* * * *'),
      new CronSyntaxError('expected exactly 5 fields, found 4: [* * * *]'),
    );
    assert.throws(() => parseSchedule('61 * * * *'), /end of range \(61\) above maximum \(59\): 61/);
    assert.throws(() => parseSchedule('@fortnightly'), /unrecognized descriptor: @fortnightly/);
  });
});

describe('cronjob bookkeeping', () => {
  it('names jobs by the scheduled minute and stamps the time in the zone', () => {
    assert.equal(jobName('hello', at('2026-01-01T00:00:00Z')), 'hello-29453760');
    assert.equal(rfc3339In(at('2026-01-01T00:00:00Z'), 'UTC'), '2026-01-01T00:00:00Z');
    assert.equal(rfc3339In(at('2026-01-01T00:00:00Z'), 'Asia/Seoul'), '2026-01-01T09:00:00+09:00');
    assert.equal(rfc3339In(at('2026-07-01T00:00:00Z'), 'America/New_York'), '2026-06-30T20:00:00-04:00');
  });

  it('finds the most recent due time, bounded by startingDeadlineSeconds', () => {
    const cj = (deadline?: number): CronJob => ({
      metadata: { name: 'c', creationTimestamp: '2026-01-01T00:00:30Z' },
      spec: {
        schedule: '* * * * *',
        startingDeadlineSeconds: deadline,
        jobTemplate: { spec: { template: {} } },
      },
    });
    const now = at('2026-01-01T00:10:10Z');
    const sched = parseSchedule('* * * * *');
    assert.deepEqual(mostRecentScheduleTime(cj(), now, sched, 'UTC'), {
      time: at('2026-01-01T00:10:00Z'),
      missed: 10,
    });
    assert.deepEqual(mostRecentScheduleTime(cj(5), now, sched, 'UTC'), { missed: 0 });
    assert.deepEqual(mostRecentScheduleTime(cj(30), now, sched, 'UTC'), {
      time: at('2026-01-01T00:10:00Z'),
      missed: 1,
    });
  });
});
