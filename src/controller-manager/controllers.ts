// Every controller the controller manager runs, by upstream's name. A new controller is one
// folder under src/controllers and one entry here.
import type { ControllerDescriptor } from './context.js';
import { NamespaceController } from '../controllers/namespace/controller.js';
import { ClusterRoleAggregationController } from '../controllers/clusterrole-aggregation/controller.js';

export const CONTROLLERS: ControllerDescriptor[] = [
  { name: 'namespace', create: (ctx) => new NamespaceController(ctx.client) },
  {
    name: 'clusterrole-aggregation',
    create: (ctx) => new ClusterRoleAggregationController(ctx.client, ctx.informers),
  },
];
