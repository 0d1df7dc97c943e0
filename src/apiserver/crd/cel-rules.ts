// x-kubernetes-validations of a structural schema, as apiextensions-apiserver v1.31 runs them
// (pkg/apiserver/schema/cel): rules compiled once per CRD version, evaluated with `self` bound to
// the value at the rule's node and `oldSelf` to the correlated old value on update. Transition
// rules (those naming oldSelf) run only when an old value exists, unless optionalOldSelf makes
// oldSelf an optional. Values are correlated through object properties (granular maps) and
// map-type lists by their keys, as upstream. Errors use upstream's texts, e.g.
// `spec: Invalid value: "object": replicas must be below 10` or
// `spec: Invalid value: "object": failed rule: self.replicas < 10`.
// The whole object has RUNTIME_COST_BUDGET; a rule passing PER_CALL_LIMIT stops validation.
import { isRecord } from '../../api/types.js';
import { compileExpression, CompileError, type Compiled } from '../cel/compile.js';
import { PER_CALL_LIMIT, RUNTIME_COST_BUDGET } from '../cel/cost.js';
import { celOptional } from '../cel/library.js';
import { resourceRoot, schemaScope, toCel } from '../cel/values.js';
import {
  forbidden,
  invalidValue,
  notSupported,
  Printed,
  required,
  type FieldError,
} from '../registry/validation.js';
import type { JSONSchemaProps } from './types.js';
import { sameJSON } from '../../api/json-value.js';

export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

declare module './types.js' {
  interface JSONSchemaProps {
    'x-kubernetes-validations'?: ValidationRule[];
  }
}

const REASONS = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];

interface CompiledRule {
  rule: ValidationRule;
  program: Compiled;
  usesOldSelf: boolean;
  message?: Compiled;
  /** fieldPath as a field path suffix (".foo", "[key]"). */
  fieldPath: string;
}

/** A schema node with rules somewhere at or below it. */
export interface RuleNode {
  schema: JSONSchemaProps;
  resourceRoot: boolean;
  rules: CompiledRule[];
  properties?: Map<string, RuleNode>;
  additionalProperties?: RuleNode;
  items?: RuleNode;
}

function hasRules(s: JSONSchemaProps | undefined): boolean {
  if (!s || typeof s !== 'object') return false;
  if (s['x-kubernetes-validations']?.length) return true;
  if (Object.values(s.properties ?? {}).some(hasRules)) return true;
  if (typeof s.additionalProperties === 'object' && hasRules(s.additionalProperties)) return true;
  return hasRules(s.items);
}

// ---- compile (CRD create/update) ----

/** Compiles the rules of a schema, or returns the CRD field errors upstream reports for them. */
export function compileRules(root: JSONSchemaProps, path: string): { node?: RuleNode; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (!hasRules(root)) return { errors };
  const node = build(root, path, true, undefined, errors);
  return { node, errors };
}

/**
 * The rules of a schema below the resource root (a default value's own schema), compiled
 * without reporting errors: the CRD's compileRules reports those.
 */
export function compileNestedRules(s: JSONSchemaProps, path: string): RuleNode | undefined {
  return build(s, path, s['x-kubernetes-embedded-resource'] === true, undefined, []);
}

function build(
  s: JSONSchemaProps,
  path: string,
  isRoot: boolean,
  uncorrelatable: string | undefined,
  errs: FieldError[],
): RuleNode | undefined {
  if (!hasRules(s)) return undefined;
  const node: RuleNode = { schema: s, resourceRoot: isRoot, rules: [] };
  (s['x-kubernetes-validations'] ?? []).forEach((rule, i) => {
    const compiled = compileRule(
      rule,
      s,
      isRoot,
      `${path}.x-kubernetes-validations[${i}]`,
      uncorrelatable,
      errs,
    );
    if (compiled) node.rules.push(compiled);
  });
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    const childUncorrelatable =
      s['x-kubernetes-map-type'] === 'atomic' ? (uncorrelatable ?? path) : uncorrelatable;
    const child = build(
      p,
      `${path}.properties[${k}]`,
      p['x-kubernetes-embedded-resource'] === true,
      childUncorrelatable,
      errs,
    );
    if (child) (node.properties ??= new Map()).set(k, child);
  }
  if (typeof s.additionalProperties === 'object') {
    const ap = s.additionalProperties;
    const childUncorrelatable =
      s['x-kubernetes-map-type'] === 'atomic' ? (uncorrelatable ?? path) : uncorrelatable;
    node.additionalProperties = build(ap, `${path}.additionalProperties`, false, childUncorrelatable, errs);
  }
  if (s.items) {
    const listMap = s['x-kubernetes-list-type'] === 'map';
    node.items = build(
      s.items,
      `${path}.items`,
      s.items['x-kubernetes-embedded-resource'] === true,
      listMap ? uncorrelatable : (uncorrelatable ?? `${path}.items`),
      errs,
    );
  }
  return node;
}

