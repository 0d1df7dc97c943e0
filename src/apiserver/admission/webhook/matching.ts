// Which webhooks see a request (upstream's webhook/predicates: rules.Matcher, the namespace
// and object matchers, and the exemption of the admission configuration resources).
import { labelSelectorFromObject } from '../../../api/selectors/index.js';
import type { KubeObject } from '../../../api/types.js';
import type { AdmissionRequest } from '../types.js';
import type { RuleWithOperations, Webhook } from './types.js';

/** Resources never sent to webhooks, so a broken webhook cannot lock out its own repair. */
const EXEMPT = new Set([
  'mutatingwebhookconfigurations',
  'validatingwebhookconfigurations',
  'validatingadmissionpolicies',
  'validatingadmissionpolicybindings',
]);

export function isExemptResource(group: string, resource: string): boolean {
  return group === 'admissionregistration.k8s.io' && EXEMPT.has(resource);
}

const listMatches = (list: string[] | undefined, value: string) =>
  !!list && (list.includes('*') || list.includes(value));

function resourceMatches(resources: string[] | undefined, resource: string, subresource: string): boolean {
  for (const r of resources ?? []) {
    const slash = r.indexOf('/');
    const res = slash < 0 ? r : r.slice(0, slash);
    const sub = slash < 0 ? '' : r.slice(slash + 1);
    // as upstream: 'pods/*' matches every subresource of pods and pods itself
    if ((res === '*' || res === resource) && (sub === '*' || sub === subresource)) return true;
  }
  return false;
}

function scopeMatches(scope: string | undefined, req: AdmissionRequest): boolean {
  const isNamespace = req.group === '' && req.resource === 'namespaces';
  if (scope === 'Namespaced') return !isNamespace && req.namespace !== '';
  if (scope === 'Cluster') return isNamespace || req.namespace === '';
  return true;
}

export function ruleMatches(rule: RuleWithOperations, req: AdmissionRequest): boolean {
  return (
    listMatches(rule.operations, req.operation) &&
    listMatches(rule.apiGroups, req.group) &&
    listMatches(rule.apiVersions, req.version) &&
    resourceMatches(rule.resources, req.resource, req.subresource) &&
    scopeMatches(rule.scope, req)
  );
}

/** The webhook's rules match the request exactly (plugins.ts tries equivalent versions after). */
export function rulesMatch(webhook: Webhook, req: AdmissionRequest): boolean {
  return (webhook.rules ?? []).some((r) => ruleMatches(r, req));
}

const labelsOf = (o: KubeObject | undefined) => (o?.metadata?.labels ?? {}) as Record<string, string>;

/** objectSelector: the new or the old object's labels match (an empty selector matches all). */
export function objectSelectorMatches(webhook: Webhook, req: AdmissionRequest): boolean {
  const sel = labelSelectorFromObject(webhook.objectSelector);
  if (!sel.requirements.length) return true;
  return (
    (req.object !== undefined && sel.matches(labelsOf(req.object))) ||
    (req.oldObject !== undefined && sel.matches(labelsOf(req.oldObject)))
  );
}

/**
 * namespaceSelector: cluster-scoped objects always match (except namespaces, matched by their
 * own labels); namespaced objects by the labels of their namespace, read through `namespaceLabels`.
 */
export async function namespaceSelectorMatches(
  webhook: Webhook,
  req: AdmissionRequest,
  namespaceLabels: (name: string) => Promise<Record<string, string> | undefined>,
): Promise<boolean> {
  const sel = labelSelectorFromObject(webhook.namespaceSelector);
  if (!sel.requirements.length) return true;
  if (req.group === '' && req.resource === 'namespaces')
    return sel.matches(labelsOf(req.object ?? req.oldObject));
  if (req.namespace === '') return true;
  const labels = await namespaceLabels(req.namespace);
  if (labels === undefined) throw new Error(`namespaces "${req.namespace}" not found`);
  return sel.matches(labels);
}
