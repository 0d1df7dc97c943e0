// CronJobs against a real server: the scheduled Job with its name, owner and scheduled-time
// annotation, the active list and last times in status, completion, suspend, and
// `kubectl create job --from=cronjob/x`. `@every 2s` keeps the wait short.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';
import { eventually, livePods, writePodStatus } from './pod-status-writer.js';

interface CronJobView {
  metadata: { uid: string };
  status: {
    active?: { name: string; kind: string }[];
    lastScheduleTime?: string;
    lastSuccessfulTime?: string;
  };
}
interface JobView {
  metadata: {
    name: string;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
  };
}

describe('cronjob controller', () => {
  let s: TestServer;
  const ns = 'cron';
  before(async () => {
    s = await startServer();
    assert.equal((await s.kubectl(['create', 'namespace', ns])).code, 0);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  const cronjob = async (name: string) =>
    JSON.parse((await s.api('GET', `/apis/batch/v1/namespaces/${ns}/cronjobs/${name}`)).body) as CronJobView;
  const jobs = async () =>
    (JSON.parse((await s.api('GET', `/apis/batch/v1/namespaces/${ns}/jobs`)).body) as { items: JobView[] })
      .items;

  it('creates the Job of the due slot, named by the scheduled minute, and tracks it', async () => {
    const r = await s.kubectl([
      '-n',
      ns,
      'create',
      'cronjob',
      'tick',
      '--image=busybox',
      '--schedule=@every 2s',
      '--',
      'true',
    ]);
    assert.equal(r.stdout.trim(), 'cronjob.batch/tick created');
    const job = await eventually(
      'scheduled job',
      async () => (await jobs()).find((j) => j.metadata.name.startsWith('tick-')),
      30,
    );
    const cj = await cronjob('tick');
    const scheduled = job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'];
    assert.match(scheduled ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(job.metadata.name, `tick-${Math.floor(Date.parse(scheduled!) / 60_000)}`);
    assert.deepEqual(
      job.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.uid, o.controller]),
      [['CronJob', 'tick', cj.metadata.uid, true]],
    );
    const st = await eventually('active in status', async () => {
      const c = await cronjob('tick');
      return c.status.active?.length ? c.status : undefined;
    });
    assert.deepEqual(
      st.active?.map((a) => [a.kind, a.name]),
      [['Job', job.metadata.name]],
    );
    assert.equal(st.lastScheduleTime, scheduled);
    const ev = await s.kubectl([
      '-n',
      ns,
      'get',
      'events',
      '--field-selector',
      'reason=SuccessfulCreate,involvedObject.kind=CronJob',
      '-o',
      'jsonpath={.items[*].message}',
    ]);
    assert.equal(ev.stdout, `Created job ${job.metadata.name}`);

    // the job's pod succeeds: the job completes and the cronjob records it
    const pod = await eventually(
      'pod',
      async () => (await livePods(s, ns, `batch.kubernetes.io/job-name=${job.metadata.name}`))[0],
    );
    await writePodStatus(s, ns, pod.metadata.name, { phase: 'Succeeded', ready: false });
    const done = await eventually(
      'lastSuccessfulTime',
      async () => {
        const c = await cronjob('tick');
        return c.status.lastSuccessfulTime && !c.status.active?.length ? c.status : undefined;
      },
      30,
    );
    assert.ok(done.lastSuccessfulTime);
    await eventually('SawCompletedJob event', async () => {
      const e = await s.kubectl([
        '-n',
        ns,
        'get',
        'events',
        '--field-selector',
        'reason=SawCompletedJob',
        '-o',
        'jsonpath={.items[*].message}',
      ]);
      return e.stdout.includes(`Saw completed job: ${job.metadata.name}, condition: Complete`)
        ? true
        : undefined;
    });
  });

  it('creates a job from the cronjob template with kubectl create job --from', async () => {
    const r = await s.kubectl(['-n', ns, 'create', 'job', 'by-hand', '--from=cronjob/tick']);
    assert.equal(r.stdout.trim(), 'job.batch/by-hand created');
    const j = (await jobs()).find((x) => x.metadata.name === 'by-hand')!;
    assert.equal(j.metadata.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.equal(j.metadata.ownerReferences?.[0].kind, 'CronJob');
  });

  it('makes no jobs while suspended', async () => {
    await s.kubectl(['-n', ns, 'create', 'cronjob', 'paused', '--image=busybox', '--schedule=@every 1s']);
    await s.kubectl([
      '-n',
      ns,
      'patch',
      'cronjob',
      'paused',
      '--type=merge',
      '-p',
      '{"spec":{"suspend":true}}',
    ]);
    // a suspended cronjob may have made one job before the patch landed, never more
    await new Promise((r) => setTimeout(r, 3000));
    const made = (await jobs()).filter((j) => j.metadata.name.startsWith('paused-')).length;
    assert.ok(made <= 1, `${made} jobs while suspended`);
    const g = await s.kubectl(['-n', ns, 'get', 'cronjob', 'paused', '--no-headers']);
    assert.match(g.stdout, /^paused\s+@every 1s\s+\S+\s+True\s+/);
  });
});
