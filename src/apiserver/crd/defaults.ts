// Validation of the `default` values of a structural schema when a CRD is written (upstream's
// apiextensions-apiserver/pkg/apiserver/schema/defaulting ValidateDefaults): a default must be
// pruned (no fields its schema does not specify) and must validate against its schema (e.g.
// `spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[replicas].default:
// Invalid value: "string":  in body must be of type integer: "string"`), and must satisfy the
// x-kubernetes-validations rules of that schema.
import { isRecord } from '../../api/types.js';
import { invalidValue, type FieldError } from '../registry/validation.js';
import { compileNestedRules, evaluateRules } from './cel-rules.js';
import { pruneValue } from './prune.js';
import type { JSONSchemaProps } from './types.js';
import { JUNCTOR_FIELD, validateValue } from './validate.js';

export function validateDefaults(schema: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  walk(schema, path, true, errs);
  return errs;
}

function walk(s: JSONSchemaProps, path: string, root: boolean, errs: FieldError[]): void {
  if (!isRecord(s)) return;
  // metadata at the root (and in embedded resources) is validated as ObjectMeta, not here
  if (s.default !== undefined && !root) checkDefault(s, `${path}.default`, errs);
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    if ((root || s['x-kubernetes-embedded-resource']) && k === 'metadata') continue;
    walk(p, `${path}.properties[${k}]`, false, errs);
  }
  if (isRecord(s.items)) walk(s.items as JSONSchemaProps, `${path}.items`, false, errs);
  if (isRecord(s.additionalProperties))
    walk(s.additionalProperties as JSONSchemaProps, `${path}.additionalProperties`, false, errs);
}

function checkDefault(s: JSONSchemaProps, at: string, errs: FieldError[]): void {
  const pruned = structuredClone(s.default);
  pruneValue(pruned, s, '', []);
  if (JSON.stringify(pruned) !== JSON.stringify(s.default)) {
    errs.push(invalidValue(at, s.default, 'must not have unknown fields'));
    return;
  }
  const found: FieldError[] = [];
  validateValue(s.default, s, '', found);
  // as upstream, rules run on a default that passed the schema, with oldSelf = the default too
  if (!found.length) {
    const rules = compileNestedRules(s, at);
    if (rules) found.push(...evaluateRules(rules, s.default, s.default));
  }
  for (const e of found) {
    const inner = e.field === JUNCTOR_FIELD ? '' : e.field;
    const field = inner === '' ? at : inner.startsWith('[') ? `${at}${inner}` : `${at}.${inner}`;
    // kube-openapi names the value by its path inside the default, empty at the default itself
    // (so its texts start with " in body ...", as Go's Sprintf of an empty name gives)
    errs.push({ ...e, field });
  }
}
