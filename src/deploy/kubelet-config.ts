// Who may read the cluster-wide KubeletConfiguration (OPS-08): as kubeadm does at `init`, a
// Role kubeadm:kubelet-config in kube-system that lets every node get the ConfigMap
// kube-system/kubelet-config (and the versioned kubelet-config-1.31 of older kubeadm), bound to
// the group system:nodes. The ConfigMap itself is the administrator's (nothing overwrites it).
import { stringify } from 'yaml';
import { KUBELET_CONFIG_MAPS } from '../kubelet/certs/kubelet-config.js';

export const KUBELET_CONFIG_RBAC_MANIFEST = 'kubelet-config-rbac.yaml';

export function kubeletConfigRBACManifest(): string {
  const metadata = { name: 'kubeadm:kubelet-config', namespace: 'kube-system' };
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata,
    rules: [
      { apiGroups: [''], resources: ['configmaps'], resourceNames: [...KUBELET_CONFIG_MAPS], verbs: ['get'] },
    ],
  };
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: metadata.name },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:nodes' }],
  };
  return [role, binding].map((o) => stringify(o)).join('---\n');
}
