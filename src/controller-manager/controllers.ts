// Every controller the controller manager runs, by upstream's name. A new controller is one
// folder under src/controllers and one entry here.
import type { ControllerDescriptor } from './context.js';
import { NamespaceController } from '../controllers/namespace/controller.js';
import { createTokensController } from '../controllers/serviceaccount-tokens/controller.js';

export const CONTROLLERS: ControllerDescriptor[] = [
  { name: 'namespace', create: (ctx) => new NamespaceController(ctx.client) },
  { name: 'serviceaccount-token', create: createTokensController },
];
