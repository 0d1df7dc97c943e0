// What RBAC kinds share: rule and subject validation, and the binding table.
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import {
  invalidValue,
  isDNS1123Subdomain,
  notSupported,
  Printed,
  required,
  type FieldError,
} from '../validation.js';
import type { TableConvertor } from '../strategy.js';

interface Rule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const goStrings = (xs: string[]) => new Printed(`[]string{${xs.map((x) => JSON.stringify(x)).join(', ')}}`);

/** upstream's ValidateRBACName (path.IsValidPathSegmentName): `system:discovery` is a valid name. */
export function pathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

/** upstream's ValidatePolicyRule for each rule. */
export function validateRules(o: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  ((o.rules as Rule[] | undefined) ?? []).forEach((r, i) => {
    const p = `rules[${i}]`;
    if (!r.verbs?.length) errs.push(required(`${p}.verbs`, 'verbs must contain at least one value'));
    if (r.nonResourceURLs?.length) {
      const urls = goStrings(r.nonResourceURLs);
      if (namespaced)
        errs.push(
          invalidValue(`${p}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'),
        );
      if (r.apiGroups?.length || r.resources?.length || r.resourceNames?.length)
        errs.push(
          invalidValue(
            `${p}.nonResourceURLs`,
            urls,
            'rules cannot apply to both regular resources and non-resource URLs',
          ),
        );
      return;
    }
    if (!r.apiGroups?.length)
      errs.push(required(`${p}.apiGroups`, 'resource rules must supply at least one api group'));
    if (!r.resources?.length)
      errs.push(required(`${p}.resources`, 'resource rules must supply at least one resource'));
  });
  return errs;
}

/** A ClusterRole may aggregate others instead of listing rules. */
export function validateAggregationRule(o: KubeObject): FieldError[] {
  const rule = o.aggregationRule;
  if (rule === undefined || rule === null) return [];
  const selectors =
    isRecord(rule) && Array.isArray(rule.clusterRoleSelectors) ? rule.clusterRoleSelectors : [];
  return selectors.length
    ? []
    : [
        required(
          'aggregationRule.clusterRoleSelectors',
          'at least one clusterRoleSelector required if aggregationRule is non-nil',
        ),
      ];
}

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
  apiGroup?: string;
}

function validateSubject(s: Subject, namespaced: boolean, p: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.name) errs.push(required(`${p}.name`));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) for (const m of isDNS1123Subdomain(s.name)) errs.push(invalidValue(`${p}.name`, s.name, m));
      if (s.apiGroup) errs.push(notSupported(`${p}.apiGroup`, s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(required(`${p}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== RBAC_GROUP) errs.push(notSupported(`${p}.apiGroup`, s.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(`${p}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

/** upstream's Validate(Cluster)RoleBinding: roleRef apiGroup, kind, name, then each subject. */
export function validateBinding(o: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = (isRecord(o.roleRef) ? o.roleRef : {}) as { apiGroup?: string; kind?: string; name?: string };
  if (ref.apiGroup !== RBAC_GROUP)
    errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(String(ref.kind))) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(required('roleRef.name'));
  else for (const m of pathSegmentName(ref.name)) errs.push(invalidValue('roleRef.name', ref.name, m));
  ((o.subjects as Subject[] | undefined) ?? []).forEach((s, i) =>
    errs.push(...validateSubject(s, namespaced, `subjects[${i}]`)),
  );
  return errs;
}

/** rbac/v1 defaults: roleRef and User/Group subjects default to the RBAC API group. */
export function defaultBinding(o: KubeObject): void {
  if (isRecord(o.roleRef) && !o.roleRef.apiGroup) o.roleRef.apiGroup = RBAC_GROUP;
  for (const s of (o.subjects as Subject[] | undefined) ?? []) {
    if (!s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = RBAC_GROUP;
  }
}

export function immutableRoleRef(o: KubeObject, old: KubeObject): FieldError[] {
  const a = (isRecord(o.roleRef) ? o.roleRef : {}) as Record<string, unknown>;
  const b = (isRecord(old.roleRef) ? old.roleRef : {}) as Record<string, unknown>;
  if (a.apiGroup === b.apiGroup && a.kind === b.kind && a.name === b.name) return [];
  const text = `rbac.RoleRef{APIGroup:${JSON.stringify(a.apiGroup ?? '')}, Kind:${JSON.stringify(a.kind ?? '')}, Name:${JSON.stringify(a.name ?? '')}}`;
  return [invalidValue('roleRef', new Printed(text), 'cannot change roleRef')];
}

export const bindingTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Role', 'The role granted.'),
    ageColumn,
    col('Users', 'Users granted the role.', 1),
    col('Groups', 'Groups granted the role.', 1),
    col('ServiceAccounts', 'Service accounts granted the role.', 1),
  ],
  cells: (b, now) => {
    const ref = (b.roleRef ?? {}) as { kind?: string; name?: string };
    const subs = (b.subjects as Subject[] | undefined) ?? [];
    const of = (k: string) =>
      subs
        .filter((s) => s.kind === k)
        .map((s) => (k === 'ServiceAccount' && s.namespace ? `${s.namespace}/${s.name}` : s.name))
        .join(', ');
    return [
      b.metadata.name,
      `${ref.kind}/${ref.name}`,
      age(b.metadata.creationTimestamp, now),
      of('User'),
      of('Group'),
      of('ServiceAccount'),
    ];
  },
};
