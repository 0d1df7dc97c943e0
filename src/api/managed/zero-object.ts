// The "empty object" a create is compared against. Upstream compares a new object with the Go
// zero value of its kind, in which struct fields that are not pointers already exist as `{}`;
// so on create `f:spec` is not itself "added" (no `.` marker) while a pointer struct such as
// `f:rollingUpdate` is. OpenAPI does not say which fields are pointers, hence this table of
// the non-pointer struct fields of common types (from the upstream Go types), and of the few
// collections without `omitempty`, which the zero value spells as null.
import type { Definitions, PropSchema } from '../schema/dsl.js';
import { isRecord, type KubeObject } from '../types.js';
import { resolveSchema } from './schema-types.js';

const APPS = 'io.k8s.api.apps.v1';
const CORE = 'io.k8s.api.core.v1';
const BATCH = 'io.k8s.api.batch.v1';

/** Non-pointer struct fields by definition; every top-level kind's metadata/spec/status also count. */
const VALUE_STRUCT_FIELDS: Record<string, string[]> = {
  [`${CORE}.PodTemplateSpec`]: ['metadata', 'spec'],
  [`${APPS}.DeploymentSpec`]: ['template', 'strategy'],
  [`${APPS}.StatefulSetSpec`]: ['template', 'updateStrategy'],
  [`${APPS}.DaemonSetSpec`]: ['template', 'updateStrategy'],
  [`${APPS}.ReplicaSetSpec`]: ['template'],
  [`${BATCH}.JobSpec`]: ['template'],
  [`${BATCH}.CronJobSpec`]: ['jobTemplate'],
  [`${BATCH}.JobTemplateSpec`]: ['metadata', 'spec'],
  [`${CORE}.Container`]: ['resources'],
  [`${CORE}.ServiceStatus`]: ['loadBalancer'],
  [`${CORE}.NodeStatus`]: ['daemonEndpoints', 'nodeInfo'],
  [`${CORE}.NodeDaemonEndpoints`]: ['kubeletEndpoint'],
  [`${CORE}.PersistentVolumeClaimSpec`]: ['resources'],
  ['io.k8s.api.networking.v1.IngressStatus']: ['loadBalancer'],
};

/** Fields without omitempty whose zero value is encoded as null. */
const NULL_FIELDS: Record<string, string[]> = {
  [`${CORE}.PodSpec`]: ['containers'],
  ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']: ['creationTimestamp'],
};

const TOP_LEVEL_STRUCTS = ['metadata', 'spec', 'status'];

/** The kind's zero value: what a create is compared against. */
export function zeroObject(definitionName: string, defs: Definitions): KubeObject {
  const obj = withZeroValues({}, definitionName, defs) as Record<string, unknown>;
  return { ...obj, metadata: isRecord(obj.metadata) ? obj.metadata : {} };
}

/**
 * `value` with the fields a Go round trip would add: missing value structs as `{}`, missing
 * non-omitempty collections as null. Both sides of an Update comparison get them, so that a
 * status or spec block absent from the stored JSON does not look newly added.
 */
export function withZeroValues(value: unknown, definitionName: string, defs: Definitions): unknown {
  return fill(value, definitionName, defs, TOP_LEVEL_STRUCTS, 0);
}

function fill(v: unknown, name: string, defs: Definitions, extra: string[], depth: number): unknown {
  const def = defs[name];
  if (!isRecord(v) || !def?.properties || depth > 16) return v;
  const props = def.properties;
  const out: Record<string, unknown> = { ...v };
  for (const field of [...extra, ...(VALUE_STRUCT_FIELDS[name] ?? [])]) {
    const prop: PropSchema | undefined = props[field];
    if (out[field] === undefined && prop?.$ref && resolveSchema(prop, defs)?.properties) out[field] = {};
  }
  for (const field of NULL_FIELDS[name] ?? [])
    if (props[field] && out[field] === undefined) out[field] = null;
  for (const [k, x] of Object.entries(out)) {
    const prop = props[k];
    const ref = prop?.$ref ?? prop?.items?.$ref;
    if (!ref) continue;
    out[k] = Array.isArray(x)
      ? x.map((item) => fill(item, ref, defs, [], depth + 1))
      : fill(x, ref, defs, [], depth + 1);
  }
  return out;
}
