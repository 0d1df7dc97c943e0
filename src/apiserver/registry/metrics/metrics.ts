// metrics.k8s.io/v1beta1 nodes and pods: read-only and never stored; answered from the
// scraped kubelet figures in metrics-api/handlers.ts. The strategies are here so that
// discovery and OpenAPI list them (and `kubectl top` finds the group).
import type { ResourceStrategy } from '../strategy.js';

export const nodeMetrics: ResourceStrategy = {
  group: 'metrics.k8s.io',
  version: 'v1beta1',
  resource: 'nodes',
  kind: 'NodeMetrics',
  namespaced: false,
  verbs: ['get', 'list'],
  definition: 'io.k8s.metrics.pkg.apis.metrics.v1beta1.NodeMetrics',
};

export const podMetrics: ResourceStrategy = {
  group: 'metrics.k8s.io',
  version: 'v1beta1',
  resource: 'pods',
  kind: 'PodMetrics',
  namespaced: true,
  verbs: ['get', 'list'],
  definition: 'io.k8s.metrics.pkg.apis.metrics.v1beta1.PodMetrics',
};
