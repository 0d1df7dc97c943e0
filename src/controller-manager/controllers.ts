// Every controller the controller manager runs, by upstream's name. A new controller is one
// folder under src/controllers and one entry here.
import type { ControllerDescriptor } from './context.js';
import { NamespaceController } from '../controllers/namespace/controller.js';
import { ServiceLBController } from '../controllers/servicelb/controller.js';
import { AddressPool } from '../controllers/servicelb/pool.js';
import { CSRSigningController } from '../controllers/certificates/signer.js';
import { CSRApprovingController } from '../controllers/certificates/approver.js';
import { ReplicaSetController } from '../controllers/replicaset/controller.js';
import { REPLICATION_CONTROLLER } from '../controllers/replicaset/kinds.js';
import { DeploymentController } from '../controllers/deployment/controller.js';
import { JobController } from '../controllers/job/controller.js';
import { CronJobController } from '../controllers/cronjob/controller.js';
import { StatefulSetController } from '../controllers/statefulset/controller.js';
import { DaemonSetController } from '../controllers/daemonset/controller.js';

export const CONTROLLERS: ControllerDescriptor[] = [
  { name: 'namespace', create: (ctx) => new NamespaceController(ctx.client) },
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
  { name: 'replicaset', create: (ctx) => new ReplicaSetController(ctx) },
  { name: 'deployment', create: (ctx) => new DeploymentController(ctx) },
  { name: 'job', create: (ctx) => new JobController(ctx) },
  { name: 'cronjob', create: (ctx) => new CronJobController(ctx) },
  { name: 'statefulset', create: (ctx) => new StatefulSetController(ctx) },
  { name: 'daemonset', create: (ctx) => new DaemonSetController(ctx) },
  { name: 'replicationcontroller', create: (ctx) => new ReplicaSetController(ctx, REPLICATION_CONTROLLER) },
];
