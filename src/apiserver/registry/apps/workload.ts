// What apps/v1 workloads share: defaulted pod template, selector that must match the
// template's labels, non-negative replicas, immutable selector; upstream's messages.
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../../api/selectors/index.js';
import { ensureObject } from '../define.js';
import { defaultPodTemplateSpec } from '../core/pod-defaults.js';
import { validatePodTemplateSpec } from '../core/pod-validation.js';
import { invalidValue, notSupported, Printed, required, type FieldError } from '../validation.js';

type Obj = Record<string, unknown>;
export const spec = (o: KubeObject) => (o.spec ?? {}) as Obj;
export const status = (o: KubeObject) => (o.status ?? {}) as Obj;

export function defaultTemplate(o: KubeObject): Obj {
  const s = ensureObject<Obj>(o, 'spec');
  defaultPodTemplateSpec(s.template ?? (s.template = {}));
  return s;
}

function goMap(labels: Record<string, string>): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1));
  return `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`;
}

/** Selector present, non-empty, matching the template labels; template valid; restartPolicy Always. */
export function validateSelectorAndTemplate(
  o: KubeObject,
  opts: { restartPolicies?: string[] } = {},
): FieldError[] {
  const s = spec(o);
  const errs: FieldError[] = [];
  const sel = s.selector as LabelSelectorObject | undefined;
  const tpl = isRecord(s.template) ? s.template : {};
  const labels = ((isRecord(tpl.metadata) ? tpl.metadata.labels : undefined) ?? {}) as Record<string, string>;
  if (!isRecord(sel)) errs.push(required('spec.selector'));
  else if (
    !Object.keys(sel.matchLabels ?? {}).length &&
    !((sel.matchExpressions as unknown[] | undefined) ?? []).length
  ) {
    errs.push(
      invalidValue(
        'spec.selector',
        sel,
        'empty selector is invalid for deployment'.replace(
          'deployment',
          o.kind === 'Deployment' ? 'deployment' : o.kind!.toLowerCase(),
        ),
      ),
    );
  } else if (!labelSelectorFromObject(sel).matches(labels)) {
    errs.push(
      invalidValue(
        'spec.template.metadata.labels',
        new Printed(goMap(labels)),
        '`selector` does not match template `labels`',
      ),
    );
  }
  errs.push(...validatePodTemplateSpec(s.template, 'spec.template'));
  const allowed = opts.restartPolicies ?? ['Always'];
  const rp = isRecord(tpl.spec) ? tpl.spec.restartPolicy : undefined;
  if (rp !== undefined && !allowed.includes(String(rp)))
    errs.push(notSupported('spec.template.spec.restartPolicy', rp, allowed));
  if (typeof s.replicas === 'number' && s.replicas < 0)
    errs.push(invalidValue('spec.replicas', s.replicas, 'must be greater than or equal to 0'));
  return errs;
}

export function immutableSelector(o: KubeObject, old: KubeObject): FieldError[] {
  if (JSON.stringify(spec(o).selector) === JSON.stringify(spec(old).selector)) return [];
  return [invalidValue('spec.selector', spec(o).selector, 'field is immutable')];
}

export function selectorString(o: KubeObject): string {
  const sel = spec(o).selector;
  return isRecord(sel) ? labelSelectorFromObject(sel as LabelSelectorObject).toString() : '';
}

export const replicasScale = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  selector: selectorString,
};
