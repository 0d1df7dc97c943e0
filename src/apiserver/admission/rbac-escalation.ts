// RBAC escalation prevention as a validating step on writes of roles and bindings (upstream
// does it in the rbac REST storage; here it runs where admission does, after validation).
import { rbacAuthorizer } from '../auth/rbac/authorizer.js';
import { checkRbacWrite, type RbacWrite } from '../auth/rbac/escalation.js';
import { resolverFor } from '../auth/rbac/store-source.js';
import { privilegedGroupAuthorizer, unionAuthorizer } from '../auth/union.js';
import type { AdmissionDeps, AdmissionPlugin } from './types.js';

const RESOURCES = new Set(['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']);

export function rbacEscalation(deps: AdmissionDeps): AdmissionPlugin {
  let checker:
    { resolver: ReturnType<typeof resolverFor>; authorizer: ReturnType<typeof unionAuthorizer> } | undefined;
  // made on first use: the stores exist by then, and the resolver is the authorizer's own
  const get = () => {
    if (!checker) {
      const resolver = resolverFor(deps.store);
      checker = {
        resolver,
        authorizer: unionAuthorizer([privilegedGroupAuthorizer('system:masters'), rbacAuthorizer(resolver)]),
      };
    }
    return checker;
  };
  return {
    name: 'RBACEscalation',
    validate(req) {
      if (req.group !== 'rbac.authorization.k8s.io' || !RESOURCES.has(req.resource) || req.subresource)
        return;
      if ((req.operation !== 'CREATE' && req.operation !== 'UPDATE') || !req.object) return;
      const { resolver, authorizer } = get();
      checkRbacWrite(
        {
          operation: req.operation,
          resource: req.resource as RbacWrite['resource'],
          namespace: req.namespace,
          name: req.name || req.object.metadata.name || '',
          object: req.object,
          oldObject: req.oldObject,
          user: req.user,
        },
        resolver,
        authorizer,
      );
    },
  };
}
