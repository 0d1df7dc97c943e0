// Planning EndpointSlice writes (upstream's endpointslice reconciler, simplified in how it packs):
// group the desired endpoints by address type and port set, keep each endpoint in the slice
// that already holds it, fill free room (100 endpoints a slice) before making new slices,
// delete slices left empty, and keep one empty placeholder slice for a service with no
// endpoints. Pure: the controller carries the plan out.
import type { KubeObject } from '../../api/types.js';

export const MAX_ENDPOINTS_PER_SLICE = 100;
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  targetRef?: { kind: string; namespace: string; name: string; uid: string };
  nodeName?: string;
  zone?: string;
}

export interface SlicePort {
  name?: string;
  port?: number;
  protocol?: string;
  appProtocol?: string;
}

export interface Slice extends KubeObject {
  addressType: string;
  endpoints?: SliceEndpoint[] | null;
  ports?: SlicePort[] | null;
}

/** The endpoints wanted for one address type and port set. */
export interface DesiredGroup {
  addressType: string;
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

/** What every slice of the service carries besides its endpoints. */
export interface SliceMeta {
  namespace: string;
  generateName: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences: unknown[];
  /** address type of the placeholder slice of a service without endpoints (none if unset) */
  placeholderType?: string;
}

export interface Plan {
  create: Slice[];
  update: Slice[];
  delete: Slice[];
}

export function portsKey(ports: SlicePort[] | null | undefined): string {
  return (ports ?? [])
    .map((p) => `${p.name ?? ''}/${p.port ?? ''}/${p.protocol ?? 'TCP'}/${p.appProtocol ?? ''}`)
    .sort()
    .join(',');
}

export function endpointKey(ep: SliceEndpoint): string {
  return ep.targetRef?.uid ?? ep.addresses.join(',');
}

/** Canonical JSON for comparing what we want with what the server returned (defaults included). */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val && typeof val === 'object' && !Array.isArray(val)) {
      const o = val as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(o)
          .sort()
          .filter((k) => o[k] !== undefined && o[k] !== null && k !== 'resourceVersion')
          .map((k) => [k, o[k]]),
      );
    }
    return val;
  });
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  return canonical(a ?? {}) === canonical(b ?? {});
}

function metaDiffers(slice: Slice, meta: SliceMeta): boolean {
  const ann = { ...(slice.metadata.annotations ?? {}) };
  return (
    !sameMap(slice.metadata.labels, meta.labels) ||
    !sameMap(ann, meta.annotations) ||
    canonical(slice.metadata.ownerReferences ?? []) !== canonical(meta.ownerReferences)
  );
}

function withMeta(
  slice: Slice,
  meta: SliceMeta,
  endpoints: SliceEndpoint[],
  ports: SlicePort[] | null,
): Slice {
  return {
    ...slice,
    metadata: {
      ...slice.metadata,
      labels: meta.labels,
      annotations: meta.annotations,
      ownerReferences: meta.ownerReferences as KubeObject['metadata']['ownerReferences'],
    },
    endpoints,
    ports,
  };
}

function newSlice(
  meta: SliceMeta,
  addressType: string,
  ports: SlicePort[] | null,
  endpoints: SliceEndpoint[],
): Slice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: meta.generateName,
      namespace: meta.namespace,
      labels: meta.labels,
      annotations: meta.annotations,
      ownerReferences: meta.ownerReferences as KubeObject['metadata']['ownerReferences'],
    },
    addressType,
    // an empty slice reads `endpoints: null`, as upstream's (protobuf drops empty lists)
    endpoints: endpoints.length ? endpoints : null,
    ports,
  };
}

export function planSlices(desired: DesiredGroup[], existing: Slice[], meta: SliceMeta): Plan {
  const plan: Plan = { create: [], update: [], delete: [] };
  const total = desired.reduce((n, g) => n + g.endpoints.length, 0);
  const used = new Set<Slice>();

  if (total === 0 && !meta.placeholderType) {
    plan.delete.push(...existing);
    return plan;
  }
  if (total === 0 && meta.placeholderType) {
    // a service without endpoints keeps one empty slice (upstream's placeholder)
    const keep = existing.find((s) => s.addressType === meta.placeholderType && !(s.endpoints ?? []).length);
    for (const s of existing) if (s !== keep) plan.delete.push(s);
    if (!keep) plan.create.push(newSlice(meta, meta.placeholderType, null, []));
    else if (metaDiffers(keep, meta)) plan.update.push(withMeta(keep, meta, [], keep.ports ?? null));
    return plan;
  }

  for (const g of desired) {
    const key = portsKey(g.ports);
    const mine = existing.filter(
      (s) => s.addressType === g.addressType && portsKey(s.ports) === key && !used.has(s),
    );
    const wanted = new Map(g.endpoints.map((e) => [endpointKey(e), e]));
    const placed = new Set<string>();
    const next = new Map<Slice, { endpoints: SliceEndpoint[]; changed: boolean }>();
    for (const s of mine) {
      used.add(s);
      const eps: SliceEndpoint[] = [];
      let changed = false;
      for (const e of s.endpoints ?? []) {
        const k = endpointKey(e);
        const want = wanted.get(k);
        if (!want || placed.has(k)) {
          changed = true;
          continue;
        }
        placed.add(k);
        if (canonical(want) !== canonical(e)) changed = true;
        eps.push(want);
      }
      next.set(s, { endpoints: eps, changed });
    }
    const unplaced = g.endpoints.filter((e) => !placed.has(endpointKey(e)));
    // fill slices we are writing anyway first, then the others with room
    const byPreference = [...next.entries()].sort((a, b) => Number(b[1].changed) - Number(a[1].changed));
    for (const [, n] of byPreference) {
      while (unplaced.length && n.endpoints.length < MAX_ENDPOINTS_PER_SLICE) {
        n.endpoints.push(unplaced.shift()!);
        n.changed = true;
      }
    }
    for (const [s, n] of next) {
      if (!n.endpoints.length) plan.delete.push(s);
      else if (n.changed || metaDiffers(s, meta) || canonical(s.ports ?? []) !== canonical(g.ports))
        plan.update.push(withMeta(s, meta, n.endpoints, g.ports));
    }
    for (let i = 0; i < unplaced.length; i += MAX_ENDPOINTS_PER_SLICE) {
      plan.create.push(
        newSlice(meta, g.addressType, g.ports, unplaced.slice(i, i + MAX_ENDPOINTS_PER_SLICE)),
      );
    }
  }
  for (const s of existing) if (!used.has(s)) plan.delete.push(s);
  return plan;
}
