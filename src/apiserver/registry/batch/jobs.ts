// jobs: defaults, the generated controller-uid selector and labels, upstream's table.
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { defineResource, ensureObject, setDefault } from '../define.js';
import { age, ageColumn, col, humanDuration, nameColumn } from '../table.js';
import { containersText } from '../core/workload-columns.js';
import {
  defaultTemplate,
  selectorString,
  spec,
  status,
  validateSelectorAndTemplate,
} from '../apps/workload.js';
import { invalidValue } from '../validation.js';

type Obj = Record<string, unknown>;

function statusText(j: KubeObject): string {
  const conds = (status(j).conditions as { type: string; status: string }[] | undefined) ?? [];
  const is = (t: string) => conds.some((c) => c.type === t && c.status === 'True');
  if (is('Complete')) return 'Complete';
  if (is('Failed')) return 'Failed';
  if (is('FailureTarget')) return 'FailureTarget';
  if (is('Suspended')) return 'Suspended';
  if (is('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

function completions(j: KubeObject): string {
  const s = spec(j);
  const succeeded = status(j).succeeded ?? 0;
  if (typeof s.completions === 'number') return `${succeeded}/${s.completions}`;
  return `${succeeded}/1 of ${s.parallelism ?? 1}`;
}

function duration(j: KubeObject, now: Date): string {
  const st = status(j);
  if (!st.startTime) return '';
  const end = st.completionTime ? Date.parse(st.completionTime as string) : now.getTime();
  return humanDuration(end - Date.parse(st.startTime as string));
}

export const jobs = defineResource({
  group: 'batch',
  version: 'v1',
  resource: 'jobs',
  kind: 'Job',
  namespaced: true,
  categories: ['all'],
  definition: 'io.k8s.api.batch.v1.Job',
  status: true,
  generation: true,
  defaults(j) {
    const s = defaultTemplate(j);
    if (s.completions === undefined && s.parallelism === undefined) {
      s.completions = 1;
      s.parallelism = 1;
    }
    setDefault(s, 'parallelism', 1);
    setDefault(s, 'backoffLimit', s.backoffLimitPerIndex !== undefined ? 2147483647 : 6);
    setDefault(s, 'completionMode', 'NonIndexed');
    setDefault(s, 'suspend', false);
    setDefault(s, 'podReplacementPolicy', isRecord(s.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed');
    if (s.completionMode === 'Indexed') setDefault(s, 'manualSelector', undefined);
  },
  prepareForCreate(j) {
    j.status = {};
    const s = spec(j);
    if (s.manualSelector === true) return;
    const uid = j.metadata.uid!;
    const name = j.metadata.name ?? '';
    const tplMeta = ensureObject<Obj>(ensureObject<Obj>(s, 'template'), 'metadata');
    tplMeta.labels = {
      ...((tplMeta.labels as Record<string, string>) ?? {}),
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': name,
      'controller-uid': uid,
      'job-name': name,
    };
    s.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  },
  validate: (j) => {
    const errs = validateSelectorAndTemplate(j, { restartPolicies: ['OnFailure', 'Never'] });
    const s = spec(j);
    for (const f of ['parallelism', 'completions', 'backoffLimit', 'activeDeadlineSeconds'] as const) {
      if (typeof s[f] === 'number' && (s[f] as number) < 0)
        errs.push(invalidValue(`spec.${f}`, s[f], 'must be greater than or equal to 0'));
    }
    return errs;
  },
  validateUpdate(j, old) {
    const errs = [];
    for (const f of ['selector', 'template', 'completions', 'completionMode']) {
      if (
        JSON.stringify(spec(j)[f]) !== JSON.stringify(spec(old)[f]) &&
        !(f === 'template' && spec(old).suspend === true)
      ) {
        errs.push(invalidValue(`spec.${f}`, f === 'template' ? '' : spec(j)[f], 'field is immutable'));
      }
    }
    return errs;
  },
  table: {
    columns: [
      nameColumn,
      col('Status', 'The state of the job.'),
      col('Completions', 'Succeeded pods out of the needed ones.'),
      col('Duration', 'How long the job ran.'),
      ageColumn,
      col('Containers', 'Container names.', 1),
      col('Images', 'Container images.', 1),
      col('Selector', 'The label selector.', 1),
    ],
    cells: (j, now) => {
      const [names, images] = containersText(spec(j).template);
      return [
        j.metadata.name,
        statusText(j),
        completions(j),
        duration(j, now),
        age(j.metadata.creationTimestamp, now),
        names,
        images,
        selectorString(j) || '<none>',
      ];
    },
  },
});
