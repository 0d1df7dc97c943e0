// Puts upstream's bootstrap policy in place at API server start (the "rbac/bootstrap-roles"
// post-start hook with reconciliation's union mode): missing roles and bindings are created;
// existing ones not marked `rbac.authorization.kubernetes.io/autoupdate: "false"` get the
// labels, annotations, rules, aggregation selectors and subjects they lack. Nothing is removed.
import { StatusError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/types.js';
import { logger } from '../../../util/log.js';
import type { RequestContext } from '../../endpoints/context.js';
import type { ResourceStore } from '../../endpoints/store.js';
import { clusterRoleBindings, clusterRoles } from './bootstrap-policy.js';
import { controllerRoleBindings, controllerRoles } from './bootstrap-policy-controllers.js';
import { namespacedRoleBindings, namespacedRoles } from './bootstrap-policy-namespaced.js';
import { covers } from './covers.js';
import { AUTOUPDATE, RBAC_GROUP } from './policy-builder.js';
import type { PolicyRule, Subject } from './rules.js';
import type { StoreLookup } from './store-source.js';

const log = logger('apiserver');

type Reconciler = (existing: KubeObject, expected: KubeObject) => KubeObject | undefined;

function mergedMeta(existing: KubeObject, expected: KubeObject): { changed: boolean; obj: KubeObject } {
  const obj = structuredClone(existing);
  const labels = { ...(expected.metadata.labels ?? {}), ...(existing.metadata.labels ?? {}) };
  const annotations = { ...(expected.metadata.annotations ?? {}), ...(existing.metadata.annotations ?? {}) };
  const changed =
    JSON.stringify(labels) !== JSON.stringify(existing.metadata.labels ?? {}) ||
    JSON.stringify(annotations) !== JSON.stringify(existing.metadata.annotations ?? {});
  obj.metadata.labels = labels;
  obj.metadata.annotations = annotations;
  return { changed, obj };
}

interface Selectors {
  clusterRoleSelectors?: unknown[];
}

/** The role with what it lacks added, or undefined when it needs no change. */
export const reconcileRole: Reconciler = (existing, expected) => {
  const { changed, obj } = mergedMeta(existing, expected);
  let update = changed;
  const have = (existing.rules as PolicyRule[] | null | undefined) ?? [];
  const { missing } = covers(have, (expected.rules as PolicyRule[] | undefined) ?? []);
  if (missing.length) {
    obj.rules = [...have, ...missing];
    update = true;
  }
  const want = (expected.aggregationRule as Selectors | undefined)?.clusterRoleSelectors ?? [];
  const agg = existing.aggregationRule as Selectors | undefined;
  if (!expected.aggregationRule && agg) {
    delete obj.aggregationRule;
    update = true;
  } else if (want.length) {
    const present = (agg?.clusterRoleSelectors ?? []).map((s) => JSON.stringify(s));
    const lacking = want.filter((s) => !present.includes(JSON.stringify(s)));
    if (lacking.length) {
      obj.aggregationRule = { clusterRoleSelectors: [...(agg?.clusterRoleSelectors ?? []), ...lacking] };
      update = true;
    }
  }
  return update ? obj : undefined;
};

const subjectId = (s: Subject) => JSON.stringify([s.kind, s.apiGroup ?? '', s.name, s.namespace ?? '']);

export const reconcileBinding: Reconciler = (existing, expected) => {
  const { changed, obj } = mergedMeta(existing, expected);
  const have = (existing.subjects as Subject[] | null | undefined) ?? [];
  const ids = new Set(have.map(subjectId));
  const lacking = ((expected.subjects as Subject[] | undefined) ?? []).filter((s) => !ids.has(subjectId(s)));
  if (lacking.length) obj.subjects = [...have, ...lacking];
  return changed || lacking.length ? obj : undefined;
};

async function reconcileOne(
  store: ResourceStore,
  expected: KubeObject,
  reconcile: Reconciler,
  ctx: (ns?: string) => RequestContext,
): Promise<'created' | 'updated' | 'unchanged' | 'protected'> {
  const ns = expected.metadata.namespace;
  const name = expected.metadata.name!;
  const existing = store.cache.get(store.key(ns, name))?.obj;
  if (!existing) {
    try {
      await store.create(structuredClone(expected), ctx(ns));
      return 'created';
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
    }
  }
  let outcome: 'updated' | 'unchanged' | 'protected' = 'unchanged';
  await store.update(
    ns,
    name,
    ctx(ns),
    (current) => {
      if (current.metadata.annotations?.[AUTOUPDATE] === 'false') {
        outcome = 'protected';
        return current;
      }
      // a binding to another role cannot be changed in place: leave it (upstream recreates it)
      const next = reconcile(current, expected);
      outcome = next ? 'updated' : 'unchanged';
      return next ?? current;
    },
    { retry: true },
  );
  return outcome;
}

export async function reconcileBootstrapPolicy(
  lookup: StoreLookup,
  ctx: (namespace?: string) => RequestContext,
): Promise<void> {
  const store = (r: string) => lookup(RBAC_GROUP, r)!;
  const work: [ResourceStore, KubeObject[], Reconciler][] = [
    [store('clusterroles'), [...clusterRoles(), ...controllerRoles()], reconcileRole],
    [store('clusterrolebindings'), [...clusterRoleBindings(), ...controllerRoleBindings()], reconcileBinding],
    [store('roles'), namespacedRoles(), reconcileRole],
    [store('rolebindings'), namespacedRoleBindings(), reconcileBinding],
  ];
  const counts = { created: 0, updated: 0, unchanged: 0, protected: 0 };
  for (const [s, objects, reconcile] of work)
    for (const o of objects) {
      // an unchanged object is not written at all (most restarts write nothing)
      const cur = s.cache.get(s.key(o.metadata.namespace, o.metadata.name!))?.obj;
      if (cur && (cur.metadata.annotations?.[AUTOUPDATE] === 'false' || !reconcile(cur, o))) {
        counts.unchanged++;
        continue;
      }
      counts[await reconcileOne(s, o, reconcile, ctx)]++;
    }
  log.info('bootstrap RBAC policy reconciled', counts);
}
