// apiextensions.k8s.io/v1 keeps the definitions generated from kubernetes-types, which lack the
// x-kubernetes-* fields of JSONSchemaProps (their Go names differ from the JSON ones); without
// them strict decoding would call those fields unknown and drop them from every CRD.
import type { Definitions, PropSchema } from './dsl.js';

const JSON_SCHEMA_PROPS = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps';

const flag = (description: string): PropSchema => ({ description, type: 'boolean' });

const EXTENSIONS: Record<string, PropSchema> = {
  'x-kubernetes-embedded-resource': flag(
    'x-kubernetes-embedded-resource defines that the value is an embedded Kubernetes runtime.Object, with TypeMeta and ObjectMeta.',
  ),
  'x-kubernetes-int-or-string': flag(
    'x-kubernetes-int-or-string specifies that this value is either an integer or a string.',
  ),
  'x-kubernetes-list-map-keys': {
    description:
      'x-kubernetes-list-map-keys annotates an array with the x-kubernetes-list-type `map` by specifying the keys used as the index of the map.',
    type: 'array',
    items: { type: 'string' },
    'x-kubernetes-list-type': 'atomic',
  },
  'x-kubernetes-list-type': {
    description:
      'x-kubernetes-list-type annotates an array to further describe its topology: atomic, set or map.',
    type: 'string',
  },
  'x-kubernetes-map-type': {
    description:
      'x-kubernetes-map-type annotates an object to further describe its topology: granular or atomic.',
    type: 'string',
  },
  'x-kubernetes-preserve-unknown-fields': flag(
    'x-kubernetes-preserve-unknown-fields stops the API server decoding step from pruning fields which are not specified in the validation schema.',
  ),
  'x-kubernetes-validations': {
    description:
      'x-kubernetes-validations describes a list of validation rules written in the CEL expression language.',
    type: 'array',
    items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  },
};

/** Adds the extension fields to JSONSchemaProps in place. */
export function addSchemaExtensions(defs: Definitions): void {
  const d = defs[JSON_SCHEMA_PROPS];
  if (d?.properties) Object.assign(d.properties, EXTENSIONS);
}
