// validatingadmissionpolicies and validatingadmissionpolicybindings (admissionregistration.k8s.io/v1,
// GA in 1.30): stored objects the ValidatingAdmissionPolicy plugin reads. Defaults and the checks
// of upstream's validation that matter to evaluation: expressions compile, validationActions are
// known, a binding names its policy, paramKind/paramRef and auditAnnotations are well formed.
// status (observedGeneration, typeChecking) is computed on every write, where upstream's status
// controller writes it moments later.
import { isRecord, type KubeObject } from '../../../api/types.js';
import { compileExpression, CompileError } from '../../cel/compile.js';
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import {
  duplicate,
  forbidden,
  invalidValue,
  isDNS1035Label,
  isQualifiedName,
  notSupported,
  required,
  tooLong,
  type FieldError,
} from '../validation.js';
import { policyVariables } from '../../admission/policy/variables.js';
import { typeCheckPolicy } from '../../admission/policy/typecheck.js';
import type { PolicySpec as CheckedSpec } from '../../admission/policy/types.js';

const GROUP = 'admissionregistration.k8s.io';

interface PolicySpec {
  failurePolicy?: string;
  matchConstraints?: Record<string, unknown>;
  validations?: { expression?: string; message?: string; messageExpression?: string; reason?: string }[];
  variables?: { name?: string; expression?: string }[];
  matchConditions?: { name?: string; expression?: string }[];
  paramKind?: { apiVersion?: string; kind?: string };
  auditAnnotations?: { key?: string; valueExpression?: string }[];
}

function defaultMatchResources(m: Record<string, unknown> | undefined): void {
  if (!m) return;
  m.matchPolicy ??= 'Equivalent';
  m.namespaceSelector ??= {};
  m.objectSelector ??= {};
  for (const key of ['resourceRules', 'excludeResourceRules'])
    for (const r of (m[key] as Record<string, unknown>[] | undefined) ?? []) r.scope ??= '*';
}

function compiles(
  expr: string | undefined,
  path: string,
  result: 'bool' | 'string' | 'any',
  errs: FieldError[],
  hasParams: boolean,
) {
  if (!expr) return void errs.push(required(path, ''));
  try {
    compileExpression(expr, { variables: policyVariables(hasParams), result });
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    errs.push(invalidValue(path, expr, e.message));
  }
}

function validatePolicy(p: KubeObject): FieldError[] {
  const spec = (p.spec ?? {}) as PolicySpec;
  const errs: FieldError[] = [];
  if (spec.failurePolicy && !['Fail', 'Ignore'].includes(spec.failurePolicy))
    errs.push(notSupported('spec.failurePolicy', spec.failurePolicy, ['Fail', 'Ignore']));
  if (!spec.matchConstraints) errs.push(required('spec.matchConstraints', ''));
  if (spec.paramKind) errs.push(...validateParamKind(spec.paramKind));
  const hasParams = spec.paramKind !== undefined;
  const validations = spec.validations ?? [];
  const audits = spec.auditAnnotations ?? [];
  if (!validations.length && !audits.length)
    errs.push(required('spec.validations', 'validations or auditAnnotations must contain at least one item'));
  validations.forEach((v, i) => {
    compiles(v.expression, `spec.validations[${i}].expression`, 'bool', errs, hasParams);
    if (v.messageExpression)
      compiles(v.messageExpression, `spec.validations[${i}].messageExpression`, 'string', errs, hasParams);
  });
  const keys = new Set<string>();
  audits.forEach((a, i) => {
    const path = `spec.auditAnnotations[${i}]`;
    const key = a.key ?? '';
    if (keys.has(key)) errs.push(duplicate(`${path}.key`, key));
    keys.add(key);
    // the audit event's key is "<policy>/<key>", so that must be a qualified name
    const name = p.metadata.name ?? '';
    if (!name) errs.push(invalidValue(`${path}.key`, key, 'requires metadata.name be non-empty'));
    else
      for (const m of isQualifiedName(`${name}/${key}`))
        errs.push(invalidValue(`${path}.key`, `${name}/${key}`, m));
    const expr = (a.valueExpression ?? '').trim();
    if (!expr) errs.push(required(`${path}.valueExpression`, 'valueExpression is not specified'));
    else if (expr.length > 5 * 1024) errs.push(tooLong(`${path}.valueExpression`, 5 * 1024));
    else compiles(expr, `${path}.valueExpression`, 'any', errs, hasParams);
  });
  (spec.variables ?? []).forEach((v, i) => {
    if (!v.name) errs.push(required(`spec.variables[${i}].name`, 'name is not specified'));
    compiles(v.expression, `spec.variables[${i}].expression`, 'any', errs, hasParams);
  });
  (spec.matchConditions ?? []).forEach((m, i) => {
    if (!m.name) errs.push(required(`spec.matchConditions[${i}].name`, ''));
    compiles(m.expression, `spec.matchConditions[${i}].expression`, 'bool', errs, hasParams);
  });
  return errs;
}

function validateParamKind(pk: { apiVersion?: string; kind?: string }): FieldError[] {
  const errs: FieldError[] = [];
  if (!pk.apiVersion) errs.push(required('spec.paramKind.apiVersion', ''));
  else if (pk.apiVersion.split('/').length > 2)
    errs.push(
      invalidValue(
        'spec.paramKind.apiVersion',
        pk.apiVersion,
        `unexpected GroupVersion string: ${pk.apiVersion}`,
      ),
    );
  if (!pk.kind) errs.push(required('spec.paramKind.kind', ''));
  else {
    const msgs = isDNS1035Label(pk.kind.toLowerCase());
    if (msgs.length)
      errs.push(
        invalidValue(
          'spec.paramKind.kind',
          pk.kind,
          `may have mixed case, but should otherwise match: ${msgs.join(',')}`,
        ),
      );
  }
  return errs;
}

