// upstream's default ClusterRoles and ClusterRoleBindings (plugin/pkg/auth/authorizer/rbac/
// bootstrappolicy/policy.go, v1.31), written as data. Controller roles are in
// bootstrap-policy-controllers.ts, the kube-system and kube-public Roles in
// bootstrap-policy-namespaced.ts.
import type { KubeObject } from '../../../api/types.js';
import {
  clusterBinding,
  clusterRole,
  eventsRule,
  group,
  READ,
  READ_WRITE,
  rule,
  serviceAccount,
  urls,
  user,
  WRITE,
} from './policy-builder.js';

const AGG_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
const AGG_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
const AGG_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';

const core = [''];

function aggregateToView() {
  return [
    rule(
      READ,
      core,
      'pods replicationcontrollers replicationcontrollers/scale serviceaccounts services services/status endpoints persistentvolumeclaims persistentvolumeclaims/status configmaps',
    ),
    rule(
      READ,
      core,
      'limitranges resourcequotas bindings events pods/status resourcequotas/status namespaces/status replicationcontrollers/status pods/log',
    ),
    // reading namespaces at namespace scope means reading *this* namespace
    rule(READ, core, 'namespaces'),
    rule(READ, ['discovery.k8s.io'], 'endpointslices'),
    rule(
      READ,
      ['apps'],
      'controllerrevisions statefulsets statefulsets/scale statefulsets/status daemonsets daemonsets/status deployments deployments/scale deployments/status replicasets replicasets/scale replicasets/status',
    ),
    rule(READ, ['autoscaling'], 'horizontalpodautoscalers horizontalpodautoscalers/status'),
    rule(READ, ['batch'], 'jobs cronjobs cronjobs/status jobs/status'),
    rule(
      READ,
      ['extensions'],
      'daemonsets daemonsets/status deployments deployments/scale deployments/status ingresses ingresses/status replicasets replicasets/scale replicasets/status replicationcontrollers/scale networkpolicies',
    ),
    rule(READ, ['policy'], 'poddisruptionbudgets poddisruptionbudgets/status'),
    rule(READ, ['networking.k8s.io'], 'ingresses ingresses/status networkpolicies'),
  ];
}

function aggregateToEdit() {
  return [
    // secrets and the pod/service proxies are readable by editors, not viewers
    rule(READ, core, 'pods/attach pods/proxy pods/exec pods/portforward secrets services/proxy'),
    rule('impersonate', core, 'serviceaccounts'),
    rule(WRITE, core, 'pods pods/attach pods/proxy pods/exec pods/portforward'),
    rule('create', core, 'pods/eviction'),
    rule(
      WRITE,
      core,
      'replicationcontrollers replicationcontrollers/scale serviceaccounts services services/proxy persistentvolumeclaims configmaps secrets events',
    ),
    rule('create', core, 'serviceaccounts/token'),
    rule(
      WRITE,
      ['apps'],
      'statefulsets statefulsets/scale daemonsets deployments deployments/scale deployments/rollback replicasets replicasets/scale',
    ),
    rule(WRITE, ['autoscaling'], 'horizontalpodautoscalers'),
    rule(WRITE, ['batch'], 'jobs cronjobs'),
    rule(
      WRITE,
      ['extensions'],
      'daemonsets deployments deployments/scale deployments/rollback ingresses replicasets replicasets/scale replicationcontrollers/scale networkpolicies',
    ),
    rule(WRITE, ['policy'], 'poddisruptionbudgets'),
    rule(WRITE, ['networking.k8s.io'], 'ingresses networkpolicies'),
    rule(READ_WRITE, ['coordination.k8s.io'], 'leases'),
  ];
}

/** system:node's rules, which the Node authorizer also applies to what it does not subdivide. */
export function systemNode() {
  return [
    rule('create', ['authentication.k8s.io'], 'tokenreviews'),
    rule('create', ['authorization.k8s.io'], 'subjectaccessreviews localsubjectaccessreviews'),
    rule(READ, core, 'services'),
    rule('create get list watch', core, 'nodes'),
    rule('update patch', core, 'nodes/status'),
    rule('update patch', core, 'nodes'),
    rule('create update patch', core, 'events'),
    rule(READ, core, 'pods'),
    rule('create delete', core, 'pods'),
    rule('update patch', core, 'pods/status'),
    rule('create', core, 'pods/eviction'),
    rule(READ, core, 'secrets configmaps'),
    rule('get', core, 'persistentvolumeclaims persistentvolumes'),
    rule('get', core, 'endpoints'),
    rule('create get list watch', ['certificates.k8s.io'], 'certificatesigningrequests'),
    rule('get create update patch delete', ['coordination.k8s.io'], 'leases'),
    rule('get', ['storage.k8s.io'], 'volumeattachments'),
    rule('create', core, 'serviceaccounts/token'),
    rule('get update patch', core, 'persistentvolumeclaims/status'),
    rule(READ, ['storage.k8s.io'], 'csidrivers'),
    rule('get create update patch delete', ['storage.k8s.io'], 'csinodes'),
    rule(READ, ['node.k8s.io'], 'runtimeclasses'),
  ];
}

