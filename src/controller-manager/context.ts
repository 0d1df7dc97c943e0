// What every controller gets from the controller manager: the API client, the shared
// informers of the process, an event recorder per controller, and the cluster's settings.
import type { RestClient } from '../client/rest.js';
import type { SharedInformers } from '../client/shared-informers.js';
import type { EventRecorder } from '../client/events.js';

export interface ControllerContext {
  client: RestClient;
  informers: SharedInformers;
  /** An event recorder reporting as `component` (e.g. 'deployment-controller'). */
  recorder(component: string): EventRecorder;
  clusterCIDR: string;
  serviceCIDR: string;
  /** --service-lb-pool: addresses for LoadBalancer services (else the nodes' InternalIPs). */
  serviceLBPool?: string;
  /** --cluster-signing-cert-file/--cluster-signing-key-file (the csrsigning controller's CA). */
  clusterSigning?: { certFile: string; keyFile: string; durationMs?: number };
  /** Controller-specific flags as given (e.g. 'node-monitor-grace-period': '40s'); unset ones are absent. */
  flags: Record<string, string | undefined>;
}

/** A running controller: informers hooked up in the factory, workers started by start(). */
export interface Controller {
  /** Called after the shared informers have synced. */
  start(): Promise<void> | void;
  stop(): void;
}

export interface ControllerDescriptor {
  /** Upstream's controller name, e.g. 'deployment' (the --controllers flag uses them). */
  name: string;
  /** Hooks its informers up (before they start). */
  create(ctx: ControllerContext): Controller;
}
