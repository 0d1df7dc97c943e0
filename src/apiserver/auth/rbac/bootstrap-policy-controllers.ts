// upstream's roles for the controllers of kube-controller-manager (bootstrappolicy/
// controller_policy.go, v1.31, without feature-gated alpha controllers): one ClusterRole
// `system:controller:<name>` each, bound to the ServiceAccount kube-system/<name>.
import type { KubeObject } from '../../../api/types.js';
import type { PolicyRule } from './rules.js';
import { clusterBinding, clusterRole, eventsRule, READ, rule, serviceAccount } from './policy-builder.js';

const core = [''];
const apps = ['apps', 'extensions'];

const controllers: [string, PolicyRule[]][] = [
  [
    'attachdetach-controller',
    [
      rule('list watch', core, 'persistentvolumes persistentvolumeclaims'),
      rule(READ, core, 'nodes'),
      rule('patch update', core, 'nodes/status'),
      rule('list watch', core, 'pods'),
      eventsRule(),
      rule('list watch create delete get', ['storage.k8s.io'], 'volumeattachments'),
      rule(READ, ['storage.k8s.io'], 'csidrivers'),
      rule(READ, ['storage.k8s.io'], 'csinodes'),
    ],
  ],
  [
    'clusterrole-aggregation-controller',
    // escalate: it writes rules it does not hold itself
    [rule('escalate get list watch update patch', ['rbac.authorization.k8s.io'], 'clusterroles')],
  ],
  [
    'cronjob-controller',
    [
      rule('get list watch update', ['batch'], 'cronjobs'),
      rule('get list watch create update delete patch', ['batch'], 'jobs'),
      rule('update', ['batch'], 'cronjobs/status'),
      rule('update', ['batch'], 'cronjobs/finalizers'),
      rule('list watch delete', core, 'pods'),
      eventsRule(),
    ],
  ],
  [
    'daemon-set-controller',
    [
      rule(READ, apps, 'daemonsets'),
      rule('update', apps, 'daemonsets/status'),
      rule('update', apps, 'daemonsets/finalizers'),
      rule('list watch', core, 'nodes'),
      rule('list watch create delete patch', core, 'pods'),
      rule('create', core, 'pods/binding'),
      rule('get list watch create delete update patch', ['apps'], 'controllerrevisions'),
      eventsRule(),
    ],
  ],
  [
    'deployment-controller',
    [
      rule('get list watch update', apps, 'deployments'),
      rule('update', apps, 'deployments/status'),
      rule('update', apps, 'deployments/finalizers'),
      rule('get list watch create update patch delete', apps, 'replicasets'),
      // pods are only listed for the deployment's status
      rule('get list watch update', core, 'pods'),
      eventsRule(),
    ],
  ],
  [
    'disruption-controller',
    [
      rule(READ, apps, 'deployments'),
      rule(READ, apps, 'replicasets'),
      rule(READ, core, 'replicationcontrollers'),
      rule(READ, ['policy'], 'poddisruptionbudgets'),
      rule(READ, ['apps'], 'statefulsets'),
      rule('update', ['policy'], 'poddisruptionbudgets/status'),
      rule('patch update', core, 'pods/status'),
      rule('get', ['*'], '*/scale'),
      eventsRule(),
    ],
  ],
  [
    'endpoint-controller',
    [
      rule(READ, core, 'services pods'),
      rule('get list watch create update delete', core, 'endpoints'),
      rule('create', core, 'endpoints/restricted'),
      eventsRule(),
    ],
  ],
  [
    'endpointslice-controller',
    [
      rule(READ, core, 'services pods nodes'),
      rule('update', core, 'services/finalizers'),
      rule('get list watch create update delete', ['discovery.k8s.io'], 'endpointslices'),
      eventsRule(),
    ],
  ],
  [
    'endpointslicemirroring-controller',
    [
      rule(READ, core, 'services endpoints'),
      rule('update', core, 'services/finalizers'),
      rule('update', core, 'endpoints/finalizers'),
      rule('get list watch create update delete', ['discovery.k8s.io'], 'endpointslices'),
      eventsRule(),
    ],
  ],
  [
    'ephemeral-volume-controller',
    [
      rule(READ, core, 'pods'),
      rule('update', core, 'pods/finalizers'),
      rule('get list watch create', core, 'persistentvolumeclaims'),
      eventsRule(),
    ],
  ],
  [
    'expand-controller',
    [
      rule('get list watch update patch', core, 'persistentvolumes'),
      rule('update patch', core, 'persistentvolumeclaims/status'),
      rule(READ, core, 'persistentvolumeclaims'),
      eventsRule(),
    ],
  ],
  ['generic-garbage-collector', [rule('get list watch patch update delete', ['*'], '*'), eventsRule()]],
  [
    'horizontal-pod-autoscaler',
    [
      rule(READ, ['autoscaling'], 'horizontalpodautoscalers'),
      rule('update', ['autoscaling'], 'horizontalpodautoscalers/status'),
      rule('get update', ['*'], '*/scale'),
      rule('list watch', core, 'pods'),
      rule('list watch', ['metrics.k8s.io'], 'pods'),
      rule(READ, ['custom.metrics.k8s.io'], '*'),
      rule(READ, ['external.metrics.k8s.io'], '*'),
      eventsRule(),
    ],
  ],
  [
    'job-controller',
    [
      rule('get list watch update patch', ['batch'], 'jobs'),
      rule('update', ['batch'], 'jobs/status'),
      rule('update', ['batch'], 'jobs/finalizers'),
      rule('list watch create delete patch', core, 'pods'),
      eventsRule(),
    ],
  ],
  [
    'legacy-service-account-token-cleaner',
    [
      rule('get', core, 'configmaps', 'kube-apiserver-legacy-service-account-token-tracking'),
      rule('delete patch', core, 'secrets'),
    ],
  ],
  [
    'namespace-controller',
    [
      rule('get list watch delete', core, 'namespaces'),
      rule('update', core, 'namespaces/finalize namespaces/status'),
      rule('get list watch delete deletecollection', ['*'], '*'),
    ],
  ],
  [
    'node-controller',
    [
      rule('get list update delete patch watch', core, 'nodes'),
      rule('patch update', core, 'nodes/status'),
      rule('patch update', core, 'pods/status'),
      rule('list delete get watch', core, 'pods'),
      eventsRule(),
    ],
  ],
  [
    'persistent-volume-binder',
    [
      rule('get list watch update create delete', core, 'persistentvolumes'),
      rule('update', core, 'persistentvolumes/status'),
      rule('get list watch update', core, 'persistentvolumeclaims'),
      rule('update', core, 'persistentvolumeclaims/status'),
      rule('get list watch create delete', core, 'pods'),
      rule(READ, ['storage.k8s.io'], 'storageclasses'),
      rule('list watch', core, 'nodes'),
      eventsRule(),
      rule('watch', core, 'events'),
    ],
  ],
  [
    'pod-garbage-collector',
    [rule('list watch delete', core, 'pods'), rule(READ, core, 'nodes'), rule('patch', core, 'pods/status')],
  ],
  ['pv-protection-controller', [rule('get list watch update', core, 'persistentvolumes'), eventsRule()]],
  [
    'pvc-protection-controller',
    [
      rule('get list watch update', core, 'persistentvolumeclaims'),
      rule('update', core, 'persistentvolumeclaims/status'),
      rule(READ, core, 'pods'),
      eventsRule(),
    ],
  ],
  [
    'replicaset-controller',
    [
      rule('get list watch update', apps, 'replicasets'),
      rule('update', apps, 'replicasets/status'),
      rule('update', apps, 'replicasets/finalizers'),
      rule('list watch patch create delete', core, 'pods'),
      eventsRule(),
    ],
  ],
  [
    'replication-controller',
    [
      rule('get list watch update', core, 'replicationcontrollers'),
      rule('update', core, 'replicationcontrollers/status'),
      rule('update', core, 'replicationcontrollers/finalizers'),
      rule('list watch patch create delete', core, 'pods'),
      eventsRule(),
    ],
  ],
  [
    'resourcequota-controller',
    [rule('list watch', ['*'], '*'), rule('update', core, 'resourcequotas/status'), eventsRule()],
  ],
  ['root-ca-cert-publisher', [rule('create update', core, 'configmaps'), eventsRule()]],
  [
    'route-controller',
    [rule('list watch', core, 'nodes'), rule('patch', core, 'nodes/status'), eventsRule()],
  ],
  ['service-account-controller', [rule('create', core, 'serviceaccounts'), eventsRule()]],
  [
    'service-controller',
    [
      rule(READ, core, 'services'),
      rule('patch update', core, 'services/status'),
      rule('list watch', core, 'nodes'),
      eventsRule(),
    ],
  ],
  [
    'statefulset-controller',
    [
      rule('list watch', core, 'pods'),
      rule(READ, ['apps'], 'statefulsets'),
      rule('update', ['apps'], 'statefulsets/status'),
      rule('update', ['apps'], 'statefulsets/finalizers'),
      rule('get create delete update patch', core, 'pods'),
      rule('get create delete update patch list watch', ['apps'], 'controllerrevisions'),
      rule('get create list watch', core, 'persistentvolumeclaims'),
      rule('update delete', core, 'persistentvolumeclaims'),
      rule('update', core, 'pods/finalizers'),
      eventsRule(),
    ],
  ],
  ['ttl-controller', [rule('update patch list watch', core, 'nodes'), eventsRule()]],
  [
    'certificate-controller',
    [
      rule('get list watch delete', ['certificates.k8s.io'], 'certificatesigningrequests'),
      rule(
        'update',
        ['certificates.k8s.io'],
        'certificatesigningrequests/status certificatesigningrequests/approval',
      ),
      rule('approve', ['certificates.k8s.io'], 'signers', 'kubernetes.io/kube-apiserver-client-kubelet'),
      rule(
        'sign',
        ['certificates.k8s.io'],
        'signers',
        'kubernetes.io/legacy-unknown kubernetes.io/kube-apiserver-client kubernetes.io/kube-apiserver-client-kubelet kubernetes.io/kubelet-serving',
      ),
      rule('create', ['authorization.k8s.io'], 'subjectaccessreviews'),
      eventsRule(),
    ],
  ],
  ['ttl-after-finished-controller', [rule('get list watch delete', ['batch'], 'jobs'), eventsRule()]],
  [
    'validatingadmissionpolicy-status-controller',
    [
      rule(READ, ['admissionregistration.k8s.io'], 'validatingadmissionpolicies'),
      rule('get patch update', ['admissionregistration.k8s.io'], 'validatingadmissionpolicies/status'),
      eventsRule(),
    ],
  ],
];

const PREFIX = 'system:controller:';

export function controllerRoles(): KubeObject[] {
  return controllers.map(([name, rules]) => clusterRole(PREFIX + name, rules));
}

export function controllerRoleBindings(): KubeObject[] {
  return controllers.map(([name]) => clusterBinding(PREFIX + name, [serviceAccount('kube-system', name)]));
}
