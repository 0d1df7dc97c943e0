// The answers of authorization.k8s.io/v1 (upstream's pkg/registry/authorization/*): each review
// is decoded, validated, put to the API server's authorizer and returned with its status; none
// is stored. SelfSubjectRulesReview lists what the RBAC rule resolver enumerates.
import { badRequest, invalid, methodNotSupported, StatusError } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/types.js';
import type { AuthorizationAttributes, Authorizer } from '../../auth/types.js';
import { isListingAuthorizer } from '../../auth/union.js';
import type { UserInfo } from '../../endpoints/context.js';
import type { CustomHandlers } from '../../endpoints/custom.js';
import { checkNamespace, decodeObject } from '../../endpoints/decode.js';
import { respond, type ResourceCall } from '../../endpoints/resource-handler.js';
import type { ApiServerParts } from '../../extensions.js';
import { header, readBody } from '../../http/io.js';
import { errorBody, errorText, invalidValue, Printed, type FieldError } from '../validation.js';
import { AUTHZ_GROUP, specOf, validateAttributes, validateSubjectSpec, type ReviewSpec } from './review.js';

/** upstream's authorizationutil.ResourceAttributesFrom / NonResourceAttributesFrom. */
export function attributesFrom(user: UserInfo, spec: ReviewSpec): AuthorizationAttributes {
  const r = spec.resourceAttributes;
  if (r)
    return {
      user,
      verb: r.verb ?? '',
      resourceRequest: true,
      group: r.group ?? '',
      version: r.version || '*',
      resource: r.resource ?? '',
      subresource: r.subresource ?? '',
      namespace: r.namespace ?? '',
      name: r.name ?? '',
      path: '',
    };
  const n = spec.nonResourceAttributes ?? {};
  return {
    user,
    verb: n.verb ?? '',
    resourceRequest: false,
    group: '',
    version: '',
    resource: '',
    subresource: '',
    namespace: '',
    name: '',
    path: n.path ?? '',
  };
}

function refuseInvalid(kind: string, errs: FieldError[]): void {
  if (!errs.length) return;
  const e = invalid(
    AUTHZ_GROUP,
    kind,
    '',
    errs.map((f) => ({ type: f.type, field: f.field, message: errorBody(f), text: errorText(f) })),
  );
  // upstream names the kind with its group: `SubjectAccessReview.authorization.k8s.io "" is invalid: ...`
  throw new StatusError(
    e.code,
    e.reason,
    e.message.replace(`${kind} ""`, `${kind}.${AUTHZ_GROUP} ""`),
    e.details,
  );
}

async function decoded(call: ResourceCall): Promise<KubeObject> {
  if (call.info.verb !== 'create')
    throw methodNotSupported(call.store.strategy.group, call.store.strategy.resource, call.info.verb);
  const obj = decodeObject(await readBody(call.req), header(call.req, 'content-type'), call.store.strategy);
  checkNamespace(obj, call.store.strategy, call.info.namespace);
  // what upstream's Go ObjectMeta serializes for an object never stored
  (obj.metadata as Record<string, unknown>).creationTimestamp ??= null;
  return obj;
}

async function answer(
  call: ResourceCall,
  authorizer: Authorizer,
  obj: KubeObject,
  attrs: AuthorizationAttributes,
) {
  const { decision, reason } = await authorizer.authorize(attrs);
  const status: Record<string, unknown> = { allowed: decision === 'allow' };
  if (decision === 'deny') status.denied = true;
  if (reason) status.reason = reason;
  respond(call, 201, { ...obj, status });
  return false;
}

/** The user a SubjectAccessReview asks about, exactly as given (no groups added). */
function subjectOf(spec: ReviewSpec): UserInfo {
  const u: UserInfo = { name: spec.user ?? '', groups: spec.groups ?? [] };
  if (spec.uid) u.uid = spec.uid;
  if (spec.extra) u.extra = spec.extra;
  return u;
}

export function registerAuthorizationReviews(custom: CustomHandlers, parts: ApiServerParts): void {
  const authorizer = parts.authorizer;
  custom.register(AUTHZ_GROUP, 'subjectaccessreviews', '', async (call) => {
    const obj = await decoded(call);
    const spec = specOf(obj);
    refuseInvalid('SubjectAccessReview', validateSubjectSpec(spec));
    return answer(call, authorizer, obj, attributesFrom(subjectOf(spec), spec));
  });
  custom.register(AUTHZ_GROUP, 'selfsubjectaccessreviews', '', async (call) => {
    const obj = await decoded(call);
    const spec = specOf(obj);
    refuseInvalid('SelfSubjectAccessReview', validateAttributes(spec));
    return answer(call, authorizer, obj, attributesFrom(call.ctx.user, spec));
  });
  custom.register(AUTHZ_GROUP, 'localsubjectaccessreviews', '', async (call) => {
    const obj = await decoded(call);
    const spec = specOf(obj);
    const errs = validateSubjectSpec(spec);
    if (spec.nonResourceAttributes)
      errs.push(
        invalidValue(
          'spec.nonResourceAttributes',
          new Printed(`&${JSON.stringify(spec.nonResourceAttributes)}`),
          'disallowed on this kind of request',
        ),
      );
    refuseInvalid('LocalSubjectAccessReview', errs);
    const namespace = call.info.namespace ?? '';
    if (spec.resourceAttributes && spec.resourceAttributes.namespace !== namespace)
      throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
    return answer(call, authorizer, obj, attributesFrom(subjectOf(spec), spec));
  });
  custom.register(AUTHZ_GROUP, 'selfsubjectrulesreviews', '', async (call) => {
    const obj = await decoded(call);
    const namespace = (specOf(obj) as { namespace?: string }).namespace ?? '';
    if (!namespace) throw badRequest('no namespace on request');
    const status: Record<string, unknown> = { resourceRules: [], nonResourceRules: [], incomplete: true };
    if (isListingAuthorizer(authorizer)) {
      const r = authorizer.rulesFor(call.ctx.user, namespace);
      status.resourceRules = r.resourceRules.map((x) => {
        const rule: Record<string, unknown> = { verbs: x.verbs };
        if (x.apiGroups?.length) rule.apiGroups = x.apiGroups;
        if (x.resources?.length) rule.resources = x.resources;
        if (x.resourceNames?.length) rule.resourceNames = x.resourceNames;
        return rule;
      });
      status.nonResourceRules = r.nonResourceRules.map((x) => ({
        verbs: x.verbs,
        nonResourceURLs: x.nonResourceURLs,
      }));
      status.incomplete = r.incomplete;
      if (r.errors.length)
        status.evaluationError = r.errors.length === 1 ? r.errors[0] : `[${r.errors.join(', ')}]`;
    } else status.evaluationError = 'the authorizer cannot list rules';
    respond(call, 201, { ...obj, status });
    return false;
  });
}
