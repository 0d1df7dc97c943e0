// The admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy shapes the plugin reads (the
// fields k8ts acts on).
import type { RuleWithOperations, Webhook } from '../webhook/types.js';
import type { ParamKind, ParamRef } from './params.js';

export interface NamedRule extends RuleWithOperations {
  resourceNames?: string[];
}
export interface MatchResources {
  namespaceSelector?: Webhook['namespaceSelector'];
  objectSelector?: Webhook['objectSelector'];
  resourceRules?: NamedRule[];
  excludeResourceRules?: NamedRule[];
  matchPolicy?: 'Exact' | 'Equivalent';
}
export interface Validation {
  expression: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
}
export interface PolicySpec {
  failurePolicy?: 'Fail' | 'Ignore';
  paramKind?: ParamKind;
  matchConstraints?: MatchResources;
  validations?: Validation[];
  auditAnnotations?: { key: string; valueExpression: string }[];
  variables?: { name: string; expression: string }[];
  matchConditions?: { name: string; expression: string }[];
}
export interface BindingSpec {
  policyName?: string;
  paramRef?: ParamRef;
  validationActions?: string[];
  matchResources?: MatchResources;
}
