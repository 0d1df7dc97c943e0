import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  columnNames,
  create,
  createErrors,
  defaultedTemplate,
  row,
  strategy,
  updateErrors,
} from './helpers.js';

const jobs = strategy('batch', 'v1', 'jobs');
const cronjobs = strategy('batch', 'v1', 'cronjobs');
const UID = '6f0c3d1e-0000-4000-8000-000000000001';

const podTemplate = (restartPolicy?: string) => ({
  spec: { containers: [{ name: 'pi', image: 'perl' }], ...(restartPolicy ? { restartPolicy } : {}) },
});

describe('batch/v1 Job', () => {
  it('defaults and the generated selector and labels, as kubectl get -o yaml shows them', () => {
    const j = create(jobs, { metadata: { name: 'pi' }, spec: { template: podTemplate('Never') } });
    const labels = {
      'batch.kubernetes.io/controller-uid': UID,
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': UID,
      'job-name': 'pi',
    };
    assert.deepEqual(j.spec, {
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      completions: 1,
      parallelism: 1,
      podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': UID } },
      suspend: false,
      template: defaultedTemplate(labels, 'pi', 'perl', 'Never'),
    });
    assert.deepEqual(j.metadata.labels, labels);
    assert.deepEqual(j.status, {});
    assert.deepEqual(
      createErrors(jobs, { metadata: { name: 'pi' }, spec: { template: podTemplate('Never') } }),
      [],
    );
  });

  it('parallelism alone leaves completions unset; a pod failure policy means replacement when Failed', () => {
    const j = create(jobs, {
      metadata: { name: 'w' },
      spec: { parallelism: 3, podFailurePolicy: { rules: [] }, template: podTemplate('Never') },
    });
    const s = j.spec as Record<string, unknown>;
    assert.equal(s.completions, undefined);
    assert.equal(s.parallelism, 3);
    assert.equal(s.podReplacementPolicy, 'Failed');
  });

  it('restartPolicy Always (the pod default) is refused', () => {
    assert.deepEqual(createErrors(jobs, { metadata: { name: 'pi' }, spec: { template: podTemplate() } }), [
      'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    ]);
  });

  it('a chosen selector without manualSelector is refused', () => {
    const errs = createErrors(jobs, {
      metadata: { name: 'pi' },
      spec: {
        selector: { matchLabels: { app: 'pi' } },
        template: { metadata: { labels: { app: 'pi' } }, ...podTemplate('Never') },
      },
    });
    assert.deepEqual(errs, [
      `spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"pi", "batch.kubernetes.io/controller-uid":"${UID}"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: \`selector\` not auto-generated`,
    ]);
  });

  it('manualSelector keeps the user selector, which must match', () => {
    const errs = createErrors(jobs, {
      metadata: { name: 'pi' },
      spec: {
        manualSelector: true,
        selector: { matchLabels: { app: 'pi' } },
        template: { metadata: { labels: { app: 'other' } }, ...podTemplate('Never') },
      },
    });
    assert.deepEqual(errs, [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    ]);
  });

  it('negative counts', () => {
    assert.deepEqual(
      createErrors(jobs, {
        metadata: { name: 'pi' },
        spec: { backoffLimit: -1, template: podTemplate('Never') },
      }),
      ['spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0'],
    );
  });

  it('completions are immutable; a running Job keeps its template', () => {
    const old = create(jobs, { metadata: { name: 'pi' }, spec: { template: podTemplate('Never') } });
    const next = structuredClone(old) as unknown as { spec: Record<string, unknown> };
    next.spec.completions = 2;
    assert.deepEqual(updateErrors(jobs, old, next as never), [
      'spec.completions: Invalid value: 2: field is immutable',
    ]);
  });

  it('table: NAME STATUS COMPLETIONS DURATION AGE', () => {
    assert.deepEqual(columnNames(jobs), ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    assert.deepEqual(columnNames(jobs, true).slice(5), ['CONTAINERS', 'IMAGES', 'SELECTOR']);
    const j = create(jobs, { metadata: { name: 'pi' }, spec: { template: podTemplate('Never') } });
    j.status = {
      succeeded: 1,
      startTime: '2024-06-01T11:58:00Z',
      completionTime: '2024-06-01T11:58:25Z',
      conditions: [{ type: 'Complete', status: 'True' }],
    };
    assert.deepEqual(Object.values(row(jobs, j)), [
      'pi',
      'Complete',
      '1/1',
      '25s',
      '60m',
      'pi',
      'perl',
      `batch.kubernetes.io/controller-uid=${UID}`,
    ]);
    j.status = { startTime: '2024-06-01T11:59:00Z' };
    assert.deepEqual(Object.values(row(jobs, j)).slice(1, 4), ['Running', '0/1', '60s']);
    j.metadata.deletionTimestamp = '2024-06-01T12:00:00Z';
    assert.equal(row(jobs, j).Status, 'Terminating');
  });

  it('table: parallel Jobs without completions show "0/1 of N"', () => {
    const j = create(jobs, {
      metadata: { name: 'w' },
      spec: { parallelism: 3, template: podTemplate('Never') },
    });
    assert.equal(row(jobs, j).Completions, '0/1 of 3');
  });
});

describe('batch/v1 CronJob', () => {
  const minimal = {
    metadata: { name: 'hello' },
    spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: podTemplate('OnFailure') } } },
  };

  it('defaults: Allow, not suspended, history 3/1; the job template only gets pod defaults', () => {
    const cj = create(cronjobs, minimal);
    assert.deepEqual(cj.spec, {
      concurrencyPolicy: 'Allow',
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        metadata: { creationTimestamp: null },
        spec: {
          template: {
            ...defaultedTemplate({}, 'pi', 'perl', 'OnFailure'),
            metadata: { creationTimestamp: null },
          },
        },
      },
      schedule: '*/1 * * * *',
      successfulJobsHistoryLimit: 3,
      suspend: false,
    });
    assert.deepEqual(cronjobs.shortNames, ['cj']);
    assert.deepEqual(cronjobs.categories, ['all']);
  });

  it('validation: schedule and restart policy', () => {
    assert.deepEqual(createErrors(cronjobs, { ...minimal, spec: { ...minimal.spec, schedule: 'hourly' } }), [
      'spec.schedule: Invalid value: "hourly": expected exactly 5 fields, found 1: [hourly]',
    ]);
    const noRestart = {
      ...minimal,
      spec: { ...minimal.spec, jobTemplate: { spec: { template: podTemplate() } } },
    };
    assert.deepEqual(createErrors(cronjobs, noRestart), [
      'spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    ]);
  });

  it('table: NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE', () => {
    assert.deepEqual(columnNames(cronjobs), [
      'NAME',
      'SCHEDULE',
      'TIMEZONE',
      'SUSPEND',
      'ACTIVE',
      'LAST SCHEDULE',
      'AGE',
    ]);
    const cj = create(cronjobs, minimal);
    assert.deepEqual(Object.values(row(cronjobs, cj)), [
      'hello',
      '*/1 * * * *',
      '<none>',
      'False',
      0,
      '<none>',
      '60m',
      'pi',
      'perl',
      '<none>',
    ]);
    cj.status = { active: [{ name: 'hello-1' }], lastScheduleTime: '2024-06-01T11:59:00Z' };
    assert.deepEqual(Object.values(row(cronjobs, cj)).slice(4, 6), [1, '60s']);
  });
});
