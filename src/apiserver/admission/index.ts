// The admission plugins the API server enables, in upstream's order (kube-apiserver's
// recommended plugin order: NamespaceLifecycle, LimitRanger, ServiceAccount, NodeRestriction,
// TaintNodesByCondition, PodSecurity, Priority, DefaultTolerationSeconds, DefaultStorageClass,
// StorageObjectInUseProtection, PersistentVolumeClaimResize, CertificateApproval, CertificateSigning,
// CertificateSubjectRestriction, DefaultIngressClass, ..., MutatingAdmissionWebhook,
// ValidatingAdmissionPolicy, ValidatingAdmissionWebhook, ResourceQuota). NamespaceLifecycle runs
// inside the store (namespace-lifecycle.ts).
import type { AdmissionDeps, AdmissionPlugin } from './types.js';
import { limitRanger } from './limit-ranger.js';
import { resourceQuota } from './resource-quota.js';
import { serviceAccountAdmission } from './service-account.js';
import { podSecurity } from './pod-security/plugin.js';
import { parsePodSecurityConfig } from './pod-security/config.js';
import { taintNodesByCondition } from './taint-nodes-by-condition.js';
import { priorityAdmission } from './priority.js';
import { defaultTolerationSeconds } from './default-toleration-seconds.js';
import { defaultStorageClass } from './default-storage-class.js';
import { storageObjectInUseProtection } from './storage-object-in-use-protection.js';
import { persistentVolumeClaimResize } from './persistent-volume-claim-resize.js';
import { defaultIngressClass } from './default-ingress-class.js';
import { rbacEscalation } from './rbac-escalation.js';
import { nodeRestriction } from './node-restriction.js';
import { certificateApproval, certificateSigning, certificateSubjectRestriction } from './certificates.js';
import { mutatingWebhookAdmission, validatingWebhookAdmission } from './webhook/plugins.js';
import { validatingAdmissionPolicy } from './policy/plugin.js';

export function defaultAdmissionPlugins(deps: AdmissionDeps): AdmissionPlugin[] {
  return [
    limitRanger(deps),
    serviceAccountAdmission(deps),
    nodeRestriction(deps),
    taintNodesByCondition(),
    podSecurity(deps, parsePodSecurityConfig(deps.config?.get('PodSecurity'))),
    priorityAdmission(deps),
    defaultTolerationSeconds(),
    defaultStorageClass(deps),
    storageObjectInUseProtection(),
    persistentVolumeClaimResize(deps),
    certificateApproval(deps.authorizer),
    certificateSigning(deps.authorizer),
    certificateSubjectRestriction(),
    defaultIngressClass(deps),
    rbacEscalation(deps), // not an upstream plugin: the rbac registry's escalation check
    mutatingWebhookAdmission(deps),
    validatingAdmissionPolicy(deps),
    validatingWebhookAdmission(deps),
    resourceQuota(deps),
  ];
}

/** The plugins without those named in --disable-admission-plugins (unknown names are refused). */
export function enabledPlugins(plugins: AdmissionPlugin[], disabled: string[]): AdmissionPlugin[] {
  const known = new Set(['NamespaceLifecycle', ...plugins.map((p) => p.name)]);
  for (const name of disabled)
    if (!known.has(name)) throw new Error(`disable-admission-plugins plugin "${name}" is unknown`);
  if (disabled.includes('NamespaceLifecycle'))
    throw new Error('disable-admission-plugins: NamespaceLifecycle cannot be disabled in k8ts');
  return plugins.filter((p) => !disabled.includes(p.name));
}
