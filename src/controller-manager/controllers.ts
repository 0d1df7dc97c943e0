// Every controller the controller manager runs, by upstream's name. A new controller is one
// folder under src/controllers and one entry here.
import type { ControllerDescriptor } from './context.js';
import { NamespaceController } from '../controllers/namespace/controller.js';
import { ClusterRoleAggregationController } from '../controllers/clusterrole-aggregation/controller.js';
import { ServiceLBController } from '../controllers/servicelb/controller.js';
import { AddressPool } from '../controllers/servicelb/pool.js';
import { CSRSigningController } from '../controllers/certificates/signer.js';
import { CSRApprovingController } from '../controllers/certificates/approver.js';

export const CONTROLLERS: ControllerDescriptor[] = [
  { name: 'namespace', create: (ctx) => new NamespaceController(ctx.client) },
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
];
