import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/types.js';
import { reconcileBinding, reconcileRole } from '../../../src/apiserver/auth/rbac/reconcile.js';
import { clusterRoleBindings, clusterRoles } from '../../../src/apiserver/auth/rbac/bootstrap-policy.js';
import {
  controllerRoleBindings,
  controllerRoles,
} from '../../../src/apiserver/auth/rbac/bootstrap-policy-controllers.js';
import {
  validateBinding,
  validateRules,
  validateAggregationRule,
} from '../../../src/apiserver/registry/rbac/rbac.js';

const byName = (list: KubeObject[], name: string) => list.find((o) => o.metadata.name === name)!;

describe('bootstrap policy', () => {
  it('is valid RBAC, labelled and annotated as upstream', () => {
    for (const r of [...clusterRoles(), ...controllerRoles()]) {
      assert.deepEqual([...validateRules(r, false), ...validateAggregationRule(r)], [], r.metadata.name);
      assert.equal(r.metadata.labels?.['kubernetes.io/bootstrapping'], 'rbac-defaults');
      assert.equal(r.metadata.annotations?.['rbac.authorization.kubernetes.io/autoupdate'], 'true');
    }
    for (const b of [...clusterRoleBindings(), ...controllerRoleBindings()])
      assert.deepEqual(validateBinding(b, false), [], b.metadata.name);
  });

  it('has the user-facing roles aggregated, view feeding edit feeding admin', () => {
    const roles = clusterRoles();
    assert.deepEqual(byName(roles, 'view').aggregationRule, {
      clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }],
    });
    assert.equal(
      byName(roles, 'view').metadata.labels?.['rbac.authorization.k8s.io/aggregate-to-edit'],
      'true',
    );
    assert.equal(
      byName(roles, 'edit').metadata.labels?.['rbac.authorization.k8s.io/aggregate-to-admin'],
      'true',
    );
    assert.equal(byName(roles, 'admin').rules, undefined);
    assert.deepEqual(byName(clusterRoleBindings(), 'system:public-info-viewer').subjects, [
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:authenticated' },
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:unauthenticated' },
    ]);
  });
});

describe('reconciling the bootstrap policy', () => {
  const expected = byName(clusterRoles(), 'system:basic-user');

  it('leaves an up-to-date role alone', () => {
    assert.equal(reconcileRole(structuredClone(expected), expected), undefined);
  });

  it('adds lost rules and labels, keeps what the user added', () => {
    const extra = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
    const existing: KubeObject = { ...structuredClone(expected), rules: [extra] };
    existing.metadata.labels = { mine: 'yes' };
    const next = reconcileRole(existing, expected)!;
    assert.equal((next.rules as unknown[])[0], extra);
    assert.equal((next.rules as unknown[]).length, 1 + 3);
    assert.deepEqual(next.metadata.labels, { 'kubernetes.io/bootstrapping': 'rbac-defaults', mine: 'yes' });
  });

  it('adds lost subjects to a binding', () => {
    const want = byName(clusterRoleBindings(), 'system:public-info-viewer');
    const existing = { ...structuredClone(want), subjects: [(want.subjects as unknown[])[1]] };
    const next = reconcileBinding(existing, want)!;
    assert.equal((next.subjects as unknown[]).length, 2);
  });
});
