// Cells shared by workload tables: container names, images, selectors.
import { isRecord } from '../../../api/types.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../../api/selectors/index.js';

/** [names, images] of a pod template's containers, comma-joined. */
export function containersText(template: unknown): [string, string] {
  const spec = isRecord(template) && isRecord(template.spec) ? template.spec : {};
  const cs = (Array.isArray(spec.containers) ? spec.containers : []) as { name?: string; image?: string }[];
  return [cs.map((c) => c.name ?? '').join(','), cs.map((c) => c.image ?? '').join(',')];
}

/** A LabelSelector in its string form, "<none>" when empty. */
export function selectorText(sel: unknown): string {
  if (!isRecord(sel)) return '<none>';
  const s = labelSelectorFromObject(sel as LabelSelectorObject).toString();
  return s || '<none>';
}

/** A map selector (Service, RC, node selector) as k=v,k=v with sorted keys (upstream's labels.FormatLabels). */
export function mapSelectorText(sel: unknown): string {
  if (!isRecord(sel)) return '<none>';
  const s = Object.entries(sel)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
  return s || '<none>';
}
