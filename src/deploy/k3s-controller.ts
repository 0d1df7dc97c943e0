// What k3s's embedded network policy controller may read, as k3s's rolebindings.yaml grants it:
// ClusterRole system:k3s-controller (get nodes; list/watch namespaces and networkpolicies;
// get/list/watch endpoints and pods) bound to the user system:k3s-controller, whose client
// certificate the server issues for its own agent (src/cluster/local-agent-credentials.ts).
import { stringify } from 'yaml';
import { K3S_CONTROLLER_USER } from '../cluster/local-agent-credentials.js';

export const K3S_CONTROLLER_RBAC_MANIFEST = 'rolebindings.yaml';

export function k3sControllerRBACManifest(): string {
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'system:k3s-controller' },
    rules: [
      { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
      { apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'watch'] },
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['endpoints', 'pods'], verbs: ['list', 'get', 'watch'] },
    ],
  };
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'system:k3s-controller' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:k3s-controller' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: K3S_CONTROLLER_USER }],
  };
  return [role, binding].map((o) => stringify(o)).join('---\n');
}
