// cronjobs (cj)
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { defineResource, ensureObject, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { containersText } from '../core/workload-columns.js';
import { defaultPodTemplateSpec } from '../core/pod-defaults.js';
import { validatePodTemplateSpec } from '../core/pod-validation.js';
import { notSupported, required } from '../validation.js';

type Obj = Record<string, unknown>;
const spec = (o: KubeObject) => (o.spec ?? {}) as Obj;
const jobSpec = (o: KubeObject) =>
  (isRecord(spec(o).jobTemplate) && isRecord((spec(o).jobTemplate as Obj).spec)
    ? (spec(o).jobTemplate as Obj).spec
    : {}) as Obj;

export const cronjobs = defineResource({
  group: 'batch',
  version: 'v1',
  resource: 'cronjobs',
  kind: 'CronJob',
  namespaced: true,
  shortNames: ['cj'],
  categories: ['all'],
  definition: 'io.k8s.api.batch.v1.CronJob',
  status: true,
  generation: true,
  defaults(cj) {
    const s = ensureObject<Obj>(cj, 'spec');
    setDefault(s, 'concurrencyPolicy', 'Allow');
    setDefault(s, 'suspend', false);
    setDefault(s, 'successfulJobsHistoryLimit', 3);
    setDefault(s, 'failedJobsHistoryLimit', 1);
    const js = ensureObject<Obj>(ensureObject<Obj>(s, 'jobTemplate'), 'spec');
    defaultPodTemplateSpec(js.template ?? (js.template = {}));
    setDefault(js, 'backoffLimit', 6);
    setDefault(js, 'completionMode', 'NonIndexed');
    setDefault(js, 'suspend', false);
    setDefault(js, 'podReplacementPolicy', 'TerminatingOrFailed');
    if (js.completions === undefined && js.parallelism === undefined) {
      js.completions = 1;
      js.parallelism = 1;
    }
    setDefault(js, 'parallelism', 1);
    ensureObject<Obj>(ensureObject<Obj>(s, 'jobTemplate'), 'metadata');
    setDefault(ensureObject<Obj>(s, 'jobTemplate').metadata as Obj, 'creationTimestamp', null);
  },
  prepareForCreate(cj) {
    cj.status = {};
  },
  validate(cj) {
    const s = spec(cj);
    const errs = validatePodTemplateSpec(jobSpec(cj).template, 'spec.jobTemplate.spec.template');
    if (!s.schedule) errs.push(required('spec.schedule'));
    const policies = ['Allow', 'Forbid', 'Replace'];
    if (!policies.includes(String(s.concurrencyPolicy)))
      errs.push(notSupported('spec.concurrencyPolicy', s.concurrencyPolicy, policies));
    return errs;
  },
  table: {
    columns: [
      nameColumn,
      col('Schedule', 'The cron schedule.'),
      col('Timezone', 'The time zone of the schedule.'),
      col('Suspend', 'Whether new jobs are suspended.', 0, 'boolean'),
      col('Active', 'Running jobs.', 0, 'integer'),
      col('Last Schedule', 'Time since the last scheduled job.'),
      ageColumn,
      col('Containers', 'Container names.', 1),
      col('Images', 'Container images.', 1),
      col('Selector', 'The label selector.', 1),
    ],
    cells: (cj, now) => {
      const s = spec(cj);
      const st = (cj.status ?? {}) as { active?: unknown[]; lastScheduleTime?: string };
      const [names, images] = containersText(jobSpec(cj).template);
      return [
        cj.metadata.name,
        s.schedule ?? '',
        (s.timeZone as string) || '<none>',
        s.suspend === true ? 'True' : 'False',
        (st.active ?? []).length,
        st.lastScheduleTime ? age(st.lastScheduleTime, now) : '<none>',
        age(cj.metadata.creationTimestamp, now),
        names,
        images,
        '<none>',
      ];
    },
  },
});
