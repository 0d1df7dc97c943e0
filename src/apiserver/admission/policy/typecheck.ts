// status.typeChecking of a ValidatingAdmissionPolicy (upstream's validating/typechecking.go):
// each validation's expression and messageExpression is compiled once per kind the
// matchConstraints name explicitly (no wildcards, no subresources; at most 10 kinds, sorted by
// group, version, kind) with `object`, `oldObject` (and `params`, for a built-in paramKind)
// typed by that kind's schema. What fails gives an expression warning
// `<group>/<version>, Kind=<kind>: <issues>`. k8ts' check finds fields the schema does not
// have (`undefined field 'x'`), not cel-go's type errors; kinds are the built-in ones (a CRD's
// kinds are not checked).
import { definitions } from '../../../api/schema/index.js';
import type { PropSchema } from '../../../api/schema/dsl.js';
import { compileExpression, CompileError, type FieldScope } from '../../cel/compile.js';
import type { ResourceStrategy } from '../../registry/strategy.js';
import type { PolicySpec } from './types.js';
import { policyVariables } from './variables.js';

export interface ExpressionWarning {
  fieldRef: string;
  warning: string;
}

/** upstream's maxTypesToCheck */
const MAX_TYPES = 10;

/** What a select may name on a value of an OpenAPI schema of the built-in definitions. */
function definitionScope(s: PropSchema | undefined, depth = 0): FieldScope | undefined {
  if (!s || depth > 64) return undefined;
  if (s.$ref) return definitionScope(definitions[s.$ref], depth + 1);
  if (s['x-kubernetes-preserve-unknown-fields'] || s['x-kubernetes-int-or-string']) return undefined;
  return {
    field(name) {
      const p = s.properties?.[name];
      if (p) return definitionScope(p, depth + 1);
      if (s.additionalProperties) return definitionScope(s.additionalProperties, depth + 1);
      if (s.type === 'object' && s.properties) return null;
      return undefined;
    },
    element() {
      if (s.type === 'array') return definitionScope(s.items, depth + 1);
      return s.additionalProperties ? definitionScope(s.additionalProperties, depth + 1) : undefined;
    },
  };
}

const noWildcard = (list: string[] | undefined) =>
  list && list.length && !list.some((v) => v.includes('*')) ? list : undefined;

/**
 * The built-in kinds, handed over by the registry once it is built (importing it from here
 * would make a cycle: the registry's policy strategy type-checks through this module).
 */
let allStrategies: readonly ResourceStrategy[] = [];
export function setTypeCheckedKinds(strategies: readonly ResourceStrategy[]): void {
  allStrategies = strategies;
}

/** The built-in kinds the policy's rules name explicitly, sorted as upstream sorts them. */
function typesToCheck(spec: PolicySpec): ResourceStrategy[] {
  const found = new Set<ResourceStrategy>();
  for (const rule of spec.matchConstraints?.resourceRules ?? []) {
    const groups = noWildcard(rule.apiGroups);
    const versions = noWildcard(rule.apiVersions);
    const resources = (rule.resources ?? []).filter((r) => !/[*/]/.test(r));
    if (!groups || !versions || !resources.length) continue;
    for (const st of allStrategies)
      if (groups.includes(st.group) && versions.includes(st.version) && resources.includes(st.resource))
        found.add(st);
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...found]
    .sort((a, b) => cmp(a.group, b.group) || cmp(a.version, b.version) || cmp(a.kind, b.kind))
    .slice(0, MAX_TYPES);
}

const gvkString = (st: { group: string; version: string; kind: string }) =>
  `${st.group}/${st.version}, Kind=${st.kind}`;

function paramScope(spec: PolicySpec): FieldScope | undefined {
  const pk = spec.paramKind;
  if (!pk?.apiVersion) return undefined;
  const slash = pk.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : pk.apiVersion.slice(0, slash);
  const version = slash < 0 ? pk.apiVersion : pk.apiVersion.slice(slash + 1);
  const st = allStrategies.find((s) => s.group === group && s.version === version && s.kind === pk.kind);
  return st ? definitionScope(definitions[st.definition]) : undefined;
}

/** The expression warnings of a policy (empty when every checked kind accepts every expression). */
export function typeCheckPolicy(spec: PolicySpec): ExpressionWarning[] {
  const kinds = typesToCheck(spec);
  if (!kinds.length) return [];
  const hasParams = spec.paramKind !== undefined;
  const params = paramScope(spec);
  const check = (expr: string): string => {
    const issues: string[] = [];
    for (const st of kinds) {
      const scope = definitionScope(definitions[st.definition]);
      const variables: Record<string, FieldScope | undefined> = {
        ...policyVariables(hasParams),
        object: scope,
        oldObject: scope,
      };
      if (hasParams) variables.params = params;
      try {
        compileExpression(expr, { variables, result: 'any' });
      } catch (e) {
        if (!(e instanceof CompileError)) throw e;
        issues.push(`${gvkString(st)}: ${e.message.replace(/^compilation failed: /, '')}\n`);
      }
    }
    return issues.join('\n');
  };
  const out: ExpressionWarning[] = [];
  (spec.validations ?? []).forEach((v, i) => {
    const w = v.expression ? check(v.expression) : '';
    if (w) out.push({ fieldRef: `spec.validations[${i}].expression`, warning: w });
    const m = v.messageExpression ? check(v.messageExpression) : '';
    if (m) out.push({ fieldRef: `spec.validations[${i}].messageExpression`, warning: m });
  });
  return out;
}
