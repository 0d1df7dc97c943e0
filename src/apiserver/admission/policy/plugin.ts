// The ValidatingAdmissionPolicy plugin (upstream's admission/plugin/policy/validating): every
// binding whose policy's matchConstraints, the binding's matchResources and the policy's
// matchConditions select the request evaluates the policy's validations (CEL over object,
// oldObject, request, namespaceObject, variables). A failed validation is acted on per the
// binding's validationActions: Deny refuses with upstream's message and the validation's reason
// (Invalid, 422, by default), Warn adds `Validation failed for ValidatingAdmissionPolicy ...`
// as a warning, Audit records nothing (k8ts writes no audit annotations). Evaluation errors
// follow failurePolicy. Policies with paramKind are not evaluated (failurePolicy decides).
import { StatusError, type StatusReason } from '../../../api/errors.js';
import { isRecord, type KubeObject } from '../../../api/types.js';
import { compileExpression, CompileError, type Compiled } from '../../cel/compile.js';
import { toCel } from '../../cel/values.js';
import { getObject, listObjects } from '../lookup.js';
import type { AdmissionDeps, AdmissionPlugin, AdmissionRequest } from '../types.js';
import { requestValue } from '../webhook/match-conditions.js';
import {
  isExemptResource,
  namespaceSelectorMatches,
  objectSelectorMatches,
  ruleMatches,
} from '../webhook/matching.js';
import type { RuleWithOperations, Webhook } from '../webhook/types.js';
import { POLICY_VARIABLES } from './variables.js';

const GROUP = 'admissionregistration.k8s.io';

interface NamedRule extends RuleWithOperations {
  resourceNames?: string[];
}
interface MatchResources {
  namespaceSelector?: Webhook['namespaceSelector'];
  objectSelector?: Webhook['objectSelector'];
  resourceRules?: NamedRule[];
  excludeResourceRules?: NamedRule[];
}
interface Validation {
  expression: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
}
interface PolicySpec {
  failurePolicy?: 'Fail' | 'Ignore';
  paramKind?: { apiVersion?: string; kind?: string };
  matchConstraints?: MatchResources;
  validations?: Validation[];
  variables?: { name: string; expression: string }[];
  matchConditions?: { name: string; expression: string }[];
}
interface BindingSpec {
  policyName?: string;
  validationActions?: string[];
  matchResources?: MatchResources;
}

