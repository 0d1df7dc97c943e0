// concurrencyPolicy and startingDeadlineSeconds of the CronJob controller, against an
// in-memory API at a chosen "now": Forbid skips while a job runs, Replace deletes it first,
// Allow starts another; a slot too old for the deadline is reported as missed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CronJobController, type CronJob } from '../../../src/controllers/cronjob/controller.js';
import { FakeApi } from './fake-api.js';

const NOW = Date.parse('2026-01-01T10:05:30Z');

function fixtures(policy: 'Allow' | 'Forbid' | 'Replace', deadline?: number) {
  const cj: CronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: 'tick',
      namespace: 'ns',
      uid: 'cj-uid',
      creationTimestamp: '2026-01-01T09:00:00Z',
      resourceVersion: '1',
    },
    spec: {
      schedule: '*/5 * * * *',
      concurrencyPolicy: policy,
      startingDeadlineSeconds: deadline,
      jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } },
    },
    status: {
      lastScheduleTime: '2026-01-01T10:00:00Z',
      active: [
        { kind: 'Job', namespace: 'ns', name: 'tick-29454360', uid: 'job-uid', apiVersion: 'batch/v1' },
      ],
    },
  };
  const running = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: 'tick-29454360',
      namespace: 'ns',
      uid: 'job-uid',
      ownerReferences: [
        { apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'cj-uid', controller: true },
      ],
    },
    spec: { template: {} },
    status: { active: 1 },
  };
  const api = new FakeApi({ '/apis/batch/v1/cronjobs': [cj], '/apis/batch/v1/jobs': [running] }, (call) =>
    call.method === 'POST' && call.path.endsWith('/jobs')
      ? {
          ...(call.body as object),
          metadata: { ...(call.body as { metadata: object }).metadata, uid: 'new-uid', resourceVersion: '2' },
        }
      : call.body,
  );
  return api;
}

async function syncAt(api: FakeApi) {
  const { ctx, informers, recorders } = api.context();
  const c = new CronJobController(ctx);
  informers.start();
  await informers.waitForSync();
  await c.sync('ns/tick', NOW);
  await Promise.all(recorders.map((r) => r.flush()));
  c.stop();
  informers.dispose();
  const events = api.writes('POST', '/events').map((e) => {
    const b = e.body as { reason: string; message: string };
    return `${b.reason}: ${b.message}`;
  });
  return { events, posts: api.writes('POST', '/jobs'), deletes: api.writes('DELETE', '/jobs/') };
}

describe('cronjob concurrency and deadlines', () => {
  it('Forbid: no new job while one runs', async () => {
    const r = await syncAt(fixtures('Forbid'));
    assert.equal(r.posts.length, 0);
    assert.deepEqual(r.events, [
      'JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid',
    ]);
  });

  it('Replace: the running job is deleted (in the background) and the 10:05 job made', async () => {
    const r = await syncAt(fixtures('Replace'));
    assert.deepEqual(
      r.deletes.map((d) => [d.path, (d.body as { propagationPolicy: string }).propagationPolicy]),
      [['/apis/batch/v1/namespaces/ns/jobs/tick-29454360', 'Background']],
    );
    assert.equal((r.posts[0].body as { metadata: { name: string } }).metadata.name, 'tick-29454365');
    assert.deepEqual(r.events, [
      'SuccessfulDelete: Deleted job tick-29454360',
      'SuccessfulCreate: Created job tick-29454365',
    ]);
  });

  it('Allow: another job beside the running one, annotated with its scheduled time', async () => {
    const r = await syncAt(fixtures('Allow'));
    const job = r.posts[0].body as {
      metadata: { name: string; annotations: Record<string, string>; ownerReferences: { kind: string }[] };
    };
    assert.equal(job.metadata.name, 'tick-29454365');
    assert.equal(
      job.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'],
      '2026-01-01T10:05:00Z',
    );
    assert.equal(job.metadata.ownerReferences[0].kind, 'CronJob');
  });

  it('startingDeadlineSeconds: a slot older than the deadline is not run', async () => {
    const api = fixtures('Allow', 10);
    const r = await syncAt(api);
    assert.equal(r.posts.length, 0);
    assert.deepEqual(r.events, []);
  });
});
