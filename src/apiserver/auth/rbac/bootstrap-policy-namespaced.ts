// upstream's Roles and RoleBindings in kube-system and kube-public (bootstrappolicy/
// namespace_policy.go, v1.31).
import type { KubeObject } from '../../../api/types.js';
import { binding, eventsRule, READ, role, rule, serviceAccount, user } from './policy-builder.js';

const core = [''];
const SYSTEM = 'kube-system';
const PUBLIC = 'kube-public';
const leaderLocking = () => [
  rule('watch list get create update', ['coordination.k8s.io'], 'leases'),
  rule('watch list get create update', ['coordination.k8s.io'], 'leasecandidates'),
];

export function namespacedRoles(): KubeObject[] {
  return [
    // extension API servers read the authentication configuration the API server publishes
    role(SYSTEM, 'extension-apiserver-authentication-reader', [
      rule(READ, core, 'configmaps', 'extension-apiserver-authentication'),
    ]),
    role(SYSTEM, 'system::leader-locking-kube-controller-manager', leaderLocking()),
    role(SYSTEM, 'system::leader-locking-kube-scheduler', leaderLocking()),
    role(SYSTEM, 'system:controller:bootstrap-signer', [rule(READ, core, 'secrets')]),
    role(SYSTEM, 'system:controller:cloud-provider', [rule('create get list watch', core, 'configmaps')]),
    role(SYSTEM, 'system:controller:token-cleaner', [
      rule('delete get list watch', core, 'secrets'),
      eventsRule(),
    ]),
    role(PUBLIC, 'system:controller:bootstrap-signer', [
      rule(READ, core, 'configmaps'),
      rule('update', core, 'configmaps', 'cluster-info'),
      eventsRule(),
    ]),
  ];
}

export function namespacedRoleBindings(): KubeObject[] {
  return [
    binding(
      SYSTEM,
      'extension-apiserver-authentication-reader',
      [user('system:kube-controller-manager'), user('system:kube-scheduler')],
      'system::extension-apiserver-authentication-reader',
    ),
    binding(SYSTEM, 'system::leader-locking-kube-controller-manager', [
      user('system:kube-controller-manager'),
      serviceAccount(SYSTEM, 'kube-controller-manager'),
      serviceAccount(SYSTEM, 'leader-election-controller'),
    ]),
    binding(SYSTEM, 'system::leader-locking-kube-scheduler', [
      user('system:kube-scheduler'),
      serviceAccount(SYSTEM, 'kube-scheduler'),
    ]),
    binding(SYSTEM, 'system:controller:bootstrap-signer', [serviceAccount(SYSTEM, 'bootstrap-signer')]),
    binding(SYSTEM, 'system:controller:cloud-provider', [serviceAccount(SYSTEM, 'cloud-provider')]),
    binding(SYSTEM, 'system:controller:token-cleaner', [serviceAccount(SYSTEM, 'token-cleaner')]),
    binding(PUBLIC, 'system:controller:bootstrap-signer', [serviceAccount(SYSTEM, 'bootstrap-signer')]),
  ];
}
