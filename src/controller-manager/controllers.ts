// Every controller the controller manager runs, by upstream's name. A new controller is one
// folder under src/controllers and one entry here.
import { readFileSync } from 'node:fs';
import type { ControllerDescriptor } from './context.js';
import { NamespaceController } from '../controllers/namespace/controller.js';
import { ClusterRoleAggregationController } from '../controllers/clusterrole-aggregation/controller.js';
import { ServiceLBController } from '../controllers/servicelb/controller.js';
import { AddressPool } from '../controllers/servicelb/pool.js';
import { CSRSigningController } from '../controllers/certificates/signer.js';
import { CSRApprovingController } from '../controllers/certificates/approver.js';
import { ServiceAccountsController } from '../controllers/serviceaccount/controller.js';
import { RootCACertPublisher } from '../controllers/rootcacertpublisher/controller.js';
import { GarbageCollector } from '../controllers/garbagecollector/controller.js';
import { NodeIpamController } from '../controllers/nodeipam/controller.js';
import { NodeLifecycleController } from '../controllers/nodelifecycle/controller.js';
import { TaintEvictionController } from '../controllers/nodelifecycle/taint-eviction.js';
import { DisruptionController } from '../controllers/disruption/controller.js';
import { PodGCController } from '../controllers/podgc/controller.js';
import { TTLAfterFinishedController } from '../controllers/ttlafterfinished/controller.js';
import { EndpointsController } from '../controllers/endpoints/controller.js';
import { EndpointSliceController } from '../controllers/endpointslice/controller.js';
import { EndpointSliceMirroringController } from '../controllers/endpointslicemirroring/controller.js';
import { ResourceQuotaController } from '../controllers/resourcequota/controller.js';
import { createTokensController } from '../controllers/serviceaccount-tokens/controller.js';
import { ReplicaSetController } from '../controllers/replicaset/controller.js';
import { REPLICATION_CONTROLLER } from '../controllers/replicaset/kinds.js';
import { DeploymentController } from '../controllers/deployment/controller.js';
import { JobController } from '../controllers/job/controller.js';
import { CronJobController } from '../controllers/cronjob/controller.js';
import { StatefulSetController } from '../controllers/statefulset/controller.js';
import { DaemonSetController } from '../controllers/daemonset/controller.js';
import { LocalPathProvisioner } from '../controllers/localpath/provisioner.js';
import { LocalPathResizer } from '../controllers/localpath/resizer.js';
import { ExpandController } from '../controllers/persistentvolume/expander.js';
import { PersistentVolumeBinderController } from '../controllers/persistentvolume/binder.js';
import {
  PVCProtectionController,
  PVProtectionController,
} from '../controllers/persistentvolume/protection.js';
import { HorizontalPodAutoscalerController } from '../controllers/podautoscaler/controller.js';

/** Flags of single controllers, by upstream's names (values reach them as ctx.flags). */
export const CONTROLLER_FLAGS = [
  'node-monitor-grace-period',
  'node-startup-grace-period',
  'node-cidr-mask-size',
  'terminated-pod-gc-threshold',
  'root-ca-file',
  'service-account-private-key-file',
  'horizontal-pod-autoscaler-sync-period',
  'horizontal-pod-autoscaler-downscale-stabilization',
  'horizontal-pod-autoscaler-tolerance',
  'horizontal-pod-autoscaler-cpu-initialization-period',
  'horizontal-pod-autoscaler-initial-readiness-delay',
  'concurrent-horizontal-pod-autoscaler-syncs',
  'pv-recycler-minimum-timeout-hostpath',
  'pv-recycler-timeout-increment-hostpath',
  'pv-recycler-minimum-timeout-nfs',
  'pv-recycler-increment-timeout-nfs',
];

