// The admission plugins the API server enables, in upstream's order (kube-apiserver's
// recommended plugin order). NamespaceLifecycle runs inside the store (namespace-lifecycle.ts).
import type { AdmissionDeps, AdmissionPlugin } from './types.js';
import { rbacEscalation } from './rbac-escalation.js';
import { nodeRestriction } from './node-restriction.js';

export function defaultAdmissionPlugins(deps: AdmissionDeps): AdmissionPlugin[] {
  return [
    nodeRestriction(deps),
    rbacEscalation(deps), // not an upstream plugin: the rbac registry's escalation check
  ];
}
