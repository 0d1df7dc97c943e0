// The API server's parts beyond the generic store, gathered in one place so that server.ts
// composes them without knowing each: admission plugins, and handlers for non-stored
// resources and special subresources. A component adds its registration function here.
import type { KubeObject } from '../api/types.js';
import type { ServerPKI } from '../pki/bundle.js';
import type { Authorizer, RequestAuthenticator } from './auth/types.js';
import type { Authentication } from './auth/index.js';
import type { RequestContext } from './endpoints/context.js';
import type { CustomHandlers } from './endpoints/custom.js';
import type { ResourceStore } from './endpoints/store.js';
import { registerAuthorizationReviews } from './registry/authorization/handlers.js';
import { registerAuthenticationAPI } from './auth/authn/register.js';
import { registerProxyHandlers } from './proxy/proxy.js';
import { registerCSRApproval } from './registry/certificates/approval.js';
import { registerEphemeralContainers } from './registry/core/pod-ephemeral-handler.js';
import { registerEviction } from './eviction.js';
import { registerBinding } from './endpoints/binding.js';
import { registerMetricsAPI } from './metrics-api/handlers.js';
import { fetchResourceMetrics, MetricsScraper } from './metrics-api/scraper.js';
import { MetricsStore } from './metrics-api/store.js';
import { registerPodStreams } from './pod-streams/register.js';

export interface ApiServerParts {
  dataDir: string;
  pki: ServerPKI;
  serviceCIDR: string;
  clusterCIDR: string;
  /** The preferred store of a resource by group and plural name. */
  lookup(group: string, resource: string): ResourceStore | undefined;
  /** A request context for writes the API server makes on its own behalf. */
  systemContext(namespace?: string): RequestContext;
  authenticator: RequestAuthenticator;
  authorizer: Authorizer;
  /** The authenticator's parts the authentication API needs (token issuing, TokenReview). */
  authentication: Authentication;
  /** Registers what to stop (timers, watchers) when the API server shuts down. */
  onStop(dispose: () => void): void;
  metricResolutionMs?: number;
  /** --kubelet-certificate-authority's PEM: kubelets' serving certificates are verified with it. */
  kubeletCA?: string;
}

/** Reads one object from its store's watch cache (the current state, no storage read). */
export function cachedObject(
  store: ResourceStore | undefined,
  namespace: string | undefined,
  name: string,
): KubeObject | undefined {
  if (!store) return undefined;
  return store.cache.get(store.key(namespace, name))?.obj;
}

type Registration = (custom: CustomHandlers, parts: ApiServerParts) => void;

/** Each component's registration of its handlers. */
const registrations: Registration[] = [
  registerProxyHandlers,
  (custom) => registerCSRApproval(custom),
  (custom) => registerEphemeralContainers(custom),
  registerAuthorizationReviews,
  registerEviction,
  registerAuthenticationAPI,
  registerBinding,
  (custom, parts) => {
    const metrics = new MetricsStore();
    registerMetricsAPI(custom, metrics, parts.lookup);
    // kubelets serve with their own CA's certificate (as upstream's without --tls-cert-file):
    // checked only against --kubelet-certificate-authority, as the other kubelet connections
    const tls = {
      cert: parts.pki.kubeletClient.certPem,
      key: parts.pki.kubeletClient.keyPem,
      ...(parts.kubeletCA !== undefined ? { ca: parts.kubeletCA } : {}),
    };
    const scraper = new MetricsScraper(
      metrics,
      () => parts.lookup('', 'nodes'),
      (host, port) => fetchResourceMetrics(tls, host, port),
      parts.metricResolutionMs,
    );
    scraper.start();
    parts.onStop(() => scraper.stop());
  },
  registerPodStreams,
];

export function registerCustomHandlers(custom: CustomHandlers, parts: ApiServerParts): void {
  for (const r of registrations) r(custom, parts);
}
