// What RBAC kinds share: rule and subject validation, and the binding table.
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { invalidValue, notSupported, required, type FieldError } from '../validation.js';
import type { TableConvertor } from '../strategy.js';

interface Rule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  nonResourceURLs?: string[];
}

export function validateRules(o: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  ((o.rules as Rule[] | undefined) ?? []).forEach((r, i) => {
    const p = `rules[${i}]`;
    if (!r.verbs?.length) errs.push(required(`${p}.verbs`, 'verbs must contain at least one value'));
    if (r.nonResourceURLs?.length) {
      if (namespaced)
        errs.push(
          invalidValue(
            `${p}.nonResourceURLs`,
            r.nonResourceURLs,
            'namespaced rules cannot apply to non-resource URLs',
          ),
        );
      if (r.apiGroups?.length || r.resources?.length)
        errs.push(
          invalidValue(
            `${p}.nonResourceURLs`,
            r.nonResourceURLs,
            'rules cannot apply to both regular resources and non-resource URLs',
          ),
        );
    } else {
      if (!r.apiGroups?.length)
        errs.push(required(`${p}.apiGroups`, 'resource rules must supply at least one api group'));
      if (!r.resources?.length)
        errs.push(required(`${p}.resources`, 'resource rules must supply at least one resource'));
    }
  });
  return errs;
}

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
  apiGroup?: string;
}

export function validateBinding(o: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = o.roleRef as { apiGroup?: string; kind?: string; name?: string } | undefined;
  if (!isRecord(ref)) errs.push(required('roleRef'));
  else {
    const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
    if (!kinds.includes(String(ref.kind))) errs.push(notSupported('roleRef.kind', ref.kind, kinds));
    if (!ref.name) errs.push(required('roleRef.name'));
    if (ref.apiGroup !== 'rbac.authorization.k8s.io')
      errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', ['rbac.authorization.k8s.io']));
  }
  ((o.subjects as Subject[] | undefined) ?? []).forEach((s, i) => {
    const p = `subjects[${i}]`;
    if (!s.name) errs.push(required(`${p}.name`));
    if (!['User', 'Group', 'ServiceAccount'].includes(String(s.kind)))
      errs.push(notSupported(`${p}.kind`, s.kind, ['ServiceAccount', 'User', 'Group']));
    if (s.kind === 'ServiceAccount' && !namespaced && !s.namespace) errs.push(required(`${p}.namespace`));
  });
  return errs;
}

export function defaultSubjects(o: KubeObject): void {
  for (const s of (o.subjects as Subject[] | undefined) ?? []) {
    if (s.apiGroup === undefined && (s.kind === 'User' || s.kind === 'Group'))
      s.apiGroup = 'rbac.authorization.k8s.io';
    if (s.apiGroup === undefined && s.kind === 'ServiceAccount') s.apiGroup = '';
  }
}

export function immutableRoleRef(o: KubeObject, old: KubeObject): FieldError[] {
  return JSON.stringify(o.roleRef) === JSON.stringify(old.roleRef)
    ? []
    : [invalidValue('roleRef', o.roleRef, 'cannot change roleRef')];
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
        .map((s) => (k === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name))
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