/** Go's %#v of an apiextensions.ValidationRule (upstream prints the rule so in compile errors). */
function printedRule(r: ValidationRule): Printed {
  const ptr = (t: string, v: unknown) => (v === undefined ? `(*${t})(nil)` : `(*${t})(0xc000000000)`);
  return new Printed(
    `apiextensions.ValidationRule{Rule:${JSON.stringify(r.rule ?? '')}, Message:${JSON.stringify(r.message ?? '')}, ` +
      `MessageExpression:${JSON.stringify(r.messageExpression ?? '')}, Reason:${ptr('apiextensions.FieldValueErrorReason', r.reason)}, ` +
      `FieldPath:${JSON.stringify(r.fieldPath ?? '')}, OptionalOldSelf:${ptr('bool', r.optionalOldSelf)}}`,
  );
}

const hasNewlines = (s: string) => /[\n\r]+/.test(s);

function compileRule(
  rule: ValidationRule,
  s: JSONSchemaProps,
  isRoot: boolean,
  p: string,
  uncorrelatable: string | undefined,
  errs: FieldError[],
): CompiledRule | undefined {
  const before = errs.length;
  const text = (rule.rule ?? '').trim();
  const msg = (rule.message ?? '').trim();
  if (!text) errs.push(required(`${p}.rule`, 'rule is not specified'));
  else if (rule.message && !msg)
    errs.push(invalidValue(`${p}.message`, rule.message, 'message must be non-empty if specified'));
  else if ((rule.message ?? '').length > 2048)
    errs.push(
      invalidValue(
        `${p}.message`,
        `${rule.message!.slice(0, 10)}...`,
        'message must have a maximum length of 2048 characters',
      ),
    );
  else if (hasNewlines(msg))
    errs.push(invalidValue(`${p}.message`, rule.message, 'message must not contain line breaks'));
  else if (hasNewlines(text) && !msg)
    errs.push(required(`${p}.message`, 'message must be specified if rule contains line breaks'));
  if (rule.messageExpression !== undefined && rule.messageExpression !== '' && !rule.messageExpression.trim())
    errs.push(required(`${p}.messageExpression`, 'messageExpression must be non-empty if specified'));
  if (rule.reason !== undefined && !REASONS.includes(rule.reason))
    errs.push(notSupported(`${p}.reason`, rule.reason, REASONS));
  let fieldPath = '';
  if (rule.fieldPath !== undefined && rule.fieldPath !== '') {
    if (!rule.fieldPath.trim())
      errs.push(invalidValue(`${p}.fieldPath`, rule.fieldPath, 'fieldPath must be non-empty if specified'));
    if (hasNewlines(rule.fieldPath))
      errs.push(invalidValue(`${p}.fieldPath`, rule.fieldPath, 'fieldPath must not contain line breaks'));
    try {
      fieldPath = validFieldPath(rule.fieldPath, s);
    } catch (e) {
      errs.push(
        invalidValue(
          `${p}.fieldPath`,
          rule.fieldPath,
          `fieldPath must be a valid path: ${(e as Error).message}`,
        ),
      );
    }
  }
  if (errs.length > before || !text) return undefined;
  const scope = schemaScope(s, isRoot);
  const variables = { self: scope, oldSelf: rule.optionalOldSelf ? undefined : scope };
  let program: Compiled;
  try {
    program = compileExpression(rule.rule, { variables, result: 'bool' });
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    errs.push(invalidValue(`${p}.rule`, printedRule(rule), e.message));
    return undefined;
  }
  let message: Compiled | undefined;
  if (rule.messageExpression?.trim()) {
    try {
      message = compileExpression(rule.messageExpression, { variables, result: 'string' });
    } catch (e) {
      if (!(e instanceof CompileError)) throw e;
      errs.push(invalidValue(`${p}.messageExpression`, printedRule(rule), `messageExpression ${e.message}`));
      return undefined;
    }
  }
  const usesOldSelf = program.references.has('oldSelf');
  if (usesOldSelf && uncorrelatable !== undefined) {
    errs.push(
      invalidValue(
        `${p}.rule`,
        rule.rule,
        `oldSelf cannot be used on the uncorrelatable portion of the schema within ${uncorrelatable}`,
      ),
    );
    return undefined;
  }
  const compiled: CompiledRule = { rule, program, usesOldSelf, fieldPath };
  if (message) compiled.message = message;
  return compiled;
}

