// What apps/v1 workloads (and Jobs) share: the defaulted pod template, selector checks with
// upstream's messages, the Go-syntax values upstream prints in them, and the scale spec.
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../../api/selectors/index.js';
import { ensureObject } from '../define.js';
import { defaultPodTemplateSpec } from '../core/pod-defaults.js';
import { validatePodTemplateSpec } from '../core/pod-validation.js';
import { forbidden, invalidValue, notSupported, Printed, required, type FieldError } from '../validation.js';

type Obj = Record<string, unknown>;
export const spec = (o: KubeObject) => (o.spec ?? {}) as Obj;
export const status = (o: KubeObject) => (o.status ?? {}) as Obj;

export function defaultTemplate(o: KubeObject): Obj {
  const s = ensureObject<Obj>(o, 'spec');
  defaultPodTemplateSpec(s.template ?? (s.template = {}));
  return s;
}

const goString = (s: unknown) => JSON.stringify(String(s));

/** A map[string]string as Go's %#v prints it: sorted keys, `(nil)` when absent. */
export function goStringMap(m: unknown): string {
  if (!isRecord(m)) return 'map[string]string(nil)';
  const entries = Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `map[string]string{${entries.map(([k, v]) => `${goString(k)}:${goString(v)}`).join(', ')}}`;
}

function goStringSlice(xs: unknown): string {
  if (!Array.isArray(xs)) return '[]string(nil)';
  return `[]string{${xs.map(goString).join(', ')}}`;
}

/** A metav1.LabelSelector as Go's %#v prints it in field errors. */
export function goLabelSelector(sel: unknown): Printed {
  const s = isRecord(sel) ? sel : {};
  const exprs = Array.isArray(s.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${(s.matchExpressions as Obj[])
        .map(
          (e) =>
            `v1.LabelSelectorRequirement{Key:${goString(e.key ?? '')}, Operator:${goString(e.operator ?? '')}, Values:${goStringSlice(e.values)}}`,
        )
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return new Printed(
    `v1.LabelSelector{MatchLabels:${goStringMap(s.matchLabels)}, MatchExpressions:${exprs}}`,
  );
}

const templateOf = (o: KubeObject): Obj => (isRecord(spec(o).template) ? (spec(o).template as Obj) : {});
const templateLabels = (o: KubeObject): unknown => {
  const meta = templateOf(o).metadata;
  return isRecord(meta) ? meta.labels : undefined;
};
const templateSpec = (o: KubeObject): Obj =>
  isRecord(templateOf(o).spec) ? (templateOf(o).spec as Obj) : {};

function isEmptySelector(sel: Obj): boolean {
  const ml = isRecord(sel.matchLabels) ? Object.keys(sel.matchLabels).length : 0;
  const me = Array.isArray(sel.matchExpressions) ? sel.matchExpressions.length : 0;
  return ml + me === 0;
}

/**
 * The "`selector` does not match template `labels`" check. A missing selector matches nothing
 * (upstream's labels.Nothing()), an empty one matches everything and is not checked.
 */
export function selectorMatchesTemplate(o: KubeObject): FieldError[] {
  const sel = spec(o).selector;
  const labels = (isRecord(templateLabels(o)) ? templateLabels(o) : {}) as Record<string, string>;
  const matches = isRecord(sel)
    ? isEmptySelector(sel) || labelSelectorFromObject(sel as LabelSelectorObject).matches(labels)
    : false;
  if (matches) return [];
  return [
    invalidValue(
      'spec.template.metadata.labels',
      new Printed(goStringMap(templateLabels(o))),
      '`selector` does not match template `labels`',
    ),
  ];
}

/** Required selector, not empty (`empty selector is invalid for <word>`). */
export function requiredSelector(o: KubeObject, word: string): FieldError[] {
  const sel = spec(o).selector;
  if (!isRecord(sel)) return [required('spec.selector')];
  if (isEmptySelector(sel))
    return [invalidValue('spec.selector', goLabelSelector(sel), `empty selector is invalid for ${word}`)];
  return [];
}

export function nonNegative(o: KubeObject, field: string): FieldError[] {
  const v = spec(o)[field];
  return typeof v === 'number' && v < 0
    ? [invalidValue(`spec.${field}`, v, 'must be greater than or equal to 0')]
    : [];
}

/** Pod template checks of ReplicaSets and Deployments (upstream's ValidatePodTemplateSpecForReplicaSet). */
export function replicaSetTemplateChecks(o: KubeObject): FieldError[] {
  const errs = selectorMatchesTemplate(o);
  errs.push(...validatePodTemplateSpec(spec(o).template, 'spec.template'));
  errs.push(...restartAlways(o));
  const ads = templateSpec(o).activeDeadlineSeconds;
  if (ads !== undefined && ads !== null)
    errs.push(
      invalidValue(
        'spec.template.spec.activeDeadlineSeconds',
        ads,
        'activeDeadlineSeconds in ReplicaSet is not Supported',
      ),
    );
  return errs;
}

export function restartAlways(o: KubeObject): FieldError[] {
  const rp = templateSpec(o).restartPolicy ?? '';
  return rp === 'Always' ? [] : [notSupported('spec.template.spec.restartPolicy', rp, ['Always'])];
}

/** StatefulSets and DaemonSets forbid activeDeadlineSeconds with this wording. */
export function noActiveDeadline(o: KubeObject, kind: string): FieldError[] {
  const ads = templateSpec(o).activeDeadlineSeconds;
  return ads === undefined || ads === null
    ? []
    : [
        forbidden(
          'spec.template.spec.activeDeadlineSeconds',
          `activeDeadlineSeconds in ${kind} is not Supported`,
        ),
      ];
}

export function immutableSelector(o: KubeObject, old: KubeObject): FieldError[] {
  if (JSON.stringify(spec(o).selector) === JSON.stringify(spec(old).selector)) return [];
  return [invalidValue('spec.selector', goLabelSelector(spec(o).selector), 'field is immutable')];
}

/** The selector in kubectl's string form (metav1.FormatLabelSelector), "<none>" when absent or empty. */
export function selectorString(o: KubeObject): string {
  const sel = spec(o).selector;
  if (!isRecord(sel)) return '<none>';
  return labelSelectorFromObject(sel as LabelSelectorObject).toString() || '<none>';
}

export const replicasScale = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  selector: (o: KubeObject) => {
    const sel = spec(o).selector;
    return isRecord(sel) ? labelSelectorFromObject(sel as LabelSelectorObject).toString() : '';
  },
};

/** Valid int-or-percent for rolling update fields (upstream's ValidatePositiveIntOrPercent). */
export function intOrPercent(v: unknown, path: string): FieldError[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'number')
    return v < 0 ? [invalidValue(path, v, 'must be greater than or equal to 0')] : [];
  if (typeof v === 'string' && !/^[0-9]+%$/.test(v))
    return [
      invalidValue(
        path,
        v,
        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      ),
    ];
  return [];
}

/** The value of an int-or-percent (percent number for "25%"). */
export function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^[0-9]+%$/.test(v)) return Number(v.slice(0, -1));
  return 0;
}

export function notOver100Percent(v: unknown, path: string): FieldError[] {
  return typeof v === 'string' && /^[0-9]+%$/.test(v) && Number(v.slice(0, -1)) > 100
    ? [invalidValue(path, v, 'must not be greater than 100%')]
    : [];
}
