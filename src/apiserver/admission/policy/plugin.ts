// The ValidatingAdmissionPolicy plugin (upstream's admission/plugin/policy/validating): every
// binding whose policy's matchConstraints and whose matchResources select the request is
// evaluated once per param its paramRef finds (see params.ts and evaluate.ts). A failed
// validation is acted on per the binding's validationActions: Deny refuses with upstream's
// message and the validation's reason (Invalid, 422, by default), Warn adds `Validation failed
// for ValidatingAdmissionPolicy ...` as a warning, Audit records the
// `validation.policy.admission.k8s.io/validation_failure` audit annotation. auditAnnotations
// land on the audit event as `<policy>/<key>`. Configuration errors (an unknown paramKind,
// missing params with parameterNotFoundAction Deny) follow failurePolicy.
import { StatusError, type StatusReason } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/types.js';
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
import type { Webhook } from '../webhook/types.js';
import { convertRequest, equivalentResources } from '../webhook/equivalent.js';
import { evaluatePolicy } from './evaluate.js';
import { collectParams, ParamError, resolveParamKind, type ParamSource } from './params.js';
import type { BindingSpec, MatchResources, NamedRule, PolicySpec } from './types.js';
import { AuthorizationSession, authorizerValue, withAuthorization } from '../../cel/authorizer.js';

const GROUP = 'admissionregistration.k8s.io';
const VALIDATION_FAILURE = 'validation.policy.admission.k8s.io/validation_failure';

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
  /** Undefined for errors of the policy itself (upstream words those without a binding). */
  binding?: string;
  message: string;
  reason: string;
}

function denial(req: AdmissionRequest, d: Decision): StatusError {
  const message =
    d.binding === undefined
      ? `ValidatingAdmissionPolicy '${d.policy}' denied request: ${d.message}`
      : `ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}' denied request: ${d.message}`;
  const gr = req.group ? `${req.resource}.${req.group}` : req.resource;
  const text = req.name ? `${gr} "${req.name}" is forbidden: ${message}` : `${gr} is forbidden: ${message}`;
  return new StatusError(CODES[d.reason] ?? 422, d.reason as StatusReason, text, {
    ...(req.name ? { name: req.name } : {}),
    group: req.group,
    kind: req.resource,
    causes: [{ message }],
  });
}

const byName = (a: KubeObject, b: KubeObject) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1);

/** What one request collects over all policies. */
interface Collected {
  denied: Decision[];
  /** The validation_failure annotation is set once, by the first Audit failure (as AddAnnotation keeps the first). */
  audited: boolean;
}

async function dispatchPolicy(
  deps: AdmissionDeps,
  req: AdmissionRequest,
  policy: KubeObject,
  bindings: KubeObject[],
  out: Collected,
): Promise<void> {
  const spec = (policy.spec ?? {}) as PolicySpec;
  const name = policy.metadata.name ?? '';
  const original = req;
  const constraints = spec.matchConstraints;
  if (!constraints) return;
  if (!(await resourcesMatch(deps, constraints, req, false))) {
    // matchPolicy Equivalent: the request converted to a version the constraints name
    if (constraints.matchPolicy === 'Exact') return;
    let matched: AdmissionRequest | undefined;
    for (const eq of await equivalentResources(deps, req)) {
      const versioned = convertRequest(req, eq);
      if (await resourcesMatch(deps, constraints, versioned, false)) {
        matched = versioned;
        break;
      }
    }
    if (!matched) return;
    req = matched;
  }
  const configError = (message: string, binding?: string) => {
    if (spec.failurePolicy !== 'Ignore')
      out.denied.push({ policy: name, binding, message, reason: 'Invalid' });
  };
  let source: ParamSource | undefined;
  if (spec.paramKind) {
    try {
      source = await resolveParamKind(deps, spec.paramKind);
    } catch (err) {
      if (!(err instanceof ParamError)) throw err;
      return configError(`failed to configure policy: ${err.message}`);
    }
  }
  const ns =
    req.namespace && !(req.group === '' && req.resource === 'namespaces')
      ? await getObject(deps, '', 'namespaces', '', req.namespace)
      : undefined;
  const base: Record<string, unknown> = {
    object: req.operation === 'DELETE' ? null : toCel(req.object ?? null, undefined),
    oldObject: toCel(req.oldObject ?? null, undefined),
    request: toCel(requestValue(req, original), undefined),
    namespaceObject: ns ? toCel(ns, undefined) : null,
    authorizer: authorizerValue(req.user, original),
  };
  const session = new AuthorizationSession(deps.authorizer());
  // auditAnnotations of all bindings, distinct values joined as upstream's collector does
  const annotations = new Map<string, string[]>();
  for (const binding of bindings) {
    const bspec = (binding.spec ?? {}) as BindingSpec;
    const bname = binding.metadata.name ?? '';
    if (bspec.matchResources && !(await resourcesMatch(deps, bspec.matchResources, req, true))) continue;
    let params: (KubeObject | null)[];
    try {
      params = await collectParams(deps, source, bspec.paramRef, req.namespace);
    } catch (err) {
      if (!(err instanceof ParamError)) throw err;
      configError(`failed to configure binding: ${err.message}`, bname);
      continue;
    }
    const actions = bspec.validationActions ?? [];
    for (const param of params) {
      // `params` is a variable only of policies with a paramKind (null when the binding has no paramRef)
      const vars = spec.paramKind ? { ...base, params: param ? toCel(param, undefined) : null } : { ...base };
      const outcome = await withAuthorization(session, () => evaluatePolicy(spec, vars));
      if (!outcome) continue;
      for (const f of outcome.failures) {
        const d: Decision = { policy: name, binding: bname, message: f.message, reason: f.reason };
        if (actions.includes('Deny')) out.denied.push(d);
        if (actions.includes('Warn'))
          req.ctx.warnings.push(
            `Validation failed for ValidatingAdmissionPolicy '${name}' with binding '${bname}': ${f.message}`,
          );
        if (actions.includes('Audit') && !out.audited) {
          out.audited = true;
          const value = [
            {
              message: f.message,
              policy: bspec.policyName ?? name,
              binding: bname,
              expressionIndex: f.index,
              validationActions: actions,
            },
          ];
          req.ctx.addAuditAnnotation?.(VALIDATION_FAILURE, JSON.stringify(value));
        }
      }
      for (const message of outcome.denials)
        out.denied.push({ policy: name, binding: bname, message, reason: 'Invalid' });
      for (const [key, value] of outcome.annotations) {
        const values = annotations.get(key) ?? [];
        if (!values.includes(value)) values.push(value);
        annotations.set(key, values);
      }
    }
  }
  for (const [key, values] of annotations) req.ctx.addAuditAnnotation?.(`${name}/${key}`, values.join(', '));
}

export function validatingAdmissionPolicy(deps: AdmissionDeps): AdmissionPlugin {
  return {
    name: 'ValidatingAdmissionPolicy',
    async validate(req) {
      if (isExemptResource(req.group, req.resource)) return;
      const bindings = await listObjects(deps, GROUP, 'validatingadmissionpolicybindings');
      if (!bindings.length) return;
      const policies = await listObjects(deps, GROUP, 'validatingadmissionpolicies');
      policies.sort(byName);
      bindings.sort(byName);
      const out: Collected = { denied: [], audited: false };
      for (const policy of policies) {
        const bound = bindings.filter(
          (b) => (b.spec as BindingSpec | undefined)?.policyName === policy.metadata.name,
        );
        if (bound.length) await dispatchPolicy(deps, req, policy, bound, out);
      }
      if (out.denied.length) throw denial(req, out.denied[0]!);
    },
  };
}
