// One evaluation of a ValidatingAdmissionPolicy for one binding and one param (upstream's
// validating/validator.go): matchConditions (a false one skips the policy), variables in order,
// validations (failures with their message and reason) and auditAnnotations (values to publish).
// Evaluation errors follow the policy's failurePolicy.
import { compileExpression, CompileError, type Compiled } from '../../cel/compile.js';
import type { PolicySpec, Validation } from './types.js';
import { policyVariables } from './variables.js';

const cache = new Map<string, Compiled | CompileError>();
function program(
  expr: string,
  result: 'bool' | 'string' | 'any',
  hasParams: boolean,
): Compiled | CompileError {
  const key = `${result}${hasParams ? 'p' : ''}\u0000${expr}`;
  let c = cache.get(key);
  if (!c) {
    try {
      c = compileExpression(expr, { variables: policyVariables(hasParams), result });
    } catch (e) {
      if (!(e instanceof CompileError)) throw e;
      c = e;
    }
    if (cache.size > 2000) cache.clear();
    cache.set(key, c);
  }
  return c;
}

/** Runs one expression: its value, or the error text upstream reports for it. */
function run(expr: string, result: 'bool' | 'string' | 'any', bindings: Record<string, unknown>) {
  const c = program(expr, result, 'params' in bindings);
  if (c instanceof CompileError) return { error: c.message };
  const r = c.run(bindings);
  if (r.error !== undefined) return { error: r.error };
  return { value: r.value };
}

export interface Failure {
  /** Index of the validation (the validation_failure annotation's expressionIndex). */
  index: number;
  message: string;
  reason: string;
}

export interface Outcome {
  /** Failed validations, acted on per the binding's validationActions. */
  failures: Failure[];
  /** Errors that deny whatever the actions (audit annotation errors under failurePolicy Fail). */
  denials: string[];
  /** auditAnnotations to publish: key → value. */
  annotations: [string, string][];
}

/** The failure of one validation, or undefined when it passes (or an error is ignored). */
function check(v: Validation, index: number, spec: PolicySpec, bindings: Record<string, unknown>) {
  const r = run(v.expression, 'bool', bindings);
  if (r.error !== undefined)
    return spec.failurePolicy === 'Ignore'
      ? undefined
      : { index, message: `expression '${v.expression}' resulted in error: ${r.error}`, reason: 'Invalid' };
  if (r.value === true) return undefined;
  let message = v.message?.trim() || `failed expression: ${v.expression.trim()}`;
  if (v.messageExpression) {
    const m = run(v.messageExpression, 'string', bindings);
    if (typeof m.value === 'string' && m.value.trim() && !m.value.includes('\n')) message = m.value.trim();
  }
  return { index, message, reason: v.reason ?? 'Invalid' };
}

/** upstream's maxAuditAnnotationValueLength */
const MAX_ANNOTATION_VALUE = 10 * 1024;

/** undefined when matchConditions exclude the request. */
export function evaluatePolicy(spec: PolicySpec, bindings: Record<string, unknown>): Outcome | undefined {
  const out: Outcome = { failures: [], denials: [], annotations: [] };
  const ignore = spec.failurePolicy === 'Ignore';
  // matchConditions: a false one skips the policy; errors follow failurePolicy
  const errors: string[] = [];
  for (const mc of spec.matchConditions ?? []) {
    const r = run(mc.expression, 'bool', bindings);
    if (r.value === false) return undefined;
    if (r.error !== undefined) errors.push(`expression '${mc.expression}' resulted in error: ${r.error}`);
  }
  if (errors.length) {
    if (ignore) return undefined;
    out.failures.push({
      index: 0,
      message: errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`,
      reason: 'Invalid',
    });
    return out;
  }
  const variables = new Map<string, unknown>();
  bindings.variables = variables;
  for (const v of spec.variables ?? []) {
    const r = run(v.expression, 'any', bindings);
    if (r.value !== undefined) variables.set(v.name, r.value);
  }
  (spec.validations ?? []).forEach((v, i) => {
    const failed = check(v, i, spec, bindings);
    if (failed) out.failures.push(failed);
  });
  for (const a of spec.auditAnnotations ?? []) {
    const r = run(a.valueExpression, 'any', bindings);
    if (r.error !== undefined) {
      if (!ignore) out.denials.push(`valueExpression '${a.valueExpression}' resulted in error: ${r.error}`);
    } else if (typeof r.value === 'string') {
      out.annotations.push([a.key, r.value.slice(0, MAX_ANNOTATION_VALUE)]);
    } else if (r.value !== null) {
      if (!ignore)
        out.denials.push(
          `valueExpression '${a.valueExpression}' resulted in unsupported return type: ${celTypeName(r.value)}. Return type must be either string or null.`,
        );
    }
  }
  return out;
}

function celTypeName(v: unknown): string {
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof Map) return 'map';
  return 'dyn';
}
