// The service evaluator (pkg/quota/v1/evaluator/core/services.go): services count, and
// LoadBalancer / NodePort services count towards services.loadbalancers and, per port,
// services.nodeports. Charged on create and update (a service's type can change).
import { isRecord, type KubeObject } from '../types.js';
import { fromValue } from '../quantity.js';
import type { ResourceList } from './resources.js';
import { objectCountName, type Evaluator } from './evaluator.js';

const SERVICE_COUNT = objectCountName('', 'services');
const SERVICE_RESOURCES = [SERVICE_COUNT, 'services', 'services.loadbalancers', 'services.nodeports'];

/** What a service's type means for quota (GetQuotaServiceType): NodePort, LoadBalancer or ''. */
export function quotaServiceType(svc: KubeObject): string {
  const type = isRecord(svc.spec) ? svc.spec.type : undefined;
  return type === 'NodePort' || type === 'LoadBalancer' ? type : '';
}

export const serviceEvaluator: Evaluator = {
  group: '',
  resource: 'services',
  handles: (op) => op === 'CREATE' || op === 'UPDATE',
  matchingResources: (input) => input.filter((n) => SERVICE_RESOURCES.includes(n)),
  matchesScope: () => false,
  constraints: () => undefined,
  usage(svc) {
    const spec = isRecord(svc.spec) ? svc.spec : {};
    const ports = Array.isArray(spec.ports) ? spec.ports.length : 0;
    const out: ResourceList = new Map([
      [SERVICE_COUNT, fromValue(1)],
      ['services', fromValue(1)],
      ['services.loadbalancers', fromValue(0)],
      ['services.nodeports', fromValue(0)],
    ]);
    if (spec.type === 'NodePort') out.set('services.nodeports', fromValue(ports));
    if (spec.type === 'LoadBalancer') {
      if (spec.allocateLoadBalancerNodePorts !== false) out.set('services.nodeports', fromValue(ports));
      out.set('services.loadbalancers', fromValue(1));
    }
    return out;
  },
};