/** upstream's ValidFieldPath: `.a.b`, `.a['b.c']`; returns the field.Path suffix it names. */
function validFieldPath(jsonPath: string, schema: JSONSchemaProps): string {
  const tokens = jsonPath.match(/'(?:[^'\\]|\\.)*'|[.[\]]|[^.[\]']+/g) ?? [];
  let s: JSONSchemaProps | undefined = schema;
  let out = '';
  const step = (name: string) => {
    if (s?.properties) {
      const next: JSONSchemaProps | undefined = s.properties[name];
      if (!next) throw new Error('does not refer to a valid field');
      out += `.${name}`;
      s = next;
    } else if (typeof s?.additionalProperties === 'object') {
      out += `[${name}]`;
      s = s.additionalProperties;
    } else throw new Error('does not refer to a valid field');
  };
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok === '.') {
      const name = tokens[++i];
      if (name === undefined) throw new Error('unexpected end of JSON path');
      step(name);
    } else if (tok === '[') {
      const q = tokens[++i];
      if (q === undefined) throw new Error('unexpected end of JSON path');
      if (q.length < 2 || !q.startsWith("'") || !q.endsWith("'"))
        throw new Error(`expected single quoted string but got ${q}`);
      step(q.slice(1, -1).replace(/\\(.)/g, '$1'));
      const close = tokens[++i];
      if (close === undefined) throw new Error('unexpected end of JSON path');
      if (close !== ']') throw new Error(`expected ] but got ${close}`);
    } else throw new Error(`expected [ or . but got: ${tok}`);
  }
  return out;
}

// ---- evaluate (custom resource create/update) ----

interface Run {
  budget: number;
  errs: FieldError[];
  stopped: boolean;
  ratchet: boolean;
}

/**
 * Evaluates the rules of node against obj (and old, on update); returns the field errors.
 * `ratchet`: failures in parts equal to old are dropped (custom resource updates; a default,
 * checked with itself as old, is not ratcheted, as upstream passes no correlation there).
 */
export function evaluateRules(
  node: RuleNode,
  obj: unknown,
  old: unknown,
  opts: { ratchet?: boolean } = {},
): FieldError[] {
  const run: Run = { budget: RUNTIME_COST_BUDGET, errs: [], stopped: false, ratchet: opts.ratchet === true };
  visit(node, '', obj, old, run, false);
  return run.errs;
}

const child = (path: string, k: string) => (path ? `${path}.${k}` : k);

/**
 * `unchanged`: this value equals its correlated old one, or lies inside one that does; failures
 * of its rules that do not name oldSelf are then ratcheted (CRDValidationRatcheting, as upstream).
 */
function visit(node: RuleNode, path: string, v: unknown, old: unknown, run: Run, within: boolean): void {
  if (run.stopped || v === null || v === undefined) return;
  const unchanged = run.ratchet && (within || (old !== undefined && sameJSON(v, old)));
  if (node.rules.length) evaluateNode(node, path, v, old, run, unchanged);
  if (run.stopped) return;
  if (Array.isArray(v) && node.items) {
    const oldItems = correlateList(node.schema, Array.isArray(old) ? old : undefined);
    v.forEach(
      (item, i) => node.items && visit(node.items, `${path}[${i}]`, item, oldItems(item), run, unchanged),
    );
  } else if (isRecord(v)) {
    const granular = node.schema['x-kubernetes-map-type'] !== 'atomic';
    const oldMap = granular && isRecord(old) ? old : undefined;
    for (const [k, value] of Object.entries(v)) {
      const sub = node.properties?.get(k);
      if (sub) visit(sub, child(path, k), value, oldMap?.[k], run, unchanged);
      else if (node.additionalProperties && !node.schema.properties)
        visit(node.additionalProperties, `${path}[${k}]`, value, oldMap?.[k], run, unchanged);
      if (run.stopped) return;
    }
  }
}

