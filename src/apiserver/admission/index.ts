// The admission plugins the API server enables, in upstream's order (kube-apiserver's
// recommended plugin order: NamespaceLifecycle, LimitRanger, ServiceAccount, NodeRestriction,
// TaintNodesByCondition, PodSecurity, Priority, DefaultTolerationSeconds, DefaultStorageClass,
// ..., ResourceQuota). NamespaceLifecycle runs inside the store (namespace-lifecycle.ts).
import type { AdmissionDeps, AdmissionPlugin } from './types.js';
import { limitRanger } from './limit-ranger.js';
import { resourceQuota } from './resource-quota.js';
import { serviceAccountAdmission } from './service-account.js';
import { podSecurity } from './pod-security/plugin.js';
import { taintNodesByCondition } from './taint-nodes-by-condition.js';
import { priorityAdmission } from './priority.js';
import { defaultTolerationSeconds } from './default-toleration-seconds.js';
import { defaultStorageClass } from './default-storage-class.js';

export function defaultAdmissionPlugins(deps: AdmissionDeps): AdmissionPlugin[] {
  return [
    limitRanger(deps),
    serviceAccountAdmission(deps),
    taintNodesByCondition(),
    podSecurity(deps),
    priorityAdmission(deps),
    defaultTolerationSeconds(),
    defaultStorageClass(deps),
    resourceQuota(deps),
  ];
}
