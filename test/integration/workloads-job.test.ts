// Jobs as kubectl users see them: pods with the tracking finalizer and job labels, completion
// (SuccessCriteriaMet, then Complete), failure past backoffLimit, podFailurePolicy, Indexed
// completion, suspend/resume and activeDeadlineSeconds. Pod outcomes are written by the test.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';
import { eventually, listPods, livePods, writePodStatus, type PodView } from './pod-status-writer.js';

interface JobView {
  status: {
    active?: number;
    succeeded?: number;
    failed?: number;
    ready?: number;
    terminating?: number;
    completedIndexes?: string;
    failedIndexes?: string;
    completionTime?: string;
    startTime?: string;
    uncountedTerminatedPods?: object;
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}

describe('job controller', () => {
  let s: TestServer;
  const ns = 'jobs';
  before(async () => {
    s = await startServer();
    assert.equal((await s.kubectl(['create', 'namespace', ns])).code, 0);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  const job = async (name: string) =>
    JSON.parse((await s.api('GET', `/apis/batch/v1/namespaces/${ns}/jobs/${name}`)).body) as JobView;
  const conditions = (j: JobView) =>
    (j.status.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}: ${c.message}`);
  const podsOf = (name: string, n: number) =>
    eventually(`${n} pods of ${name}`, async () => {
      const p = await livePods(s, ns, `batch.kubernetes.io/job-name=${name}`);
      return p.length === n ? p : undefined;
    });
  const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const finish = (p: PodView, exitCode: number) =>
    writePodStatus(s, ns, p.metadata.name, {
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      ready: false,
      extra: {
        containerStatuses: [
          {
            name: 'c',
            image: 'busybox',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: {
              terminated: {
                exitCode,
                reason: exitCode ? 'Error' : 'Completed',
                startedAt: stamp(),
                finishedAt: stamp(),
              },
            },
          },
        ],
      },
    });
  const apply = (yaml: string) => s.kubectl(['-n', ns, 'apply', '-f', '-'], yaml);
  const jobYaml = (name: string, spec: string) => `apiVersion: batch/v1
kind: Job
metadata: {name: ${name}}
spec:
${spec}
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
`;

  it('runs a pod with the tracking finalizer and completes when it succeeds', async () => {
    const r = await s.kubectl(['-n', ns, 'create', 'job', 'once', '--image=busybox', '--', 'true']);
    assert.equal(r.stdout.trim(), 'job.batch/once created');
    const [pod] = await podsOf('once', 1);
    assert.deepEqual(pod.metadata.finalizers, ['batch.kubernetes.io/job-tracking']);
    assert.match(pod.metadata.name, /^once-[a-z0-9]{5}$/);
    assert.ok(pod.metadata.labels?.['batch.kubernetes.io/controller-uid']);
    await eventually('active 1', async () => ((await job('once')).status.active === 1 ? true : undefined));
    await finish({ ...pod, spec: pod.spec }, 0);
    const done = await eventually('complete', async () => {
      const j = await job('once');
      return j.status.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') ? j : undefined;
    });
    assert.deepEqual(conditions(done), [
      'SuccessCriteriaMet=True/CompletionsReached: Reached expected number of succeeded pods',
      'Complete=True/CompletionsReached: Reached expected number of succeeded pods',
    ]);
    assert.equal(done.status.succeeded, 1);
    assert.equal(done.status.ready, 0);
    assert.equal(done.status.terminating, 0);
    assert.deepEqual(done.status.uncountedTerminatedPods, {});
    assert.ok(done.status.completionTime);
    const after = (await listPods(s, ns, 'batch.kubernetes.io/job-name=once'))[0];
    assert.deepEqual(after.metadata.finalizers ?? [], []);
    const w = await s.kubectl(['-n', ns, 'wait', '--for=condition=complete', 'job/once', '--timeout=10s']);
    assert.equal(w.stdout.trim(), 'job.batch/once condition met');
    const ev = await s.kubectl([
      '-n',
      ns,
      'get',
      'events',
      '--field-selector',
      'reason=Completed',
      '-o',
      'jsonpath={.items[*].message}',
    ]);
    assert.equal(ev.stdout, 'Job completed');
  });

  it('fails past backoffLimit with FailureTarget, then Failed, and a warning event', async () => {
    await apply(jobYaml('flaky', '  backoffLimit: 0'));
    const [pod] = await podsOf('flaky', 1);
    await finish(pod, 1);
    const j = await eventually('failed', async () => {
      const v = await job('flaky');
      return v.status.conditions?.some((c) => c.type === 'Failed') ? v : undefined;
    });
    assert.deepEqual(conditions(j), [
      'FailureTarget=True/BackoffLimitExceeded: Job has reached the specified backoff limit',
      'Failed=True/BackoffLimitExceeded: Job has reached the specified backoff limit',
    ]);
    assert.equal(j.status.failed, 1);
    const ev = await s.kubectl([
      '-n',
      ns,
      'get',
      'events',
      '--field-selector',
      'reason=BackoffLimitExceeded',
      '-o',
      'jsonpath={.items[*].type} {.items[*].message}',
    ]);
    assert.equal(ev.stdout, 'Warning Job has reached the specified backoff limit');
  });

  it('replaces a failed pod only after the 10 s failure backoff', async () => {
    await apply(jobYaml('retry', '  backoffLimit: 2'));
    const [first] = await podsOf('retry', 1);
    await finish(first, 1);
    await eventually('failure counted', async () =>
      (await job('retry')).status.failed === 1 ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 1000));
    const early = (await livePods(s, ns, 'batch.kubernetes.io/job-name=retry')).filter(
      (p) => p.metadata.name !== first.metadata.name,
    );
    assert.equal(early.length, 0, 'no replacement within the backoff');
    const [second] = await eventually(
      'replacement',
      async () => {
        const p = (await livePods(s, ns, 'batch.kubernetes.io/job-name=retry')).filter(
          (x) => x.metadata.name !== first.metadata.name,
        );
        return p.length ? p : undefined;
      },
      20,
    );
    assert.match(second.metadata.name, /^retry-[a-z0-9]{5}$/);
  });

  it('fails at once on a FailJob rule of podFailurePolicy', async () => {
    await apply(
      jobYaml(
        'policy',
        `  backoffLimit: 6
  podFailurePolicy:
    rules:
    - action: FailJob
      onExitCodes: {containerName: c, operator: In, values: [42]}`,
      ),
    );
    const [pod] = await podsOf('policy', 1);
    await finish(pod, 42);
    const j = await eventually('failed', async () => {
      const v = await job('policy');
      return v.status.conditions?.some((c) => c.type === 'Failed') ? v : undefined;
    });
    assert.equal(
      conditions(j)[1],
      `Failed=True/PodFailurePolicy: Container c for pod ${ns}/${pod.metadata.name} failed with exit code 42 matching FailJob rule at index 0`,
    );
  });

  it('runs Indexed jobs with one pod per index, index labels, annotations and hostnames', async () => {
    await apply(jobYaml('idx', '  completions: 3\n  parallelism: 3\n  completionMode: Indexed'));
    const pods = await podsOf('idx', 3);
    const byIndex = new Map(
      pods.map((p) => [p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'], p]),
    );
    assert.deepEqual([...byIndex.keys()].sort(), ['0', '1', '2']);
    for (const [i, p] of byIndex) {
      assert.equal(p.metadata.labels?.['batch.kubernetes.io/job-completion-index'], i);
      assert.equal(p.spec.hostname, `idx-${i}`);
      assert.match(p.metadata.name, new RegExp(`^idx-${i}-[a-z0-9]{5}$`));
    }
    await finish(byIndex.get('1')!, 0);
    await eventually('index 1 completed', async () =>
      (await job('idx')).status.completedIndexes === '1' ? true : undefined,
    );
    await finish(byIndex.get('0')!, 0);
    await finish(byIndex.get('2')!, 0);
    const j = await eventually('complete', async () => {
      const v = await job('idx');
      return v.status.conditions?.some((c) => c.type === 'Complete') ? v : undefined;
    });
    assert.equal(j.status.completedIndexes, '0-2');
    assert.equal(j.status.succeeded, 3);
  });

  it('gives up an index past backoffLimitPerIndex and fails with FailedIndexes', async () => {
    await apply(
      jobYaml(
        'per',
        '  completions: 2\n  parallelism: 2\n  completionMode: Indexed\n  backoffLimitPerIndex: 0',
      ),
    );
    const pods = await podsOf('per', 2);
    const at = (i: string) =>
      pods.find((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === i)!;
    assert.equal(at('0').metadata.annotations?.['batch.kubernetes.io/job-index-failure-count'], '0');
    await finish(at('0'), 1);
    await eventually('index 0 failed', async () =>
      (await job('per')).status.failedIndexes === '0' ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(
      (await livePods(s, ns, 'batch.kubernetes.io/job-name=per')).filter(
        (p) => !p.status?.phase || p.status.phase === 'Pending',
      ).length,
      1,
      'index 0 is not retried',
    );
    await finish(at('1'), 0);
    const j = await eventually('failed', async () => {
      const v = await job('per');
      return v.status.conditions?.some((c) => c.type === 'Failed') ? v : undefined;
    });
    assert.deepEqual(conditions(j), [
      'FailureTarget=True/FailedIndexes: Job has failed indexes',
      'Failed=True/FailedIndexes: Job has failed indexes',
    ]);
    assert.equal(j.status.completedIndexes, '1');
  });

  it('completes early when the successPolicy is met, removing the other pods', async () => {
    await apply(
      jobYaml(
        'leader',
        '  completions: 3\n  parallelism: 3\n  completionMode: Indexed\n  successPolicy: {rules: [{succeededIndexes: "0"}]}',
      ),
    );
    const pods = await podsOf('leader', 3);
    await finish(
      pods.find((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === '0')!,
      0,
    );
    const j = await eventually('complete', async () => {
      const v = await job('leader');
      return v.status.conditions?.some((c) => c.type === 'Complete') ? v : undefined;
    });
    assert.deepEqual(conditions(j), [
      'SuccessCriteriaMet=True/SuccessPolicy: Matched rules at index 0',
      'Complete=True/SuccessPolicy: Matched rules at index 0',
    ]);
    assert.equal(
      (await livePods(s, ns, 'batch.kubernetes.io/job-name=leader')).filter(
        (p) => p.status?.phase !== 'Succeeded',
      ).length,
      0,
    );
  });

  it('suspends without pods and resumes with them', async () => {
    await apply(jobYaml('later', '  suspend: true'));
    const suspended = await eventually('suspended', async () => {
      const v = await job('later');
      return v.status.conditions?.some((c) => c.type === 'Suspended') ? v : undefined;
    });
    assert.deepEqual(conditions(suspended), ['Suspended=True/JobSuspended: Job suspended']);
    assert.equal((await livePods(s, ns, 'batch.kubernetes.io/job-name=later')).length, 0);
    await s.kubectl(['-n', ns, 'patch', 'job', 'later', '--type=merge', '-p', '{"spec":{"suspend":false}}']);
    await podsOf('later', 1);
    const resumed = await eventually('resumed', async () => {
      const v = await job('later');
      return v.status.conditions?.some((c) => c.reason === 'JobResumed') ? v : undefined;
    });
    assert.deepEqual(conditions(resumed), ['Suspended=False/JobResumed: Job resumed']);
  });

  it('fails a job active past activeDeadlineSeconds and removes its pods', async () => {
    await apply(jobYaml('slow', '  activeDeadlineSeconds: 1'));
    await podsOf('slow', 1);
    const j = await eventually('deadline', async () => {
      const v = await job('slow');
      return v.status.conditions?.some((c) => c.type === 'Failed') ? v : undefined;
    });
    assert.equal(
      conditions(j)[1],
      'Failed=True/DeadlineExceeded: Job was active longer than specified deadline',
    );
    await eventually('pods gone', async () =>
      (await livePods(s, ns, 'batch.kubernetes.io/job-name=slow')).length === 0 ? true : undefined,
    );
  });
});
