// A CRD version's schema as OpenAPI definitions (for kubectl explain, field validation and
// server-side apply). Names follow upstream: the group reversed, then version and kind
// (`com.coreos.monitoring.v1.ServiceMonitor`), plus `<name>List`. They are added to the shared
// definition table while the version is served and removed when it stops.
import { definitions } from '../../api/schema/index.js';
import { LIST_META, OBJECT_META, type Definition, type PropSchema } from '../../api/schema/dsl.js';
import type { JSONSchemaProps } from './types.js';

const API_VERSION_DOC =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DOC =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const METADATA_DOC =
  "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

export function definitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

const COPIED = [
  'description',
  'format',
  'enum',
  'default',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'required',
] as const;

export function toPropSchema(s: JSONSchemaProps): PropSchema {
  const out: Record<string, unknown> = {};
  if (s.type) out.type = s.type;
  for (const k of COPIED) if (s[k] !== undefined && s[k] !== false) out[k] = s[k];
  if (s.properties)
    out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, toPropSchema(v)]));
  if (s.items && typeof s.items === 'object') out.items = toPropSchema(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object')
    out.additionalProperties = toPropSchema(s.additionalProperties);
  return out as PropSchema;
}

/** The kind's and list's definitions for one served version. */
export function crdDefinitions(
  group: string,
  version: string,
  kind: string,
  listKind: string,
  schema: JSONSchemaProps | undefined,
): Record<string, Definition> {
  const name = definitionName(group, version, kind);
  const root = toPropSchema(schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
  const props = { ...(root.properties ?? {}) };
  props.apiVersion = { description: API_VERSION_DOC, type: 'string' };
  props.kind = { description: KIND_DOC, type: 'string' };
  props.metadata = { description: METADATA_DOC, $ref: OBJECT_META };
  const gvk = [{ group, version, kind }];
  const def: Definition = {
    ...root,
    type: 'object',
    properties: props,
    'x-kubernetes-group-version-kind': gvk,
  };
  const list: Definition = {
    description: `${listKind} is a list of ${kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { description: API_VERSION_DOC, type: 'string' },
      items: {
        description: `List of ${name.split('.').pop()!.toLowerCase()}s. More info: https://git.k8s.io/community/contributors/devel/api-conventions.md`,
        type: 'array',
        items: { $ref: name },
      },
      kind: { description: KIND_DOC, type: 'string' },
      metadata: {
        description:
          'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
        $ref: LIST_META,
      },
    },
    'x-kubernetes-group-version-kind': [{ group, version, kind: listKind }],
  };
  return { [name]: def, [`${name}List`]: list };
}

/** Publishes (or replaces) definitions in the shared table. */
export function publishDefinitions(defs: Record<string, Definition>): void {
  Object.assign(definitions, defs);
}

export function withdrawDefinitions(names: Iterable<string>): void {
  for (const n of names) delete definitions[n];
}
