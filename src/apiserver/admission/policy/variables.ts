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
