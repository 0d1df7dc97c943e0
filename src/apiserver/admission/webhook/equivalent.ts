// matchPolicy Equivalent (upstream's EquivalentResourceMapper): a webhook whose rules do not
// name the request's group/version but name another version of the same stored resource is
// called with the request converted to that version. In k8ts these are the resources served in
// several versions over one storage: autoscaling/v1 and v2 HorizontalPodAutoscalers, core and
// events.k8s.io/v1 Events (one storage, as upstream's cohabitating resources), and the served
// versions of a CustomResourceDefinition (conversion None: only apiVersion changes).
import { isRecord, type KubeObject } from '../../../api/types.js';
import { allStrategies } from '../../registry/index.js';
import type { ResourceStrategy } from '../../registry/strategy.js';
import { listObjects } from '../lookup.js';
import type { AdmissionDeps, AdmissionRequest } from '../types.js';

export interface Equivalent {
  group: string;
  version: string;
  resource: string;
  kind: string;
  /** The request's object in this version. */
  toVersion(obj: KubeObject): KubeObject;
  /** An object of this version back in the request's version. */
  fromVersion(obj: KubeObject): KubeObject;
}

const apiVersionOf = (group: string, version: string) => (group ? `${group}/${version}` : version);

function withType(obj: KubeObject, group: string, version: string, kind: string): KubeObject {
  return { ...obj, apiVersion: apiVersionOf(group, version), kind };
}

const storageOf = (st: ResourceStrategy) =>
  st.storedAs ? `${st.storedAs.group}/${st.storedAs.resource}` : `${st.group}/${st.resource}`;

function builtinEquivalents(req: AdmissionRequest): Equivalent[] {
  const own = allStrategies.find(
    (s) => s.group === req.group && s.version === req.version && s.resource === req.resource,
  );
  if (!own) return [];
  const toStored = (o: KubeObject) => (own.storedAs ? own.storedAs.toStored(structuredClone(o)) : o);
  const fromStored = (o: KubeObject) => (own.storedAs ? own.storedAs.fromStored(structuredClone(o)) : o);
  return allStrategies
    .filter((s) => s !== own && storageOf(s) === storageOf(own))
    .map((s) => ({
      group: s.group,
      version: s.version,
      resource: s.resource,
      kind: s.kind,
      toVersion: (o) => {
        const stored = toStored(o);
        return withType(
          s.storedAs ? s.storedAs.fromStored(structuredClone(stored)) : stored,
          s.group,
          s.version,
          s.kind,
        );
      },
      fromVersion: (o) => {
        const stored = s.storedAs ? s.storedAs.toStored(structuredClone(o)) : o;
        return withType(fromStored(stored), req.group, req.version, req.kind);
      },
    }));
}

async function customEquivalents(deps: AdmissionDeps, req: AdmissionRequest): Promise<Equivalent[]> {
  for (const crd of await listObjects(deps, 'apiextensions.k8s.io', 'customresourcedefinitions')) {
    const spec = isRecord(crd.spec) ? crd.spec : {};
    const names = isRecord(spec.names) ? spec.names : {};
    if (spec.group !== req.group || names.plural !== req.resource) continue;
    const kind = typeof names.kind === 'string' ? names.kind : req.kind;
    const versions = (Array.isArray(spec.versions) ? spec.versions : []).filter(
      (v): v is { name: string } => isRecord(v) && typeof v.name === 'string' && v.served !== false,
    );
    return versions
      .filter((v) => v.name !== req.version)
      .map((v) => ({
        group: req.group,
        version: v.name,
        resource: req.resource,
        kind,
        toVersion: (o) => withType(o, req.group, v.name, kind),
        fromVersion: (o) => withType(o, req.group, req.version, req.kind),
      }));
  }
  return [];
}

/** Per request (its context), what equivalentResources found: every webhook and policy asks. */
const found = new WeakMap<object, Map<string, Promise<Equivalent[]>>>();

/** The other group/versions of the request's resource, in registration order. */
export function equivalentResources(deps: AdmissionDeps, req: AdmissionRequest): Promise<Equivalent[]> {
  const key = `${req.group}/${req.version}/${req.resource}`;
  let perRequest = found.get(req.ctx);
  if (!perRequest) found.set(req.ctx, (perRequest = new Map()));
  let result = perRequest.get(key);
  if (!result) {
    const builtin = builtinEquivalents(req);
    result =
      builtin.length || allStrategies.some((s) => s.group === req.group && s.resource === req.resource)
        ? Promise.resolve(builtin)
        : customEquivalents(deps, req);
    perRequest.set(key, result);
  }
  return result;
}

/** The request as seen in an equivalent version (objects converted). */
export function convertRequest(req: AdmissionRequest, eq: Equivalent): AdmissionRequest {
  return {
    ...req,
    group: eq.group,
    version: eq.version,
    resource: eq.resource,
    kind: eq.kind,
    object: req.object && eq.toVersion(req.object),
    oldObject: req.oldObject && eq.toVersion(req.oldObject),
  };
}
