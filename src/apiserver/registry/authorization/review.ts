// What the authorization.k8s.io/v1 review kinds share: they are create-only and not stored
// (the handlers in handlers.ts answer them), so their strategy only tells discovery and
// OpenAPI they exist. Validation here is upstream's pkg/apis/authorization/validation.
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import type { ResourceStrategy } from '../strategy.js';
import { invalidValue, Printed, type FieldError } from '../validation.js';

export const AUTHZ_GROUP = 'authorization.k8s.io';

export function reviewStrategy(resource: string, kind: string, namespaced: boolean): ResourceStrategy {
  return {
    group: AUTHZ_GROUP,
    version: 'v1',
    resource,
    kind,
    namespaced,
    verbs: ['create'],
    definition: `io.k8s.api.authorization.v1.${kind}`,
  };
}

export interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

export interface NonResourceAttributes {
  path?: string;
  verb?: string;
}

export interface ReviewSpec {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: NonResourceAttributes;
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

export function specOf(o: KubeObject): ReviewSpec {
  return (isRecord(o.spec) ? o.spec : {}) as ReviewSpec;
}

/** Go's %v of a struct pointer in a field error (upstream prints the value it refuses). */
const shown = (v: unknown) => new Printed(v === undefined ? '<nil>' : `&${JSON.stringify(v)}`);

/** ValidateSelfSubjectAccessReviewSpec: exactly one of the two attribute kinds. */
export function validateAttributes(spec: ReviewSpec): FieldError[] {
  if (spec.resourceAttributes && spec.nonResourceAttributes)
    return [
      invalidValue(
        'spec.nonResourceAttributes',
        shown(spec.nonResourceAttributes),
        'cannot be specified in combination with resourceAttributes',
      ),
    ];
  if (!spec.resourceAttributes && !spec.nonResourceAttributes)
    return [
      invalidValue(
        'spec.resourceAttributes',
        shown(undefined),
        'exactly one of nonResourceAttributes or resourceAttributes must be specified',
      ),
    ];
  return [];
}

/** ValidateSubjectAccessReviewSpec adds: somebody to ask about. */
export function validateSubjectSpec(spec: ReviewSpec): FieldError[] {
  const errs = validateAttributes(spec);
  if (!spec.user && !spec.groups?.length)
    errs.push(invalidValue('spec.user', spec.user ?? '', 'at least one of user or group must be specified'));
  return errs;
}
