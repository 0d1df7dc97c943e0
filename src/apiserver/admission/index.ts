// The admission plugins the API server enables, in upstream's order (kube-apiserver's
// recommended plugin order). NamespaceLifecycle runs inside the store (namespace-lifecycle.ts).
import type { AdmissionDeps, AdmissionPlugin } from './types.js';
import { rbacEscalation } from './rbac-escalation.js';

export function defaultAdmissionPlugins(deps: AdmissionDeps): AdmissionPlugin[] {
  return [
    rbacEscalation(deps), // not an upstream plugin: the rbac registry's escalation check
  ];
}
