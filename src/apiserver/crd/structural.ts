// Structural schema rules for a CRD version's openAPIV3Schema (upstream's
// apiextensions-apiserver/pkg/apis/apiextensions/validation and .../apiserver/schema):
// every specified field has a type, the root is an object, metadata may only restrict name
// and generateName, properties and additionalProperties exclude each other, and the
// extensions are used where they make sense. Paths and texts are upstream's, e.g.
// `spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be
// empty for specified object fields`.
import { errorText, forbidden, invalidValue, required, type FieldError } from '../registry/validation.js';
import { junctorErrors } from './junctors.js';
import type { JSONSchemaProps } from './types.js';

type Level = 'root' | 'field' | 'item';

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

export function validateStructural(schema: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const junctors: FieldError[] = [];
  walk(schema, path, 'root', errs, junctors);
  // upstream sorts the errors of its structural invariants by their text
  junctors.sort((a, b) => (errorText(a) < errorText(b) ? -1 : errorText(a) > errorText(b) ? 1 : 0));
  return [...errs, ...junctors];
}

function walk(
  s: JSONSchemaProps,
  path: string,
  lvl: Level,
  errs: FieldError[],
  junctors: FieldError[],
): void {
  if (s === null || typeof s !== 'object') return;
  junctors.push(...junctorErrors(s, path));
  if (s.$ref !== undefined) errs.push(forbidden(`${path}.$ref`, '$ref is not supported'));
  const type = s.type ?? '';
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  if (embedded && type !== 'object') {
    const detail = 'must be object if x-kubernetes-embedded-resource is true';
    errs.push(type === '' ? required(`${path}.type`, detail) : invalidValue(`${path}.type`, type, detail));
  } else if (type === '' && !s['x-kubernetes-int-or-string'] && !s['x-kubernetes-preserve-unknown-fields']) {
    const detail = {
      root: 'must not be empty at the root',
      field: 'must not be empty for specified object fields',
      item: 'must not be empty for specified array items',
    }[lvl];
    errs.push(required(`${path}.type`, detail));
  } else if (type !== '' && !TYPES.has(type)) {
    errs.push({
      type: 'FieldValueNotSupported',
      field: `${path}.type`,
      value: type,
      detail: 'supported values: "array", "boolean", "integer", "number", "object", "string"',
    });
  }
  if (embedded && s.additionalProperties !== undefined)
    errs.push(
      forbidden(`${path}.additionalProperties`, 'must not be used if x-kubernetes-embedded-resource is set'),
    );
  if (lvl === 'root' && type !== '' && type !== 'object')
    errs.push(invalidValue(`${path}.type`, type, 'must be object at the root'));
  if (s['x-kubernetes-preserve-unknown-fields'] === false)
    errs.push(
      invalidValue(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'),
    );
  if (s['x-kubernetes-int-or-string'] === false)
    errs.push(invalidValue(`${path}.x-kubernetes-int-or-string`, false, 'must be true or undefined'));
  if (s.uniqueItems === true)
    errs.push(
      forbidden(
        `${path}.uniqueItems`,
        'uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
      ),
    );
  if (s.properties && s.additionalProperties !== undefined)
    errs.push(
      forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'),
    );
  if (type === 'array' && s.items === undefined) errs.push(required(`${path}.items`, 'must be specified'));

  const checkMetadata = lvl === 'root' || embedded;
  const props = s.properties ?? {};
  if (checkMetadata) {
    for (const k of ['kind', 'apiVersion']) {
      const p = props[k];
      if (p && p.type !== 'string')
        errs.push(invalidValue(`${path}.properties[${k}].type`, p.type ?? '', 'must be string'));
    }
    const meta = props.metadata;
    if (meta) {
      if (meta.type !== 'object')
        errs.push(invalidValue(`${path}.properties[metadata].type`, meta.type ?? '', 'must be object'));
      const extra = Object.keys(meta).filter((k) => !['type', 'properties', 'description'].includes(k));
      const extraProps = Object.keys(meta.properties ?? {}).filter(
        (k) => k !== 'name' && k !== 'generateName',
      );
      if (lvl === 'root' && (extra.length || extraProps.length))
        errs.push(
          forbidden(
            `${path}.properties[metadata]`,
            'must not specify anything other than name and generateName, but metadata is implicitly specified',
          ),
        );
    }
  }
  for (const [name, p] of Object.entries(props)) {
    if (checkMetadata && name === 'metadata') continue;
    walk(p, `${path}.properties[${name}]`, 'field', errs, junctors);
  }
  if (s.items && typeof s.items === 'object') {
    if (Array.isArray(s.items))
      errs.push(forbidden(`${path}.items`, 'items must be a schema object and not an array'));
    else walk(s.items, `${path}.items`, 'item', errs, junctors);
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object')
    walk(s.additionalProperties, `${path}.additionalProperties`, 'field', errs, junctors);
}