const cache = new Map<string, Compiled | CompileError>();
function program(expr: string, result: 'bool' | 'string' | 'any'): Compiled | CompileError {
  const key = `${result}\u0000${expr}`;
  let c = cache.get(key);
  if (!c) {
    try {
      c = compileExpression(expr, { variables: POLICY_VARIABLES, result });
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
function evaluate(expr: string, result: 'bool' | 'string' | 'any', bindings: Record<string, unknown>) {
  const c = program(expr, result);
  if (c instanceof CompileError) return { error: `expression '${expr}' resulted in error: ${c.message}` };
  const r = c.run(bindings);
  if (r.error !== undefined) return { error: `expression '${expr}' resulted in error: ${r.error}` };
  return { value: r.value };
}

function namedRuleMatches(r: NamedRule, req: AdmissionRequest): boolean {
  if (!ruleMatches(r, req)) return false;
  return !r.resourceNames?.length || r.resourceNames.includes(req.name);
}

async function resourcesMatch(
  deps: AdmissionDeps,
  m: MatchResources,
  req: AdmissionRequest,
  binding: boolean,
): Promise<boolean> {
  // a binding's matchResources without resourceRules keeps everything the policy matched
  const rules = m.resourceRules ?? [];
  if (!(rules.length === 0 && binding) && !rules.some((r) => namedRuleMatches(r, req))) return false;
  if ((m.excludeResourceRules ?? []).some((r) => namedRuleMatches(r, req))) return false;
  const selectors = m as unknown as Webhook;
  if (!objectSelectorMatches(selectors, req)) return false;
  return namespaceSelectorMatches(selectors, req, async (ns) => {
    const obj = await getObject(deps, '', 'namespaces', '', ns);
    return obj ? ((obj.metadata.labels ?? {}) as Record<string, string>) : undefined;
  });
}

const CODES: Partial<Record<string, number>> = {
  Unauthorized: 401,
  Forbidden: 403,
  Invalid: 422,
  RequestEntityTooLarge: 413,
};

interface Decision {
  policy: string;
  binding: string;
  message: string;
  reason: string;
}

function denial(req: AdmissionRequest, d: Decision): StatusError {
  const message = `ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}' denied request: ${d.message}`;
  const gr = req.group ? `${req.resource}.${req.group}` : req.resource;
  const text = req.name ? `${gr} "${req.name}" is forbidden: ${message}` : `${gr} is forbidden: ${message}`;
  return new StatusError(CODES[d.reason] ?? 422, d.reason as StatusReason, text, {
    ...(req.name ? { name: req.name } : {}),
    group: req.group,
    kind: req.resource,
    causes: [{ message }],
  });
}

/** The failure of one validation, or undefined when it passes (or an error is ignored). */
function check(v: Validation, spec: PolicySpec, bindings: Record<string, unknown>) {
  const r = evaluate(v.expression, 'bool', bindings);
  if (r.error !== undefined)
    return spec.failurePolicy === 'Ignore' ? undefined : { message: r.error, reason: 'Invalid' };
  if (r.value === true) return undefined;
  let message = v.message?.trim() || `failed expression: ${v.expression.trim()}`;
  if (v.messageExpression) {
    const m = evaluate(v.messageExpression, 'string', bindings);
    if (typeof m.value === 'string' && m.value.trim() && !m.value.includes('\n')) message = m.value.trim();
  }
  return { message, reason: v.reason ?? 'Invalid' };
}

async function decide(
  deps: AdmissionDeps,
  req: AdmissionRequest,
  policy: KubeObject,
  binding: KubeObject,
): Promise<Decision[]> {
  const spec = (policy.spec ?? {}) as PolicySpec;
  const bspec = (binding.spec ?? {}) as BindingSpec;
  if (!spec.matchConstraints || !(await resourcesMatch(deps, spec.matchConstraints, req, false))) return [];
  if (bspec.matchResources && !(await resourcesMatch(deps, bspec.matchResources, req, true))) return [];
  const ns = req.namespace ? await getObject(deps, '', 'namespaces', '', req.namespace) : undefined;
  const bindings: Record<string, unknown> = {
    object: req.operation === 'DELETE' ? null : toCel(req.object ?? null, undefined),
    oldObject: toCel(req.oldObject ?? null, undefined),
    request: toCel(requestValue(req), undefined),
    params: null,
    namespaceObject: ns ? toCel(ns, undefined) : null,
  };
  const fail = (message: string): Decision[] =>
    spec.failurePolicy === 'Ignore'
      ? []
      : [
          {
            policy: policy.metadata.name ?? '',
            binding: binding.metadata.name ?? '',
            message,
            reason: 'Invalid',
          },
        ];
  // matchConditions: a false one skips the policy; errors follow failurePolicy
  const errors: string[] = [];
  for (const mc of spec.matchConditions ?? []) {
    const r = evaluate(mc.expression, 'bool', bindings);
    if (r.value === false) return [];
    if (r.error !== undefined) errors.push(r.error);
  }
  if (errors.length) return fail(errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`);
  if (spec.paramKind)
    return fail('failed to configure binding: paramKind and paramRef are not supported by k8ts');
  const variables = new Map<string, unknown>();
  bindings.variables = variables;
  for (const v of spec.variables ?? []) {
    const r = evaluate(v.expression, 'any', bindings);
    if (r.value !== undefined) variables.set(v.name, r.value);
  }
  const out: Decision[] = [];
  for (const v of spec.validations ?? []) {
    const failed = check(v, spec, bindings);
    if (failed)
      out.push({ policy: policy.metadata.name ?? '', binding: binding.metadata.name ?? '', ...failed });
  }
  return out;
}

export function validatingAdmissionPolicy(deps: AdmissionDeps): AdmissionPlugin {
  return {
    name: 'ValidatingAdmissionPolicy',
    async validate(req) {
      if (isExemptResource(req.group, req.resource)) return;
      const bindings = await listObjects(deps, GROUP, 'validatingadmissionpolicybindings');
      if (!bindings.length) return;
      const policies = new Map(
        (await listObjects(deps, GROUP, 'validatingadmissionpolicies')).map((p) => [p.metadata.name, p]),
      );
      bindings.sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
      let denied: Decision | undefined;
      for (const b of bindings) {
        const bspec = (isRecord(b.spec) ? b.spec : {}) as BindingSpec;
        const policy = policies.get(bspec.policyName ?? '');
        if (!policy) continue;
        const actions = bspec.validationActions ?? [];
        for (const d of await decide(deps, req, policy, b)) {
          if (actions.includes('Deny')) denied ??= d;
          if (actions.includes('Warn'))
            req.ctx.warnings.push(
              `Validation failed for ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}': ${d.message}`,
            );
        }
      }
      if (denied) throw denial(req, denied);
    },
  };
}
