// Label selectors of pod affinity terms and spread constraints, compiled once per object.
import { labelSelectorFromObject, type LabelMatcher } from '../../api/selectors/labels.js';
import type { PodAffinityTerm } from '../framework/types.js';

const compiled = new WeakMap<object, LabelMatcher | null>();

/** undefined selector: matches nothing (as upstream's nil selector); invalid: nothing. */
export function selectorMatches(
  sel: PodAffinityTerm['labelSelector'],
  labels: Record<string, string>,
): boolean {
  if (!sel) return false;
  let m = compiled.get(sel);
  if (m === undefined) {
    try {
      m = labelSelectorFromObject(sel);
    } catch {
      m = null;
    }
    compiled.set(sel, m);
  }
  return m !== null && m.matches(labels);
}
