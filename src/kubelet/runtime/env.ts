// A container's environment as upstream's makeEnvironmentVariables builds it: envFrom
// (configMapRef, secretRef, prefix) first, then env in order with $(VAR) expansion of plain
// values and valueFrom (fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef). The
// ConfigMaps and Secrets are fetched beforehand (fetchEnvObjects); a missing one is the
// CreateContainerConfigError message (`configmap "x" not found`,
// `couldn't find key k in ConfigMap ns/x`).
import type { KubeObject } from '../../api/types.js';
import { fieldRefValue, resourceFieldRefValue, type ResourceFieldRef } from '../volumes/downward.js';
import { objectData } from '../volumes/sources.js';
import type { Pod } from './types.js';

interface KeyRef {
  name?: string;
  key: string;
  optional?: boolean;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath?: string };
    resourceFieldRef?: ResourceFieldRef;
    configMapKeyRef?: KeyRef;
    secretKeyRef?: KeyRef;
  };
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name?: string; optional?: boolean };
  secretRef?: { name?: string; optional?: boolean };
}

export interface EnvContainer {
  name: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
}

/** The ConfigMaps and Secrets a container's env reads (absent: not found). */
export interface EnvObjects {
  configmaps: Map<string, KubeObject>;
  secrets: Map<string, KubeObject>;
}

export type GetObject = (
  resource: 'configmaps' | 'secrets',
  namespace: string,
  name: string,
) => Promise<KubeObject | undefined>;

export async function fetchEnvObjects(pod: Pod, c: EnvContainer, get: GetObject): Promise<EnvObjects> {
  const ns = pod.metadata.namespace ?? 'default';
  const names = { configmaps: new Set<string>(), secrets: new Set<string>() };
  for (const f of c.envFrom ?? []) {
    if (f.configMapRef?.name) names.configmaps.add(f.configMapRef.name);
    if (f.secretRef?.name) names.secrets.add(f.secretRef.name);
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.configMapKeyRef?.name) names.configmaps.add(e.valueFrom.configMapKeyRef.name);
    if (e.valueFrom?.secretKeyRef?.name) names.secrets.add(e.valueFrom.secretKeyRef.name);
  }
  const out: EnvObjects = { configmaps: new Map(), secrets: new Map() };
  for (const r of ['configmaps', 'secrets'] as const)
    for (const n of names[r]) {
      const o = await get(r, ns, n);
      if (o) out[r].set(n, o);
    }
  return out;
}

/** Kubernetes' $(VAR) expansion: $$ escapes, unknown references stay as written. */
export function expand(s: string, vars: Map<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) =>
    m === '$$' ? '$' : (vars.get(name ?? '') ?? m),
  );
}

/** The environment, in upstream's order; throws with the CreateContainerConfigError message. */
export function buildEnv(
  pod: Pod,
  c: EnvContainer,
  objs: EnvObjects,
  status: { podIP?: string; hostIP?: string },
  /** the service variables (KUBERNETES_SERVICE_HOST, ...): first, so env may override and refer to them */
  serviceVars: Map<string, string> = new Map(),
): Map<string, string> {
  const ns = pod.metadata.namespace ?? 'default';
  const vars = new Map<string, string>(serviceVars);
  for (const f of c.envFrom ?? []) {
    const ref = f.configMapRef ?? f.secretRef;
    const kind = f.configMapRef ? 'configmap' : 'secret';
    if (!ref) continue;
    const obj = (kind === 'configmap' ? objs.configmaps : objs.secrets).get(ref.name ?? '');
    if (!obj) {
      if (ref.optional) continue;
      throw new Error(`${kind} "${ref.name ?? ''}" not found`);
    }
    for (const [k, v] of objectData(kind, obj)) {
      const name = (f.prefix ?? '') + k;
      if (name.includes('=')) continue; // upstream skips keys that are not variable names
      vars.set(name, v.toString('utf8'));
    }
  }
  for (const e of c.env ?? []) {
    const from = e.valueFrom;
    if (!from) {
      vars.set(e.name, expand(e.value ?? '', vars));
      continue;
    }
    if (from.fieldRef?.fieldPath) vars.set(e.name, fieldRefValue(pod, from.fieldRef.fieldPath, status));
    else if (from.resourceFieldRef)
      vars.set(e.name, resourceFieldRefValue(pod, from.resourceFieldRef, c.name));
    else {
      const ref = from.configMapKeyRef ?? from.secretKeyRef;
      const isCM = !!from.configMapKeyRef;
      if (!ref) continue;
      const obj = (isCM ? objs.configmaps : objs.secrets).get(ref.name ?? '');
      if (!obj) {
        if (ref.optional) continue;
        throw new Error(`${isCM ? 'configmap' : 'secret'} "${ref.name ?? ''}" not found`);
      }
      const v = objectData(isCM ? 'configmap' : 'secret', obj).get(ref.key);
      if (v === undefined) {
        if (ref.optional) continue;
        throw new Error(
          `couldn't find key ${ref.key} in ${isCM ? 'ConfigMap' : 'Secret'} ${ns}/${ref.name ?? ''}`,
        );
      }
      vars.set(e.name, v.toString('utf8'));
    }
  }
  return vars;
}
