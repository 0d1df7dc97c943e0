// --audit-policy-file: upstream's audit.k8s.io/v1 Policy, validated with upstream's messages
// (k8s.io/apiserver/pkg/apis/audit/validation) and evaluated as upstream's policy checker: the
// first matching rule sets the level; no match means None.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export const LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type Level = (typeof LEVELS)[number];
export const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
export type Stage = (typeof STAGES)[number];

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: Level;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: Stage[];
  omitManagedFields?: boolean;
}

export interface Policy {
  rules: PolicyRule[];
  omitStages?: Stage[];
  omitManagedFields?: boolean;
}

/** What a request is, for matching (upstream's authorizer.Attributes). */
export interface AuditAttributes {
  user?: { name: string; groups: string[] };
  verb: string;
  resourceRequest: boolean;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  path: string;
}

export interface RequestAuditConfig {
  level: Level;
  omitStages: Stage[];
  omitManagedFields: boolean;
}

const levelRank = (l: Level) => LEVELS.indexOf(l);
export const atLeast = (l: Level, min: Level) => levelRank(l) >= levelRank(min);

function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(spec.slice(0, -1));
}

function matchesResource(r: PolicyRule, a: AuditAttributes): boolean {
  if (!a.resourceRequest) return false;
  // non-namespaced resources have the empty namespace
  if (r.namespaces?.length && !r.namespaces.includes(a.namespace)) return false;
  if (!r.resources?.length) return true;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  for (const gr of r.resources) {
    if ((gr.group ?? '') !== a.group) continue;
    if (!gr.resources?.length) return true;
    if (gr.resourceNames?.length && !gr.resourceNames.includes(a.name)) continue;
    for (const res of gr.resources) {
      if (res === combined || res === '*') return true;
      if (a.subresource && res.startsWith('*/') && res.slice(2) === a.subresource) return true;
      if (res.endsWith('/*') && res.slice(0, -2) === a.resource) return true;
    }
  }
  return false;
}

export function ruleMatches(r: PolicyRule, a: AuditAttributes): boolean {
  if (r.users?.length && !(a.user && r.users.includes(a.user.name))) return false;
  if (r.userGroups?.length && !(a.user && a.user.groups.some((g) => r.userGroups!.includes(g)))) return false;
  if (r.verbs?.length && !r.verbs.includes(a.verb)) return false;
  if (r.namespaces?.length || r.resources?.length) return matchesResource(r, a);
  if (r.nonResourceURLs?.length)
    return !a.resourceRequest && r.nonResourceURLs.some((spec) => pathMatches(a.path, spec));
  return true;
}

export function evaluatePolicy(policy: Policy, a: AuditAttributes): RequestAuditConfig {
  for (const r of policy.rules) {
    if (!ruleMatches(r, a)) continue;
    return {
      level: r.level,
      omitStages: [...new Set([...(policy.omitStages ?? []), ...(r.omitStages ?? [])])],
      omitManagedFields: r.omitManagedFields ?? policy.omitManagedFields ?? false,
    };
  }
  return { level: 'None', omitStages: [], omitManagedFields: false };
}

// ---- validation ----

const quoted = (vs: readonly string[]) => vs.map((v) => `"${v}"`).join(', ');
const goStrings = (vs: unknown[]) => `[]string{${vs.map((v) => JSON.stringify(v)).join(', ')}}`;

function validateStages(stages: unknown, path: string, errs: string[]): void {
  if (stages === undefined) return;
  if (!Array.isArray(stages)) return void errs.push(`${path}: Invalid value: must be a list`);
  stages.forEach((s, i) => {
    if (!STAGES.includes(s as Stage))
      errs.push(
        `${path}[${i}]: Unsupported value: ${JSON.stringify(s)}: supported values: ${quoted(STAGES)}`,
      );
  });
}

function validateRule(r: PolicyRule, path: string, errs: string[]): void {
  if (r.level === undefined || (r.level as string) === '') errs.push(`${path}.level: Required value`);
  else if (!LEVELS.includes(r.level))
    errs.push(
      `${path}.level: Unsupported value: ${JSON.stringify(r.level)}: supported values: ${quoted(LEVELS)}`,
    );
  if (r.nonResourceURLs?.length && (r.resources?.length || r.namespaces?.length))
    errs.push(
      `${path}.nonResourceURLs: Invalid value: ${goStrings(r.nonResourceURLs)}: rules cannot apply to both regular resources and non-resource URLs`,
    );
  (r.nonResourceURLs ?? []).forEach((u, i) => {
    const p = `${path}.nonResourceURLs[${i}]`;
    if (u === '*') return;
    if (!u.startsWith('/'))
      errs.push(
        `${p}: Invalid value: ${JSON.stringify(u)}: non-resource URL rules must begin with a '/' character`,
      );
    const star = u.indexOf('*');
    if (star >= 0 && star !== u.length - 1)
      errs.push(
        `${p}: Invalid value: ${JSON.stringify(u)}: non-resource URL wildcards '*' must be the final character of the rule`,
      );
  });
  (r.resources ?? []).forEach((gr, i) => {
    const p = `${path}.resources[${i}]`;
    if (gr.group !== undefined && gr.group.includes('/'))
      errs.push(`${p}.group: Invalid value: ${JSON.stringify(gr.group)}: group name must not contain '/'`);
    if (gr.resourceNames?.length)
      (gr.resources ?? []).forEach((res) => {
        if (res === '*' || res.startsWith('*/'))
          errs.push(
            `${p}.resourceNames: Invalid value: ${goStrings(gr.resourceNames!)}: using resource names with wildcard resources is not allowed`,
          );
      });
  });
  validateStages(r.omitStages, `${path}.omitStages`, errs);
}

/** Parses and validates a Policy document; throws one Error listing every problem. */
export function parsePolicy(text: string, source = 'audit policy'): Policy {
  let doc: { apiVersion?: string; kind?: string } & Partial<Policy>;
  try {
    doc = (parse(text) ?? {}) as typeof doc;
  } catch (err) {
    throw new Error(`failed decoding ${source}: ${(err as Error).message}`);
  }
  if (doc.apiVersion !== 'audit.k8s.io/v1' || doc.kind !== 'Policy')
    throw new Error(
      `failed decoding ${source}: no kind "${doc.kind ?? ''}" is registered for version "${doc.apiVersion ?? ''}" (want kind Policy, apiVersion audit.k8s.io/v1)`,
    );
  const rules = Array.isArray(doc.rules) ? doc.rules : [];
  if (!rules.length) throw new Error(`loaded illegal policy with 0 rules from ${source}`);
  const errs: string[] = [];
  rules.forEach((r, i) => validateRule(r, `rules[${i}]`, errs));
  validateStages(doc.omitStages, 'omitStages', errs);
  if (errs.length)
    throw new Error(
      `invalid audit policy in ${source}: ${errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`}`,
    );
  const policy: Policy = { rules };
  if (doc.omitStages) policy.omitStages = doc.omitStages;
  if (doc.omitManagedFields !== undefined) policy.omitManagedFields = doc.omitManagedFields;
  return policy;
}

export function loadPolicy(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`failed to read audit policy file "${path}": ${(err as Error).message}`);
  }
  return parsePolicy(text, `file ${path}`);
}
