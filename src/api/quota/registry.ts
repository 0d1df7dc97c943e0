// Which evaluator measures which resource (quota/v1/install): the pod, service and PVC
// evaluators, object counts with their legacy names for configmaps, secrets, resourcequotas and
// replicationcontrollers, and a plain count/<resource>.<group> for anything else.
import { objectCountEvaluator, type Evaluator } from './evaluator.js';
import { podEvaluator } from './pods.js';
import { pvcEvaluator } from './pvcs.js';
import { serviceEvaluator } from './services.js';

const LEGACY_COUNTS: Record<string, string> = {
  configmaps: 'configmaps',
  resourcequotas: 'resourcequotas',
  replicationcontrollers: 'replicationcontrollers',
  secrets: 'secrets',
};

/** Resources quota never measures: virtual ones, and events (install.DefaultIgnoredResources). */
const IGNORED = new Set([
  'bindings',
  'componentstatuses',
  'events',
  'events.events.k8s.io',
  'tokenreviews.authentication.k8s.io',
  'selfsubjectreviews.authentication.k8s.io',
  'subjectaccessreviews.authorization.k8s.io',
  'selfsubjectaccessreviews.authorization.k8s.io',
  'localsubjectaccessreviews.authorization.k8s.io',
  'selfsubjectrulesreviews.authorization.k8s.io',
]);

const grKey = (group: string, resource: string) => (group ? `${resource}.${group}` : resource);

export function isIgnoredResource(group: string, resource: string): boolean {
  return IGNORED.has(grKey(group, resource));
}

const fixed = new Map<string, Evaluator>([
  ['pods', podEvaluator],
  ['services', serviceEvaluator],
  ['persistentvolumeclaims', pvcEvaluator],
  ...Object.entries(LEGACY_COUNTS).map(([r, alias]): [string, Evaluator] => [
    r,
    objectCountEvaluator('', r, alias),
  ]),
]);
const generic = new Map<string, Evaluator>();

/** The evaluator of a resource (an object-count one made on first use for unknown resources). */
export function evaluatorFor(group: string, resource: string): Evaluator {
  const key = grKey(group, resource);
  const known = fixed.get(key) ?? generic.get(key);
  if (known) return known;
  const ev = objectCountEvaluator(group, resource);
  generic.set(key, ev);
  return ev;
}

/** The built-in evaluators plus those for the count/<resource>.<group> names in `names`. */
export function evaluatorsFor(names: string[]): Evaluator[] {
  const out = [...fixed.values()];
  for (const n of names) {
    if (!n.startsWith('count/')) continue;
    const gr = n.slice('count/'.length);
    const dot = gr.indexOf('.');
    const [resource, group] = dot < 0 ? [gr, ''] : [gr.slice(0, dot), gr.slice(dot + 1)];
    const ev = evaluatorFor(group, resource);
    if (!out.includes(ev)) out.push(ev);
  }
  return out;
}