interface ParamRefSpec {
  name?: string;
  namespace?: string;
  selector?: Record<string, unknown>;
  parameterNotFoundAction?: string;
}

function validateParamRef(ref: ParamRefSpec): FieldError[] {
  const errs: FieldError[] = [];
  const path = 'spec.paramRef';
  if (ref.name) {
    for (const m of pathSegmentErrors(ref.name)) errs.push(invalidValue(`${path}.name`, ref.name, m));
    if (ref.selector) errs.push(forbidden(`${path}.name`, 'name and selector are mutually exclusive'));
  }
  if (ref.namespace)
    for (const m of pathSegmentErrors(ref.namespace))
      errs.push(invalidValue(`${path}.namespace`, ref.namespace, m));
  if (ref.selector && ref.name)
    errs.push(forbidden(`${path}.selector`, 'name and selector are mutually exclusive'));
  if (!ref.name && !ref.selector) errs.push(required(path, 'one of name or selector must be specified'));
  if (!ref.parameterNotFoundAction) errs.push(required(`${path}.parameterNotFoundAction`, ''));
  else if (!['Deny', 'Allow'].includes(ref.parameterNotFoundAction))
    errs.push(
      notSupported(`${path}.parameterNotFoundAction`, ref.parameterNotFoundAction, ['Deny', 'Allow']),
    );
  return errs;
}

/** upstream's path.ValidatePathSegmentName (names that can be a URL path segment). */
function pathSegmentErrors(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  for (const bad of ['/', '%']) if (name.includes(bad)) return [`may not contain '${bad}'`];
  return [];
}

const ACTIONS = ['Audit', 'Deny', 'Warn'];

function validateBinding(b: KubeObject): FieldError[] {
  const spec = (isRecord(b.spec) ? b.spec : {}) as {
    policyName?: string;
    validationActions?: string[];
    paramRef?: ParamRefSpec;
  };
  const errs: FieldError[] = [];
  if (!spec.policyName) errs.push(required('spec.policyName', ''));
  if (spec.paramRef) errs.push(...validateParamRef(spec.paramRef));
  const actions = spec.validationActions ?? [];
  if (!actions.length)
    errs.push(required('spec.validationActions', 'at least one validation action is required'));
  actions.forEach((a, i) => {
    if (!ACTIONS.includes(a)) errs.push(notSupported(`spec.validationActions[${i}]`, a, ACTIONS));
    if (actions.indexOf(a) < i) errs.push(duplicate(`spec.validationActions[${i}]`, a));
  });
  if (actions.includes('Deny') && actions.includes('Warn'))
    errs.push(
      invalidValue(
        'spec.validationActions',
        actions,
        'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
      ),
    );
  return errs;
}

/** What upstream's status controller records: the generation checked and its expression warnings. */
function setStatus(p: KubeObject): void {
  const warnings = typeCheckPolicy((p.spec ?? {}) as CheckedSpec);
  p.status = {
    observedGeneration: p.metadata.generation,
    typeChecking: warnings.length ? { expressionWarnings: warnings } : {},
  };
}

const policyTable = {
  columns: [
    nameColumn,
    col('Validations', 'Validations', 0, 'integer'),
    col('ParamKind', 'ParamKind'),
    ageColumn,
  ],
  cells: (p: KubeObject, now: Date) => {
    const spec = (p.spec ?? {}) as PolicySpec;
    const pk = spec.paramKind;
    return [
      p.metadata.name,
      (spec.validations ?? []).length,
      pk ? `${pk.apiVersion ?? ''}/${pk.kind ?? ''}` : '<unset>',
      age(p.metadata.creationTimestamp, now),
    ];
  },
};

const bindingTable = {
  columns: [nameColumn, col('PolicyName', 'PolicyName'), col('ParamRef', 'ParamRef'), ageColumn],
  cells: (b: KubeObject, now: Date) => {
    const spec = (b.spec ?? {}) as { policyName?: string; paramRef?: { namespace?: string; name?: string } };
    const ref = spec.paramRef;
    return [
      b.metadata.name,
      spec.policyName ?? '',
      ref ? `${ref.namespace ? `${ref.namespace}/` : ''}${ref.name ?? '*'}` : '<unset>',
      age(b.metadata.creationTimestamp, now),
    ];
  },
};

export const validatingadmissionpolicies = defineResource({
  group: GROUP,
  version: 'v1',
  resource: 'validatingadmissionpolicies',
  kind: 'ValidatingAdmissionPolicy',
  namespaced: false,
  categories: ['api-extensions'],
  definition: 'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicy',
  status: true,
  generation: true,
  defaults: (p) => {
    const spec = (p.spec ??= {}) as PolicySpec;
    spec.failurePolicy ??= 'Fail';
    defaultMatchResources(spec.matchConstraints);
  },
  prepareForCreate: (p) => setStatus(p),
  prepareForUpdate: (p) => setStatus(p),
  validate: validatePolicy,
  table: policyTable,
});

export const validatingadmissionpolicybindings = defineResource({
  group: GROUP,
  version: 'v1',
  resource: 'validatingadmissionpolicybindings',
  kind: 'ValidatingAdmissionPolicyBinding',
  namespaced: false,
  categories: ['api-extensions'],
  definition: 'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBinding',
  generation: true,
  defaults: (b) => {
    const spec = (b.spec ??= {}) as { matchResources?: Record<string, unknown> };
    defaultMatchResources(spec.matchResources);
  },
  validate: validateBinding,
  table: bindingTable,
});
