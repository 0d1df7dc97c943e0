// Parameter resources of a ValidatingAdmissionPolicy (upstream's policy/generic CollectParams):
// the policy's paramKind names a kind (a built-in one or a CRD's), the binding's paramRef picks
// the objects of that kind by name or label selector, in the request's namespace unless it names
// one. Each object found is one evaluation of the policy with it as `params`; none found is
// either allowed or denied per parameterNotFoundAction. Errors carry upstream's texts; the
// plugin prefixes them with "failed to configure policy/binding: ".
import { labelSelectorFromObject, type LabelSelectorObject } from '../../../api/selectors/index.js';
import { isRecord, type KubeObject } from '../../../api/types.js';
import { allStrategies } from '../../registry/index.js';
import { getObject, listObjects } from '../lookup.js';
import type { AdmissionDeps } from '../types.js';

export interface ParamKind {
  apiVersion?: string;
  kind?: string;
}

export interface ParamRef {
  name?: string;
  namespace?: string;
  selector?: LabelSelectorObject;
  parameterNotFoundAction?: 'Allow' | 'Deny';
}

/** Where the objects of a paramKind live. */
export interface ParamSource {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
}

export class ParamError extends Error {}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The resource a paramKind names: a served built-in kind, else a CRD's served version. */
export async function resolveParamKind(deps: AdmissionDeps, pk: ParamKind): Promise<ParamSource> {
  const { group, version } = splitApiVersion(pk.apiVersion ?? '');
  const kind = pk.kind ?? '';
  const builtin = allStrategies.find((s) => s.group === group && s.version === version && s.kind === kind);
  if (builtin && deps.store(group, builtin.resource))
    return { group, version, kind, resource: builtin.resource, namespaced: builtin.namespaced };
  for (const crd of await listObjects(deps, 'apiextensions.k8s.io', 'customresourcedefinitions')) {
    const spec = isRecord(crd.spec) ? crd.spec : {};
    const names = isRecord(spec.names) ? spec.names : {};
    if (spec.group !== group || names.kind !== kind) continue;
    const versions = Array.isArray(spec.versions) ? spec.versions : [];
    const served = versions.some((v) => isRecord(v) && v.name === version && v.served !== false);
    const resource = typeof names.plural === 'string' ? names.plural : '';
    if (served && deps.store(group, resource))
      return { group, version, kind, resource, namespaced: spec.scope !== 'Cluster' };
  }
  // Go's GroupVersionKind.String(): "<group>/<version>, Kind=<kind>"
  throw new ParamError(
    `failed to find resource referenced by paramKind: '${group}/${version}, Kind=${kind}'`,
  );
}

/** A param object as CEL sees it: with the paramKind's apiVersion and kind (stored objects may be older versions). */
function asParam(obj: KubeObject, src: ParamSource): KubeObject {
  return { ...obj, apiVersion: src.group ? `${src.group}/${src.version}` : src.version, kind: src.kind };
}

/**
 * The params for one binding: [null] when the policy or binding uses none, the matching
 * objects otherwise ([] when none match and parameterNotFoundAction is Allow).
 */
export async function collectParams(
  deps: AdmissionDeps,
  src: ParamSource | undefined,
  ref: ParamRef | undefined,
  requestNamespace: string,
): Promise<(KubeObject | null)[]> {
  if (!src || !ref) return [null];
  let namespace = '';
  if (src.namespaced) {
    namespace = ref.namespace || requestNamespace;
    if (!namespace)
      throw new ParamError(
        'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources',
      );
  } else if (ref.namespace) {
    throw new ParamError('paramRef.namespace must not be provided for a cluster-scoped `paramKind`');
  }
  let params: KubeObject[];
  if (ref.name) {
    const obj = await getObject(deps, src.group, src.resource, namespace, ref.name);
    params = obj ? [obj] : [];
  } else if (ref.selector) {
    const selector = labelSelectorFromObject(ref.selector);
    const all = await listObjects(deps, src.group, src.resource, namespace);
    params = all.filter((o) => selector.matches((o.metadata.labels ?? {}) as Record<string, string>));
  } else {
    throw new ParamError('one of name or selector must be provided');
  }
  if (!params.length && ref.parameterNotFoundAction === 'Deny')
    throw new ParamError('no params found for policy binding with `Deny` parameterNotFoundAction');
  return params.map((p) => asParam(p, src));
}
