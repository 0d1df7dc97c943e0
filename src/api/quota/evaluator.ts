// What quota knows about one kind of object (k8s.io/apiserver/pkg/quota/v1 Evaluator): which
// quota resource names it can charge, how much one object uses, which scopes it matches, and
// what it requires of objects before they may be charged. Shared by the ResourceQuota
// admission plugin (charging on create) and the resourcequota controller (recounting).
import { isRecord, type KubeObject } from '../types.js';
import { fromValue } from '../quantity.js';
import type { ResourceList } from './resources.js';

export type QuotaOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** A scope selector term (ScopedResourceSelectorRequirement). */
export interface ScopeSelector {
  scopeName: string;
  operator: string;
  values?: string[];
}

export interface Evaluator {
  readonly group: string;
  readonly resource: string;
  /** Whether an operation can change this kind's usage. */
  handles(operation: QuotaOperation, subresource: string): boolean;
  /** The names among `names` this evaluator charges. */
  matchingResources(names: string[]): string[];
  /** Whether an object matches one scope selector term. */
  matchesScope(selector: ScopeSelector, obj: KubeObject): boolean;
  /** Why the object may not be charged against quotas that limit `required`, if it may not. */
  constraints(required: string[], obj: KubeObject): string | undefined;
  /** What one object uses. */
  usage(obj: KubeObject, now: Date): ResourceList;
}

/** The quota resource name counting objects of a resource: count/<resource>[.<group>]. */
export function objectCountName(group: string, resource: string): string {
  return `count/${group ? `${resource}.${group}` : resource}`;
}

/** upstream's getScopeSelectorsFromQuota: spec.scopes (as Exists) and spec.scopeSelector terms. */
export function quotaScopeSelectors(quota: KubeObject): ScopeSelector[] {
  const spec = isRecord(quota.spec) ? quota.spec : {};
  const out: ScopeSelector[] = [];
  if (Array.isArray(spec.scopes))
    for (const s of spec.scopes) out.push({ scopeName: String(s), operator: 'Exists' });
  const sel = isRecord(spec.scopeSelector) ? spec.scopeSelector : {};
  if (Array.isArray(sel.matchExpressions)) {
    for (const e of sel.matchExpressions.filter(isRecord)) {
      const term: ScopeSelector = {
        scopeName: String(e.scopeName ?? ''),
        operator: String(e.operator ?? ''),
      };
      if (Array.isArray(e.values)) term.values = e.values.map(String);
      out.push(term);
    }
  }
  return out;
}

export function hardOf(quota: KubeObject, from: 'spec' | 'status'): Record<string, unknown> | undefined {
  const part = quota[from];
  return isRecord(part) && isRecord(part.hard) ? part.hard : undefined;
}

/** generic.Matches: the quota limits something this evaluator charges, and every scope matches. */
export function quotaMatches(ev: Evaluator, quota: KubeObject, obj: KubeObject): boolean {
  const hard = Object.keys(hardOf(quota, 'status') ?? {});
  if (ev.matchingResources(hard).length === 0) return false;
  return quotaScopeSelectors(quota).every((s) => ev.matchesScope(s, obj));
}

/** generic.NewObjectCountEvaluator: one object counts one (under an alias name too, for a few). */
export function objectCountEvaluator(group: string, resource: string, alias?: string): Evaluator {
  const names = [objectCountName(group, resource), ...(alias ? [alias] : [])];
  return {
    group,
    resource,
    handles: (op) => op === 'CREATE',
    matchingResources: (input) => input.filter((n) => names.includes(n)),
    // object counts have no scopes: a scoped quota never matches them
    matchesScope: () => false,
    constraints: () => undefined,
    usage: () => new Map(names.map((n) => [n, fromValue(1)])),
  };
}
