// Running a strategy the way the generic store does (defaults, prepare, validate) without a server.
import type { KubeObject } from '../../../src/api/types.js';
import type { ResourceStrategy, StrategyContext } from '../../../src/apiserver/registry/strategy.js';
import { errorText } from '../../../src/apiserver/registry/validation.js';
import { groupStrategies } from '../../../src/apiserver/registry/groups.js';

export const NOW = new Date('2024-06-01T12:00:00Z');

export const ctx: StrategyContext = {
  now: NOW,
  namespace: 'default',
  dryRun: false,
  allocators: {
    allocateServiceIP: () => '10.43.0.10',
    releaseServiceIP: () => undefined,
    allocateNodePort: () => 30000,
    releaseNodePort: () => undefined,
    serviceCIDRs: ['10.43.0.0/16'],
  },
};

export function strategy(group: string, version: string, resource: string): ResourceStrategy {
  const s = groupStrategies.find(
    (x) => x.group === group && x.version === version && x.resource === resource,
  );
  if (!s) throw new Error(`no strategy for ${group}/${version}/${resource}`);
  return s;
}

/** A deep copy with metadata filled as the store would (namespace, uid, creationTimestamp). */
export function withMeta(s: ResourceStrategy, obj: Record<string, unknown>): KubeObject {
  const o = structuredClone(obj) as unknown as KubeObject;
  o.metadata ??= {};
  if (s.namespaced) o.metadata.namespace ??= 'default';
  o.metadata.uid ??= '6f0c3d1e-0000-4000-8000-000000000001';
  o.metadata.creationTimestamp ??= '2024-06-01T11:00:00Z';
  return o;
}

/** Defaults, prepareForCreate; returns the object as it would be stored. */
export function create(s: ResourceStrategy, obj: Record<string, unknown>): KubeObject {
  const o = withMeta(s, obj);
  s.defaults?.(o);
  s.prepareForCreate?.(o, ctx);
  return o;
}

/** The field errors of a create, as kubectl prints each one. */
export function createErrors(s: ResourceStrategy, obj: Record<string, unknown>): string[] {
  const o = create(s, obj);
  return (s.validate?.(o, ctx) ?? []).map(errorText);
}

/** The field errors of an update of `old` (already stored) to `next`. */
export function updateErrors(s: ResourceStrategy, old: KubeObject, next: KubeObject): string[] {
  const o = structuredClone(next);
  s.defaults?.(o);
  s.prepareForUpdate?.(o, old, ctx);
  return [...(s.validate?.(o, ctx) ?? []), ...(s.validateUpdate?.(o, old, ctx) ?? [])].map(errorText);
}

/** Table cells keyed by column name, wide columns included. */
export function row(s: ResourceStrategy, obj: KubeObject): Record<string, unknown> {
  const t = s.table!;
  const cells = t.cells(obj, NOW);
  return Object.fromEntries(t.columns.map((c, i) => [c.name, cells[i]]));
}

export const columnNames = (s: ResourceStrategy, wide = false): string[] =>
  s.table!.columns.filter((c) => wide || c.priority === 0).map((c) => c.name.toUpperCase());

/** The defaulted pod template upstream shows for one container named `name` running `image`. */
export function defaultedTemplate(
  labels: Record<string, string>,
  name: string,
  image: string,
  restartPolicy = 'Always',
) {
  return {
    metadata: { creationTimestamp: null, labels },
    spec: {
      containers: [
        {
          image,
          imagePullPolicy: 'Always',
          name,
          resources: {},
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      dnsPolicy: 'ClusterFirst',
      restartPolicy,
      schedulerName: 'default-scheduler',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
    },
  };
}