function kubeScheduler() {
  return [
    eventsRule(),
    rule('create', ['coordination.k8s.io'], 'leases'),
    rule('get update', ['coordination.k8s.io'], 'leases', 'kube-scheduler'),
    rule(READ, core, 'nodes'),
    rule('get list watch delete', core, 'pods'),
    rule('create', core, 'pods/binding bindings'),
    rule('patch update', core, 'pods/status'),
    rule(READ, core, 'replicationcontrollers services'),
    rule(READ, ['apps', 'extensions'], 'replicasets'),
    rule(READ, ['apps'], 'statefulsets'),
    rule(READ, ['policy'], 'poddisruptionbudgets'),
    rule(READ, core, 'persistentvolumeclaims persistentvolumes'),
    rule('create', ['authentication.k8s.io'], 'tokenreviews'),
    rule('create', ['authorization.k8s.io'], 'subjectaccessreviews'),
    rule(READ, ['storage.k8s.io'], 'csinodes'),
    rule(READ, core, 'namespaces'),
    rule(READ, ['storage.k8s.io'], 'csidrivers'),
    rule(READ, ['storage.k8s.io'], 'csistoragecapacities'),
  ];
}

function kubeControllerManager() {
  return [
    eventsRule(),
    rule('create', ['coordination.k8s.io'], 'leases'),
    rule('get update', ['coordination.k8s.io'], 'leases', 'kube-controller-manager'),
    // it creates the service accounts and secrets the controllers run as
    rule('create', core, 'secrets serviceaccounts'),
    rule('delete', core, 'secrets'),
    rule('get', core, 'namespaces secrets serviceaccounts configmaps'),
    rule('update', core, 'secrets serviceaccounts'),
    rule('create', ['authentication.k8s.io'], 'tokenreviews'),
    rule('create', ['authorization.k8s.io'], 'subjectaccessreviews'),
    // the shared informers list and watch everything
    rule('list watch', ['*'], '*'),
    rule('create', core, 'serviceaccounts/token'),
  ];
}

function approver(signer: string) {
  return [rule('approve', ['certificates.k8s.io'], 'signers', signer)];
}