export const CONTROLLERS: ControllerDescriptor[] = [
  {
    name: 'namespace',
    create: (ctx) => new NamespaceController(ctx.client, ctx.informers.informer('/api/v1/namespaces')),
  },
  { name: 'resourcequota', create: (ctx) => new ResourceQuotaController(ctx.client, ctx.informers) },
  {
    name: 'clusterrole-aggregation',
    create: (ctx) => new ClusterRoleAggregationController(ctx.client, ctx.informers),
  },
  {
    name: 'service-lb',
    create: (ctx) =>
      new ServiceLBController(
        ctx.client,
        ctx.informers.informer('/api/v1/services'),
        ctx.informers.informer('/api/v1/nodes'),
        ctx.recorder('service-lb-controller'),
        ctx.serviceLBPool ? new AddressPool(ctx.serviceLBPool) : undefined,
      ),
  },
  { name: 'csrsigning', create: (ctx) => CSRSigningController.create(ctx) },
  { name: 'csrapproving', create: (ctx) => CSRApprovingController.create(ctx) },
  { name: 'serviceaccount', create: (ctx) => new ServiceAccountsController(ctx) },
  { name: 'serviceaccount-token', create: createTokensController },
  // the cluster CA: --root-ca-file, else the one the controller manager's kubeconfig trusts
  {
    name: 'root-ca-cert-publisher',
    create: (ctx) =>
      new RootCACertPublisher(
        ctx,
        ctx.flags['root-ca-file'] ? readFileSync(ctx.flags['root-ca-file'], 'utf8') : ctx.client.config.ca,
      ),
  },
  { name: 'garbagecollector', create: (ctx) => new GarbageCollector(ctx) },
  { name: 'endpoint', create: (ctx) => new EndpointsController(ctx) },
  { name: 'endpointslice', create: (ctx) => new EndpointSliceController(ctx) },
  { name: 'endpointslicemirroring', create: (ctx) => new EndpointSliceMirroringController(ctx) },
  { name: 'nodeipam', create: (ctx) => new NodeIpamController(ctx) },
  { name: 'nodelifecycle', create: (ctx) => new NodeLifecycleController(ctx) },
  { name: 'taint-eviction-controller', create: (ctx) => new TaintEvictionController(ctx) },
  { name: 'disruption', create: (ctx) => new DisruptionController(ctx) },
  { name: 'podgc', create: (ctx) => new PodGCController(ctx) },
  { name: 'ttl-after-finished', create: (ctx) => new TTLAfterFinishedController(ctx) },
  { name: 'replicaset', create: (ctx) => new ReplicaSetController(ctx) },
  { name: 'deployment', create: (ctx) => new DeploymentController(ctx) },
  { name: 'job', create: (ctx) => new JobController(ctx) },
  { name: 'cronjob', create: (ctx) => new CronJobController(ctx) },
  { name: 'statefulset', create: (ctx) => new StatefulSetController(ctx) },
  { name: 'daemonset', create: (ctx) => new DaemonSetController(ctx) },
  { name: 'replicationcontroller', create: (ctx) => new ReplicaSetController(ctx, REPLICATION_CONTROLLER) },
  { name: 'persistentvolume-binder', create: (ctx) => new PersistentVolumeBinderController(ctx) },
  { name: 'pvc-protection', create: (ctx) => new PVCProtectionController(ctx) },
  { name: 'pv-protection', create: (ctx) => new PVProtectionController(ctx) },
  { name: 'persistentvolume-expander', create: (ctx) => new ExpandController(ctx) },
  { name: 'horizontalpodautoscaling', create: (ctx) => new HorizontalPodAutoscalerController(ctx) },
  // k3s's local-path-provisioner, run in process (not an upstream kube-controller-manager controller)
  { name: 'local-path-provisioner', create: (ctx) => new LocalPathProvisioner(ctx) },
  // an external-resizer for local-path volumes (k3s ships none)
  { name: 'local-path-resizer', create: (ctx) => new LocalPathResizer(ctx) },
];
