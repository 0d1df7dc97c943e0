// validatingadmissionpolicies and validatingadmissionpolicybindings (admissionregistration.k8s.io/v1,
// GA in 1.30): stored objects the ValidatingAdmissionPolicy plugin reads. Defaults and the checks
// of upstream's validation that matter to evaluation: expressions compile, validationActions are
// known, a binding names its policy. status.typeChecking is left empty (no type checker).
import { isRecord, type KubeObject } from '../../../api/types.js';
import { compileExpression, CompileError } from '../../cel/compile.js';
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { invalidValue, notSupported, required, type FieldError } from '../validation.js';
import { POLICY_VARIABLES } from '../../admission/policy/variables.js';

const GROUP = 'admissionregistration.k8s.io';

interface PolicySpec {
  failurePolicy?: string;
  matchConstraints?: Record<string, unknown>;
  validations?: { expression?: string; message?: string; messageExpression?: string; reason?: string }[];
  variables?: { name?: string; expression?: string }[];
  matchConditions?: { name?: string; expression?: string }[];
  paramKind?: { apiVersion?: string; kind?: string };
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
) {
  if (!expr) return void errs.push(required(path, ''));
  try {
    compileExpression(expr, { variables: POLICY_VARIABLES, result });
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
  const validations = spec.validations ?? [];
  if (!validations.length)
    errs.push(required('spec.validations', 'validations must contain at least one item'));
  validations.forEach((v, i) => {
    compiles(v.expression, `spec.validations[${i}].expression`, 'bool', errs);
    if (v.messageExpression)
      compiles(v.messageExpression, `spec.validations[${i}].messageExpression`, 'string', errs);
  });
  (spec.variables ?? []).forEach((v, i) => {
    if (!v.name) errs.push(required(`spec.variables[${i}].name`, 'name is not specified'));
    compiles(v.expression, `spec.variables[${i}].expression`, 'any', errs);
  });
  (spec.matchConditions ?? []).forEach((m, i) => {
    if (!m.name) errs.push(required(`spec.matchConditions[${i}].name`, ''));
    compiles(m.expression, `spec.matchConditions[${i}].expression`, 'bool', errs);
  });
  return errs;
}

const ACTIONS = ['Audit', 'Deny', 'Warn'];

function validateBinding(b: KubeObject): FieldError[] {
  const spec = (isRecord(b.spec) ? b.spec : {}) as { policyName?: string; validationActions?: string[] };
  const errs: FieldError[] = [];
  if (!spec.policyName) errs.push(required('spec.policyName', ''));
  const actions = spec.validationActions ?? [];
  if (!actions.length)
    errs.push(required('spec.validationActions', 'at least one validation action is required'));
  actions.forEach((a, i) => {
    if (!ACTIONS.includes(a)) errs.push(notSupported(`spec.validationActions[${i}]`, a, ACTIONS));
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
