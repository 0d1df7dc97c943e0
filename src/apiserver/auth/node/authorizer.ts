// The Node authorizer (upstream's plugin/pkg/auth/authorizer/node): users `system:node:<name>`
// in group system:nodes may read the secrets, configmaps, PVCs and PVs their pods use, create
// tokens for their pods' service accounts, and manage their own Lease and CSINode; everything
// else is judged by the system:node rules (NodeRestriction admission narrows writes further).
// Others get no opinion.
import type { KubeObject } from '../../../api/types.js';
import type { UserInfo } from '../../endpoints/context.js';
import type { AuthorizationAttributes, AuthorizationResult } from '../types.js';
import type { RuleListingAuthorizer } from '../rbac/authorizer.js';
import { systemNode } from '../rbac/bootstrap-policy.js';
import { ruleAllows } from '../rbac/rules.js';
import type { NodeGraph, VertexType } from './graph.js';
import { persistentVolumeSecrets } from './pod-refs.js';

const PREFIX = 'system:node:';
const NODES_GROUP = 'system:nodes';
const LEASE_NAMESPACE = 'kube-node-lease';

/** The node a user is, if it is one (upstream's NodeIdentity). */
export function nodeIdentity(user: UserInfo): string | undefined {
  if (!user.name.startsWith(PREFIX) || !user.groups.includes(NODES_GROUP)) return undefined;
  return user.name.slice(PREFIX.length);
}

export interface NodeObjects {
  get(group: string, resource: string, namespace: string, name: string): KubeObject | undefined;
}

const noOpinion = (reason: string): AuthorizationResult => ({ decision: 'noOpinion', reason });
const ALLOW: AuthorizationResult = { decision: 'allow', reason: '' };

export function nodeAuthorizer(graph: NodeGraph, objects: NodeObjects): RuleListingAuthorizer {
  const rules = systemNode();
  const unrelated = (node: string) =>
    noOpinion(`no relationship found between node '${node}' and this object`);

  /** A secret a PV bound to one of the node's claims names (e.g. CSI node-publish secrets). */
  const pvSecret = (node: string, namespace: string, name: string) =>
    graph.claims(node).some(([ns, claim]) => {
      const pvc = objects.get('', 'persistentvolumeclaims', ns, claim);
      const volume = (pvc?.spec as { volumeName?: string } | undefined)?.volumeName;
      const pv = volume ? objects.get('', 'persistentvolumes', '', volume) : undefined;
      return (
        !!pv && persistentVolumeSecrets(pv, ns).some(([sns, sname]) => sns === namespace && sname === name)
      );
    });

  const related = (node: string, type: VertexType, a: AuthorizationAttributes): AuthorizationResult => {
    if (!a.name) return noOpinion('No Object name found');
    if (graph.reaches(node, type, a.namespace, a.name)) return ALLOW;
    return type === 'secret' && pvSecret(node, a.namespace, a.name) ? ALLOW : unrelated(node);
  };

  const readNamespaced = (node: string, type: VertexType, a: AuthorizationAttributes) => {
    if (!['get', 'list', 'watch'].includes(a.verb)) return noOpinion('can only read resources of this type');
    if (a.subresource) return noOpinion('cannot read subresource');
    if (!a.namespace) return noOpinion('can only read namespaced object of this type');
    return related(node, type, a);
  };

  const getOnly = (a: AuthorizationAttributes): AuthorizationResult | undefined => {
    if (a.verb !== 'get') return noOpinion('can only get individual resources of this type');
    if (a.subresource) return noOpinion('cannot get subresource');
    if (!a.name) return noOpinion('No Object name found');
    return undefined;
  };

  /** A PV is reachable through the reachable PVC bound to it. */
  const persistentVolume = (node: string, a: AuthorizationAttributes) => {
    const pv = objects.get('', 'persistentvolumes', '', a.name);
    const ref = (pv?.spec as { claimRef?: { namespace?: string; name?: string } } | undefined)?.claimRef;
    if (!ref?.namespace || !ref.name || !graph.reaches(node, 'pvc', ref.namespace, ref.name))
      return unrelated(node);
    const pvc = objects.get('', 'persistentvolumeclaims', ref.namespace, ref.name);
    return (pvc?.spec as { volumeName?: string } | undefined)?.volumeName === a.name
      ? ALLOW
      : unrelated(node);
  };

  const ownNamed = (node: string, a: AuthorizationAttributes, what: string, reasonVerbs: string) => {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return noOpinion(reasonVerbs);
    // on create the name is not known here: NodeRestriction checks it
    if (a.verb !== 'create' && a.name !== node)
      return noOpinion(`can only access ${what} with the same name as the requesting node`);
    return ALLOW;
  };

  function authorize(a: AuthorizationAttributes): AuthorizationResult {
    const node = nodeIdentity(a.user);
    if (node === undefined) return noOpinion('');
    if (!node) return noOpinion(`unknown node for user ${JSON.stringify(a.user.name)}`);
    if (a.resourceRequest) {
      const gr = `${a.resource}.${a.group}`;
      switch (gr) {
        case 'secrets.':
          return readNamespaced(node, 'secret', a);
        case 'configmaps.':
          return readNamespaced(node, 'configmap', a);
        case 'persistentvolumeclaims.':
          if (a.subresource === 'status') {
            if (a.verb !== 'update' && a.verb !== 'patch')
              return noOpinion('can only get/update/patch this type');
            return related(node, 'pvc', a);
          }
          return getOnly(a) ?? related(node, 'pvc', a);
        case 'persistentvolumes.':
          return getOnly(a) ?? persistentVolume(node, a);
        case 'volumeattachments.storage.k8s.io': {
          const denied = getOnly(a);
          if (denied) return denied;
          const va = objects.get('storage.k8s.io', 'volumeattachments', '', a.name);
          return (va?.spec as { nodeName?: string } | undefined)?.nodeName === node ? ALLOW : unrelated(node);
        }
        case 'serviceaccounts.':
          if (a.verb !== 'create' || !a.name)
            return noOpinion('can only create tokens for individual service accounts');
          if (a.subresource !== 'token')
            return noOpinion('can only create token subresource of serviceaccount');
          return related(node, 'serviceaccount', a);
        case 'leases.coordination.k8s.io':
          if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb))
            return noOpinion('can only get, create, update, patch, or delete a node lease');
          if (a.namespace !== LEASE_NAMESPACE)
            return noOpinion(
              `can only access leases in the ${JSON.stringify(LEASE_NAMESPACE)} system namespace`,
            );
          return ownNamed(node, a, 'node lease', '');
        case 'csinodes.storage.k8s.io':
          if (a.subresource) {
            if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb))
              return noOpinion('can only get, create, update, patch, or delete a CSINode');
            return noOpinion('cannot authorize CSINode subresources');
          }
          return ownNamed(node, a, 'CSINode', 'can only get, create, update, patch, or delete a CSINode');
      }
    }
    return rules.some((r) => ruleAllows(a, r)) ? ALLOW : noOpinion('');
  }

  return {
    authorize,
    rulesFor(user) {
      // as upstream: a node's permissions depend on its pods and are not enumerated
      if (nodeIdentity(user) !== undefined)
        return {
          resourceRules: [],
          nonResourceRules: [],
          incomplete: true,
          errors: ['node authorizer does not support user rule resolution'],
        };
      return { resourceRules: [], nonResourceRules: [], incomplete: false, errors: [] };
    },
  };
}
