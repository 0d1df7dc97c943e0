// Every controller the controller manager runs, by upstream's name. A new controller is one
// folder under src/controllers and one entry here.
import type { ControllerDescriptor } from './context.js';
import { NamespaceController } from '../controllers/namespace/controller.js';
import { ServiceAccountsController } from '../controllers/serviceaccount/controller.js';
import { RootCACertPublisher } from '../controllers/rootcacertpublisher/controller.js';
import { GarbageCollector } from '../controllers/garbagecollector/controller.js';
import { EndpointsController } from '../controllers/endpoints/controller.js';
import { EndpointSliceController } from '../controllers/endpointslice/controller.js';
import { EndpointSliceMirroringController } from '../controllers/endpointslicemirroring/controller.js';

export const CONTROLLERS: ControllerDescriptor[] = [
  { name: 'namespace', create: (ctx) => new NamespaceController(ctx.client) },
  { name: 'serviceaccount', create: (ctx) => new ServiceAccountsController(ctx) },
  // the cluster CA is the one the controller manager's kubeconfig trusts
  { name: 'root-ca-cert-publisher', create: (ctx) => new RootCACertPublisher(ctx, ctx.client.config.ca) },
  { name: 'garbagecollector', create: (ctx) => new GarbageCollector(ctx) },
  { name: 'endpoint', create: (ctx) => new EndpointsController(ctx) },
  { name: 'endpointslice', create: (ctx) => new EndpointSliceController(ctx) },
  { name: 'endpointslicemirroring', create: (ctx) => new EndpointSliceMirroringController(ctx) },
];
