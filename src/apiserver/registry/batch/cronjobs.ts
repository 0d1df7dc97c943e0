// cronjobs (cj)
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { defineResource, ensureObject, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { containersText } from '../core/workload-columns.js';
import { defaultPodTemplateSpec } from '../core/pod-defaults.js';
import { validatePodTemplateSpec } from '../core/pod-validation.js';
import { invalidValue, notSupported, required, type FieldError } from '../validation.js';
import { selectorText } from '../core/workload-columns.js';

type Obj = Record<string, unknown>;

/** The parts of robfig/cron's ParseStandard that are cheap to check: descriptors and field count. */
function validateSchedule(schedule: string): FieldError[] {
  if (/\b(CRON_)?TZ=/.test(schedule))
    return [
      invalidValue(
        'spec.schedule',
        schedule,
        'cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
      ),
    ];
  if (schedule.startsWith('@')) {
    const ok = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
    if (ok.includes(schedule) || schedule.startsWith('@every ')) return [];
    return [invalidValue('spec.schedule', schedule, `unrecognized descriptor: ${schedule}`)];
  }
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5)
    return [
      invalidValue(
        'spec.schedule',
        schedule,
        `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`,
      ),
    ];
  return [];
}
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
    // the job template is not a Job: only its pod template is defaulted (as upstream shows it)
    const jt = ensureObject<Obj>(s, 'jobTemplate');
    setDefault(ensureObject<Obj>(jt, 'metadata'), 'creationTimestamp', null);
    const js = ensureObject<Obj>(jt, 'spec');
    defaultPodTemplateSpec(js.template ?? (js.template = {}));
  },
  prepareForCreate(cj) {
    cj.status = {};
  },
  validate(cj) {
    const s = spec(cj);
    const errs: FieldError[] = [];
    // the Jobs it creates append an 11-character suffix to the name, and Job names are label values
    const name = cj.metadata.name ?? '';
    if (name.length > 52)
      errs.push(invalidValue('metadata.name', name, 'must be no more than 52 characters'));
    if (!s.schedule) errs.push(required('spec.schedule'));
    else errs.push(...validateSchedule(String(s.schedule)));
    const policies = ['Allow', 'Forbid', 'Replace'];
    if (!s.concurrencyPolicy) errs.push(required('spec.concurrencyPolicy'));
    else if (!policies.includes(String(s.concurrencyPolicy)))
      errs.push(notSupported('spec.concurrencyPolicy', s.concurrencyPolicy, policies));
    for (const f of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'])
      if (typeof s[f] === 'number' && (s[f] as number) < 0)
        errs.push(invalidValue(`spec.${f}`, s[f], 'must be greater than or equal to 0'));
    const js = jobSpec(cj);
    errs.push(...validatePodTemplateSpec(js.template, 'spec.jobTemplate.spec.template'));
    const tpl = isRecord(js.template) && isRecord(js.template.spec) ? js.template.spec : {};
    const rp = tpl.restartPolicy ?? '';
    if (rp === '')
      errs.push(
        required('spec.jobTemplate.spec.template.spec.restartPolicy', 'valid values: "OnFailure", "Never"'),
      );
    else if (rp !== 'OnFailure' && rp !== 'Never')
      errs.push(
        notSupported('spec.jobTemplate.spec.template.spec.restartPolicy', rp, ['OnFailure', 'Never']),
      );
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
        selectorText(jobSpec(cj).selector),
      ];
    },
  },
});
