// Our own type definitions, in OpenAPI v2 shape with Kubernetes' extensions. One set of
// definitions drives: OpenAPI v2/v3 documents (kubectl explain, apply, diff), strict field
// validation (unknown fields), strategic-merge-patch merge keys, and managedFields.
// Definition names follow upstream's (e.g. 'io.k8s.api.core.v1.Pod') because clients
// look types up by them; descriptions are ours.

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** A property or item schema. Exactly one of $ref / type is set. */
export interface PropSchema {
  description?: string;
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';
  format?: string;
  /** Name of another definition, e.g. 'io.k8s.api.core.v1.Container'. */
  $ref?: string;
  items?: PropSchema;
  additionalProperties?: PropSchema;
  enum?: string[];
  default?: unknown;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-preserve-unknown-fields'?: true;
  'x-kubernetes-embedded-resource'?: true;
  properties?: Record<string, PropSchema>;
  required?: string[];
}

/** A named type. Objects list their properties; a few (Quantity, Time, IntOrString) are scalars. */
export interface Definition extends PropSchema {
  /** Set on top-level kinds: which group/version/kind this definition is served as. */
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
}

export type Definitions = Record<string, Definition>;

// ---- builders: keep definition files short and readable ----

type Ext = Omit<PropSchema, 'type' | 'items' | '$ref' | 'description'>;

export const str = (description: string, ext: Ext = {}): PropSchema => ({
  description,
  type: 'string',
  ...ext,
});
export const int32 = (description: string, ext: Ext = {}): PropSchema => ({
  description,
  type: 'integer',
  format: 'int32',
  ...ext,
});
export const int64 = (description: string, ext: Ext = {}): PropSchema => ({
  description,
  type: 'integer',
  format: 'int64',
  ...ext,
});
export const num = (description: string, ext: Ext = {}): PropSchema => ({
  description,
  type: 'number',
  format: 'double',
  ...ext,
});
export const bool = (description: string, ext: Ext = {}): PropSchema => ({
  description,
  type: 'boolean',
  ...ext,
});
export const ref = (name: string, description: string, ext: Ext = {}): PropSchema => ({
  description,
  $ref: name,
  ...ext,
});
export const arr = (items: PropSchema, description: string, ext: Ext = {}): PropSchema => ({
  description,
  type: 'array',
  items,
  ...ext,
});
/** map[string]T */
export const map = (values: PropSchema, description: string, ext: Ext = {}): PropSchema => ({
  description,
  type: 'object',
  additionalProperties: values,
  ...ext,
});
/** An item schema without description (for arr/map values). */
export const t = {
  str: { type: 'string' } as PropSchema,
  int32: { type: 'integer', format: 'int32' } as PropSchema,
  int64: { type: 'integer', format: 'int64' } as PropSchema,
  bool: { type: 'boolean' } as PropSchema,
  ref: (name: string): PropSchema => ({ $ref: name }),
};

/** A list merged by key on strategic merge patch and server-side apply (e.g. containers by name). */
export function mergeList(
  items: PropSchema,
  description: string,
  keys: string[],
  patchKey = keys[0],
): PropSchema {
  return arr(items, description, {
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': keys,
    'x-kubernetes-patch-strategy': 'merge',
    'x-kubernetes-patch-merge-key': patchKey,
  });
}

export function obj(
  description: string,
  properties: Record<string, PropSchema>,
  opts: { required?: string[]; gvk?: GroupVersionKind[] } = {},
): Definition {
  const d: Definition = { description, type: 'object', properties };
  if (opts.required?.length) d.required = opts.required;
  if (opts.gvk) d['x-kubernetes-group-version-kind'] = opts.gvk;
  return d;
}

/** Common upstream definition names. */
export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const OBJECT_META = `${META}.ObjectMeta`;
export const LIST_META = `${META}.ListMeta`;
export const LABEL_SELECTOR = `${META}.LabelSelector`;
export const TIME = `${META}.Time`;
export const MICRO_TIME = `${META}.MicroTime`;
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
