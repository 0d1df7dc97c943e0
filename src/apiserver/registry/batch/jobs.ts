// jobs: defaults, the generated controller-uid selector and labels, upstream's table.
import type { KubeObject } from '../../../api/types.js';
import { sameJSON } from '../../endpoints/meta.js';
import { isRecord } from '../../../api/types.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../../api/selectors/index.js';
import { defineResource, ensureObject, setDefault } from '../define.js';
import { age, ageColumn, col, humanDuration, nameColumn } from '../table.js';
import { containersText } from '../core/workload-columns.js';
import {
  defaultTemplate,
  goLabelSelector,
  selectorMatchesTemplate,
  selectorString,
  spec,
  status,
} from '../apps/workload.js';
import { validatePodTemplateSpec } from '../core/pod-validation.js';
import { invalidValue, notSupported, Printed, required, type FieldError } from '../validation.js';

type Obj = Record<string, unknown>;
/** upstream prints the whole PodTemplateSpec struct here; we print a short marker instead. */
const OMIT_TEMPLATE = new Printed('core.PodTemplateSpec{...}');

/** upstream's printJob STATUS: the first that holds, in this order. */
function statusText(j: KubeObject): string {
  const conds = (status(j).conditions as { type: string; status: string }[] | undefined) ?? [];
  const is = (t: string) => conds.some((c) => c.type === t && c.status === 'True');
  if (is('Complete')) return 'Complete';
  if (is('Failed')) return 'Failed';
  if (j.metadata.deletionTimestamp) return 'Terminating';
  if (is('Suspended')) return 'Suspended';
  if (is('FailureTarget')) return 'FailureTarget';
  if (is('SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

function completions(j: KubeObject): string {
  const s = spec(j);
  const succeeded = status(j).succeeded ?? 0;
  if (typeof s.completions === 'number') return `${succeeded}/${s.completions}`;
  const parallelism = typeof s.parallelism === 'number' ? s.parallelism : 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

const LEGACY_UID = 'controller-uid';
const UID = 'batch.kubernetes.io/controller-uid';
const LEGACY_NAME = 'job-name';
const NAME = 'batch.kubernetes.io/job-name';

/**
 * upstream's generateSelector: adds the job-name and controller-uid labels the user did not set,
 * and selects on the controller uid. A user-set conflicting value fails validation later.
 */
function generateSelector(j: KubeObject): void {
  const s = spec(j);
  const tplMeta = ensureObject<Obj>(ensureObject<Obj>(s, 'template'), 'metadata');
  const labels = ensureObject<Record<string, string>>(tplMeta, 'labels');
  for (const k of [LEGACY_NAME, NAME]) if (!(k in labels)) labels[k] = j.metadata.name ?? '';
  for (const k of [LEGACY_UID, UID]) if (!(k in labels)) labels[k] = j.metadata.uid ?? '';
  const sel = ensureObject<Obj>(s, 'selector');
  const matchLabels = ensureObject<Record<string, string>>(sel, 'matchLabels');
  if (!(UID in matchLabels)) matchLabels[UID] = j.metadata.uid ?? '';
}

/** With a generated selector, the user may not have chosen its labels (upstream's ValidateGeneratedSelector). */
function validateGeneratedSelector(j: KubeObject): FieldError[] {
  const s = spec(j);
  const tpl = isRecord(s.template) && isRecord(s.template.metadata) ? s.template.metadata : {};
  if (s.manualSelector === true || !isRecord(tpl.labels) || !isRecord(s.selector)) return [];
  const labels = tpl.labels as Record<string, string>;
  const uid = j.metadata.uid ?? '';
  const errs: FieldError[] = [];
  const want: [string, string][] = [
    [LEGACY_UID, uid],
    [UID, uid],
    [LEGACY_NAME, j.metadata.name ?? ''],
    [NAME, j.metadata.name ?? ''],
  ];
  for (const [k, v] of want) {
    if (labels[k] !== undefined && labels[k] !== v)
      errs.push(invalidValue(`spec.template.metadata.labels[${k}]`, labels[k], `must be '${v}'`));
  }
  if (!labelSelectorFromObject(s.selector as LabelSelectorObject).matches({ [UID]: uid }))
    errs.push(invalidValue('spec.selector', goLabelSelector(s.selector), '`selector` not auto-generated'));
  return errs;
}

function nonNegative(s: Obj, f: string): FieldError[] {
  return typeof s[f] === 'number' && (s[f] as number) < 0
    ? [invalidValue(`spec.${f}`, s[f], 'must be greater than or equal to 0')]
    : [];
}

/** upstream's ValidateJob: generated selector, spec numbers, template, restart policy, selector. */
function validateJob(j: KubeObject): FieldError[] {
  const s = spec(j);
  const errs = validateGeneratedSelector(j);
  for (const f of [
    'parallelism',
    'completions',
    'activeDeadlineSeconds',
    'backoffLimit',
    'ttlSecondsAfterFinished',
  ])
    errs.push(...nonNegative(s, f));
  const modes = ['NonIndexed', 'Indexed'];
  if (s.completionMode !== undefined && !modes.includes(String(s.completionMode)))
    errs.push(notSupported('spec.completionMode', s.completionMode, modes));
  if (s.completionMode === 'Indexed' && typeof s.completions !== 'number')
    errs.push(required('spec.completions', 'when completion mode is Indexed'));
  errs.push(...validatePodTemplateSpec(s.template, 'spec.template'));
  const tplSpec = isRecord(s.template) && isRecord(s.template.spec) ? s.template.spec : {};
  const rp = tplSpec.restartPolicy ?? '';
  if (rp === '')
    errs.push(required('spec.template.spec.restartPolicy', 'valid values: "OnFailure", "Never"'));
  else if (rp !== 'OnFailure' && rp !== 'Never')
    errs.push(notSupported('spec.template.spec.restartPolicy', rp, ['OnFailure', 'Never']));
  else if (isRecord(s.podFailurePolicy) && rp !== 'Never')
    errs.push(
      invalidValue(
        'spec.template.spec.restartPolicy',
        rp,
        'only "Never" is supported when podFailurePolicy is specified',
      ),
    );
  if (!isRecord(s.selector)) errs.push(required('spec.selector'));
  errs.push(...selectorMatchesTemplate(j));
  return errs;
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
  },
  prepareForCreate(j) {
    j.status = {};
    if (spec(j).manualSelector !== true) generateSelector(j);
    // upstream copies the template labels onto an unlabelled Job when it decodes it (defaulting)
    const tplLabels = (spec(j).template as { metadata?: { labels?: Record<string, string> } }).metadata
      ?.labels;
    if (tplLabels && !Object.keys(j.metadata.labels ?? {}).length) j.metadata.labels = { ...tplLabels };
  },
  validate: validateJob,
  validateUpdate(j, old) {
    const errs: FieldError[] = [];
    // key order is not a change (defaults may add keys in another order than the stored object)
    const changed = (f: string) => !sameJSON(spec(j)[f], spec(old)[f]);
    if (changed('selector'))
      errs.push(invalidValue('spec.selector', goLabelSelector(spec(j).selector), 'field is immutable'));
    // a suspended Job's template may change (upstream allows scheduling directives; we allow all)
    if (changed('template') && spec(old).suspend !== true)
      errs.push(invalidValue('spec.template', OMIT_TEMPLATE, 'field is immutable'));
    for (const f of [
      'completions',
      'completionMode',
      'podFailurePolicy',
      'backoffLimitPerIndex',
      'managedBy',
    ]) {
      if (changed(f)) errs.push(invalidValue(`spec.${f}`, spec(j)[f] ?? null, 'field is immutable'));
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
        selectorString(j),
      ];
    },
  },
});
