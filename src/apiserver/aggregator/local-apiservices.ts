// The Local APIServices: one per group version the API server serves itself, kept in step with
// what is served (kube-apiserver's autoregister controller, label automanaged=onstart). They are
// always Available with reason Local, and `kubectl get apiservices` lists them as upstream does.
import { StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { RequestContext } from '../endpoints/context.js';
import type { ResourceStore } from '../endpoints/store.js';
import type { ResourceStrategy } from '../registry/strategy.js';

export const AUTOMANAGED_LABEL = 'kube-aggregator.kubernetes.io/automanaged';

/** kube-apiserver's apiVersionPriorities (group priority minimum, version priority). */
const PRIORITIES: Record<string, [number, number]> = {
  'v1.': [18000, 1],
  'v1.apiregistration.k8s.io': [18000, 15],
  'v1.apps': [17800, 15],
  'v1.events.k8s.io': [17750, 15],
  'v1.authentication.k8s.io': [17700, 15],
  'v1.authorization.k8s.io': [17600, 15],
  'v2.autoscaling': [17500, 30],
  'v1.autoscaling': [17500, 15],
  'v1.batch': [17400, 15],
  'v1.certificates.k8s.io': [17300, 15],
  'v1.networking.k8s.io': [17200, 15],
  'v1.policy': [17100, 15],
  'v1.rbac.authorization.k8s.io': [17000, 15],
  'v1.storage.k8s.io': [16800, 15],
  'v1.admissionregistration.k8s.io': [16700, 15],
  'v1.apiextensions.k8s.io': [16700, 15],
  'v1.scheduling.k8s.io': [16600, 15],
  'v1.coordination.k8s.io': [16500, 15],
  'v1.node.k8s.io': [16300, 15],
  'v1.discovery.k8s.io': [16200, 15],
  'v1.flowcontrol.apiserver.k8s.io': [16100, 21],
};

export function localAPIService(group: string, version: string, now: string): KubeObject {
  const name = `${version}.${group}`;
  const [groupPriorityMinimum, versionPriority] = PRIORITIES[name] ?? [1000, 15];
  const spec: Record<string, unknown> = { version, groupPriorityMinimum, versionPriority };
  if (group) spec.group = group;
  return {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name, labels: { [AUTOMANAGED_LABEL]: 'onstart' } },
    spec,
    status: {
      conditions: [
        {
          type: 'Available',
          status: 'True',
          lastTransitionTime: now,
          reason: 'Local',
          message: 'Local APIServices are always available',
        },
      ],
    },
  };
}

/**
 * Creates the Local APIServices of the served group versions and deletes automanaged ones whose
 * group version is no longer served (e.g. disabled with --runtime-config).
 */
export async function syncLocalAPIServices(
  store: ResourceStore,
  served: ResourceStrategy[],
  ctx: RequestContext,
): Promise<void> {
  const wanted = new Map<string, { group: string; version: string }>();
  for (const st of served) wanted.set(`${st.version}.${st.group}`, { group: st.group, version: st.version });
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (const [name, gv] of wanted) {
    const existing = store.cache.get(store.key(undefined, name))?.obj;
    if (existing) continue;
    const obj = localAPIService(gv.group, gv.version, now);
    const status = obj.status;
    try {
      await store.create(obj, ctx);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
    }
    // create drops status (it is a subresource); Local ones are Available from the start
    await store.update(undefined, name, ctx, (cur) => ({ ...cur, status }), { subresource: 'status' });
  }
  const listed = await store.cache.list({ resourceVersion: '0' });
  for (const item of listed.items) {
    const o = item.obj;
    if (o.metadata.labels?.[AUTOMANAGED_LABEL] !== 'onstart' || (o.spec as { service?: unknown })?.service)
      continue;
    if (!wanted.has(o.metadata.name ?? ''))
      await store.delete(undefined, o.metadata.name ?? '', ctx, {}).catch(() => {});
  }
}