export function clusterRoles(): KubeObject[] {
  return [
    // a "root" role which can do absolutely anything
    clusterRole('cluster-admin', [rule('*', ['*'], '*'), urls('*', '*')]),
    // just enough to discover API versions for negotiation
    clusterRole('system:discovery', [
      urls('get', '/livez /readyz /healthz /version /version/ /openapi /openapi/* /api /api/* /apis /apis/*'),
    ]),
    // what any client may learn about the cluster, authenticated or not
    clusterRole('system:public-info-viewer', [urls('get', '/livez /readyz /healthz /version /version/')]),
    clusterRole('system:monitoring', [
      urls('get', '/metrics /metrics/slis /livez /readyz /healthz /livez/* /readyz/* /healthz/*'),
    ]),
    // a "normal" user learning about themselves
    clusterRole('system:basic-user', [
      rule('create', ['authorization.k8s.io'], 'selfsubjectaccessreviews selfsubjectrulesreviews'),
      rule('create', ['authentication.k8s.io'], 'selfsubjectreviews'),
    ]),
    // the user-facing roles are filled by the clusterrole-aggregation controller
    clusterRole('admin', [], { aggregateFrom: { [AGG_ADMIN]: 'true' } }),
    clusterRole('edit', [], { labels: { [AGG_ADMIN]: 'true' }, aggregateFrom: { [AGG_EDIT]: 'true' } }),
    clusterRole('view', [], { labels: { [AGG_EDIT]: 'true' }, aggregateFrom: { [AGG_VIEW]: 'true' } }),
    clusterRole(
      'system:aggregate-to-admin',
      [
        rule('create', ['authorization.k8s.io'], 'localsubjectaccessreviews'),
        rule(READ_WRITE, ['rbac.authorization.k8s.io'], 'roles rolebindings'),
      ],
      { labels: { [AGG_ADMIN]: 'true' } },
    ),
    clusterRole('system:aggregate-to-edit', aggregateToEdit(), { labels: { [AGG_EDIT]: 'true' } }),
    clusterRole('system:aggregate-to-view', aggregateToView(), { labels: { [AGG_VIEW]: 'true' } }),
    clusterRole('system:heapster', [
      rule(READ, core, 'events pods nodes namespaces'),
      rule(READ, ['extensions'], 'deployments'),
    ]),
    clusterRole('system:node', systemNode()),
    clusterRole('system:node-problem-detector', [
      rule('get', core, 'nodes'),
      rule('patch', core, 'nodes/status'),
      eventsRule(),
    ]),
    clusterRole('system:kubelet-api-admin', [
      rule(READ, core, 'nodes'),
      rule('proxy', core, 'nodes'),
      rule('*', core, 'nodes/proxy nodes/metrics nodes/stats nodes/log'),
    ]),
    clusterRole('system:node-bootstrapper', [
      rule('create get list watch', ['certificates.k8s.io'], 'certificatesigningrequests'),
    ]),
    clusterRole('system:auth-delegator', [
      rule('create', ['authentication.k8s.io'], 'tokenreviews'),
      rule('create', ['authorization.k8s.io'], 'subjectaccessreviews'),
    ]),
    clusterRole('system:kube-aggregator', [rule(READ, core, 'services endpoints')]),
    clusterRole('system:kube-controller-manager', kubeControllerManager()),
    clusterRole('system:kube-dns', [rule('list watch', core, 'endpoints services')]),
    clusterRole('system:persistent-volume-provisioner', [
      rule('get list watch create delete', core, 'persistentvolumes'),
      rule('get list watch update', core, 'persistentvolumeclaims'),
      rule(READ, ['storage.k8s.io'], 'storageclasses'),
      rule('watch', core, 'events'),
      eventsRule(),
    ]),
    clusterRole(
      'system:certificates.k8s.io:kubelet-serving-approver',
      approver('kubernetes.io/kubelet-serving'),
    ),
    clusterRole(
      'system:certificates.k8s.io:kube-apiserver-client-approver',
      approver('kubernetes.io/kube-apiserver-client'),
    ),
    clusterRole(
      'system:certificates.k8s.io:kube-apiserver-client-kubelet-approver',
      approver('kubernetes.io/kube-apiserver-client-kubelet'),
    ),
    clusterRole(
      'system:certificates.k8s.io:legacy-unknown-approver',
      approver('kubernetes.io/legacy-unknown'),
    ),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [
      rule('create', ['certificates.k8s.io'], 'certificatesigningrequests/nodeclient'),
    ]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [
      rule('create', ['certificates.k8s.io'], 'certificatesigningrequests/selfnodeclient'),
    ]),
    clusterRole('system:node-proxier', [
      rule('list watch', core, 'services endpoints'),
      rule(READ, core, 'nodes'),
      eventsRule(),
      rule('list watch', ['discovery.k8s.io'], 'endpointslices'),
    ]),
    clusterRole('system:kube-scheduler', kubeScheduler()),
    clusterRole('system:volume-scheduler', [
      rule('get list watch patch update', core, 'persistentvolumes'),
      rule(READ, ['storage.k8s.io'], 'storageclasses'),
      rule('get list watch patch update', core, 'persistentvolumeclaims'),
    ]),
    clusterRole('system:service-account-issuer-discovery', [
      urls('get', '/.well-known/openid-configuration /openid/v1/jwks'),
    ]),
  ];
}

export function clusterRoleBindings(): KubeObject[] {
  return [
    clusterBinding('cluster-admin', [group('system:masters')]),
    clusterBinding('system:monitoring', [group('system:monitoring')]),
    clusterBinding('system:discovery', [group('system:authenticated')]),
    clusterBinding('system:basic-user', [group('system:authenticated')]),
    clusterBinding('system:public-info-viewer', [
      group('system:authenticated'),
      group('system:unauthenticated'),
    ]),
    clusterBinding('system:node-proxier', [user('system:kube-proxy')]),
    clusterBinding('system:kube-controller-manager', [user('system:kube-controller-manager')]),
    clusterBinding('system:kube-dns', [serviceAccount('kube-system', 'kube-dns')]),
    clusterBinding('system:kube-scheduler', [user('system:kube-scheduler')]),
    clusterBinding('system:volume-scheduler', [user('system:kube-scheduler')]),
    // kept without subjects since the Node authorizer took over (1.8), as upstream
    clusterBinding('system:node', []),
    // every workload may read the OIDC discovery documents
    clusterBinding('system:service-account-issuer-discovery', [group('system:serviceaccounts')]),
    // not upstream's policy but its installer's: what kubeadm binds so that agents join with a
    // bootstrap token (TLS bootstrapping: request, auto-approval, certificate rotation)
    clusterBinding('system:node-bootstrapper', [group('system:bootstrappers')], 'k8ts:kubelet-bootstrap'),
    clusterBinding(
      'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
      [group('system:bootstrappers')],
      'k8ts:node-autoapprove-bootstrap',
    ),
    clusterBinding(
      'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
      [group('system:nodes')],
      'k8ts:node-autoapprove-certificate-rotation',
    ),
  ];
}
