// The admission plugins the API server enables, in upstream's order (kube-apiserver's
// recommended plugin order). NamespaceLifecycle runs inside the store (namespace-lifecycle.ts).
import type { AdmissionDeps, AdmissionPlugin } from './types.js';
import { limitRanger } from './limit-ranger.js';
import { resourceQuota } from './resource-quota.js';
import { serviceAccountAdmission } from './service-account.js';

export function defaultAdmissionPlugins(deps: AdmissionDeps): AdmissionPlugin[] {
  return [limitRanger(deps), serviceAccountAdmission(deps), resourceQuota(deps)];
}
