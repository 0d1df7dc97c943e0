// selectableFields (CustomResourceFieldSelectors, beta and on by default in v1.31): each served
// version may name up to 8 fields of type string, integer or boolean by a simple JSON path
// (`.spec.color`); `--field-selector spec.color=red` then selects on them in lists and watches.
// Validation and value rendering follow upstream's apiextensions validation and CR strategy.
import { isRecord, type KubeObject } from '../../api/types.js';
import { duplicate, invalidValue, required, type FieldError } from '../registry/validation.js';
import type { CRDVersion, JSONSchemaProps } from './types.js';

export const MAX_SELECTABLE_FIELDS = 8;

/** Resolves `.a.b` (no array notation) in the schema: the field.Path it names and its schema. */
function resolve(jsonPath: string, schema: JSONSchemaProps): { path: string[]; schema: JSONSchemaProps } {
  const tokens = jsonPath.match(/'(?:[^'\\]|\\.)*'|[.[\]]|[^.[\]']+/g) ?? [];
  let s = schema;
  const path: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok === '[') throw new Error('array notation is not allowed');
    if (tok !== '.') throw new Error(`expected [ or . but got: ${tok}`);
    const name = tokens[++i];
    if (name === undefined) throw new Error('unexpected end of JSON path');
    let next: JSONSchemaProps | undefined;
    if (s.properties) next = s.properties[name];
    else if (isRecord(s.additionalProperties)) next = s.additionalProperties as JSONSchemaProps;
    if (!next) throw new Error('does not refer to a valid field');
    path.push(name);
    s = next;
  }
  return { path, schema: s };
}

export function validateSelectableFields(v: CRDVersion, p: string): FieldError[] {
  const fields = v.selectableFields ?? [];
  if (!fields.length) return [];
  const fp = `${p}.selectableFields`;
  const schema = v.schema?.openAPIV3Schema;
  if (!schema)
    return [
      invalidValue(
        fp,
        '',
        'selectableFields may only be set when version.schema.openAPIV3Schema is not included',
      ),
    ];
  const errs: FieldError[] = [];
  const unique = new Set<string>();
  fields.forEach((f, i) => {
    const at = `${fp}[${i}].jsonPath`;
    const jsonPath = typeof f?.jsonPath === 'string' ? f.jsonPath : '';
    if (!jsonPath) return void errs.push(required(at));
    let found: { path: string[]; schema: JSONSchemaProps };
    try {
      found = resolve(jsonPath, schema);
    } catch (err) {
      return void errs.push(invalidValue(at, jsonPath, `is an invalid path: ${(err as Error).message}`));
    }
    if (found.path[0] === 'metadata')
      errs.push(invalidValue(at, jsonPath, 'must not point to fields in metadata'));
    if (!['string', 'boolean', 'integer'].includes(found.schema.type ?? ''))
      errs.push(
        invalidValue(
          at,
          jsonPath,
          'must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.',
        ),
      );
    const key = found.path.join('.');
    if (unique.has(key)) errs.push(duplicate(at, jsonPath));
    else unique.add(key);
  });
  if (unique.size > MAX_SELECTABLE_FIELDS)
    errs.push({
      type: 'FieldValueTooMany',
      field: fp,
      value: unique.size,
      detail: `must have at most ${MAX_SELECTABLE_FIELDS} items`,
    });
  return errs;
}

/** Field selector getters (`spec.color` → value as text; absent fields select as ""). */
export function selectableFieldGetters(v: CRDVersion): Record<string, (obj: KubeObject) => string> {
  const out: Record<string, (obj: KubeObject) => string> = {};
  for (const f of v.selectableFields ?? []) {
    const parts = f.jsonPath.replace(/^\./, '').split('.');
    out[parts.join('.')] = (obj) => {
      let cur: unknown = obj;
      for (const part of parts) cur = isRecord(cur) ? cur[part] : undefined;
      if (typeof cur === 'string') return cur;
      if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
      return '';
    };
  }
  return out;
}
