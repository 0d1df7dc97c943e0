// The variables a ValidatingAdmissionPolicy expression may name (upstream's
// admission/plugin/policy/validating: object, oldObject, request, params, namespaceObject,
// variables, authorizer; `authorizer.requestResource` is a select on authorizer).
export const POLICY_VARIABLES = {
  object: undefined,
  oldObject: undefined,
  request: undefined,
  params: undefined,
  namespaceObject: undefined,
  variables: undefined,
  authorizer: undefined,
};

/** The variables of a policy: `params` is declared only when the policy has a paramKind (as upstream). */
export function policyVariables(hasParams: boolean): Record<string, undefined> {
  if (hasParams) return POLICY_VARIABLES;
  const { params: _params, ...rest } = POLICY_VARIABLES;
  return rest;
}