/** Old items are found by the map keys of a map-type list; other lists do not correlate. */
function correlateList(s: JSONSchemaProps, old: unknown[] | undefined): (item: unknown) => unknown {
  const keys = s['x-kubernetes-list-map-keys'];
  if (!old || s['x-kubernetes-list-type'] !== 'map' || !keys?.length) return () => undefined;
  const keyOf = (item: unknown) =>
    isRecord(item) ? JSON.stringify(keys.map((k) => item[k] ?? null)) : undefined;
  const byKey = new Map(old.map((o) => [keyOf(o), o]));
  return (item) => byKey.get(keyOf(item));
}

function evaluateNode(
  node: RuleNode,
  path: string,
  v: unknown,
  old: unknown,
  run: Run,
  unchanged: boolean,
): void {
  const type = node.schema.type ?? (node.schema['x-kubernetes-int-or-string'] ? 'string' : 'object');
  const at = path || '<nil>';
  if (run.budget <= 0) {
    run.errs.push(
      invalidValue(
        at,
        type,
        'validation failed due to running out of cost budget, no further validation rules will be run',
      ),
    );
    run.stopped = true;
    return;
  }
  const view = (x: unknown) => toCel(node.resourceRoot && isRecord(x) ? resourceRoot(x) : x, node.schema);
  const self = view(v);
  const hasOld = old !== null && old !== undefined;
  const oldSelf = hasOld ? view(old) : undefined;
  for (const r of node.rules) {
    if (r.usesOldSelf && !hasOld && !r.rule.optionalOldSelf) continue;
    const bindings: Record<string, unknown> = { self };
    if (r.rule.optionalOldSelf) bindings.oldSelf = celOptional(oldSelf as never);
    else if (hasOld) bindings.oldSelf = oldSelf;
    const res = r.program.run(bindings, Math.min(PER_CALL_LIMIT, run.budget + 1));
    const ruleText = (r.rule.message ?? '').trim() || r.rule.rule.trim();
    if (res.exceeded) {
      run.errs.push(
        invalidValue(
          at,
          type,
          `'${res.error}': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleText}`,
        ),
      );
      run.stopped = true;
      return;
    }
    run.budget -= res.cost;
    if (run.budget < 0) {
      run.errs.push(
        invalidValue(
          at,
          type,
          'validation failed due to running out of cost budget, no further validation rules will be run',
        ),
      );
      run.stopped = true;
      return;
    }
    if (res.error !== undefined) {
      if (res.error.startsWith('no such overload'))
        run.errs.push(
          invalidValue(
            at,
            type,
            `'${res.error}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleText}`,
          ),
        );
      else run.errs.push(invalidValue(at, type, `${res.error} evaluating rule: ${ruleText}`));
      continue;
    }
    if (res.value === true) continue;
    // A false result is ratcheted (evaluation errors are not). Upstream turns it into a
    // warning; k8ts's strategies have no warning channel yet, so it is dropped.
    const report = (e: FieldError) => {
      if (r.usesOldSelf || !unchanged) run.errs.push(e);
    };
    const errPath = r.fieldPath ? (path + r.fieldPath).replace(/^\./, '') : at;
    let detail = (r.rule.message ?? '').trim() || `failed rule: ${ruleText}`;
    if (r.message) {
      const m = r.message.run(bindings, Math.min(PER_CALL_LIMIT, run.budget + 1));
      run.budget -= m.cost;
      if (m.exceeded || run.budget < 0) {
        run.errs.push(
          invalidValue(
            errPath,
            type,
            m.exceeded
              ? `no further validation rules will be run due to call cost exceeds limit for messageExpression: ${JSON.stringify(r.rule.messageExpression)}`
              : 'messageExpression evaluation failed due to running out of cost budget, no further validation rules will be run',
          ),
        );
        run.stopped = true;
        return;
      }
      const text = typeof m.value === 'string' ? m.value.trim() : '';
      // Upstream logs a failed, empty, multi-line or overlong message and falls back to message.
      if (m.error === undefined && text && !/\n/.test(text) && text.length <= 5 * 1024) detail = text;
    }
    report(fieldErrorForReason(errPath, type, detail, r.rule.reason));
  }
}

function fieldErrorForReason(
  path: string,
  type: string,
  detail: string,
  reason: string | undefined,
): FieldError {
  switch (reason) {
    case 'FieldValueForbidden':
      return forbidden(path, detail);
    case 'FieldValueRequired':
      return required(path, detail);
    case 'FieldValueDuplicate':
      return { type: 'FieldValueDuplicate', field: path, value: type };
    default:
      return invalidValue(path, type, detail);
  }
}
