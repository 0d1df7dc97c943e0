// TokenReview and SelfSubjectReview (authentication.k8s.io/v1), create-only and never stored
// (upstream's pkg/registry/authentication/{tokenreview,selfsubjectreview}). A TokenReview
// tells a caller (a webhook, an aggregated API server) who a token stands for, for the
// audiences it names; a SelfSubjectReview tells the requester who it is (`kubectl auth whoami`).
import { badRequest, methodNotSupported } from '../../../api/errors.js';
import { isRecord } from '../../../api/types.js';
import type { UserInfo } from '../../endpoints/context.js';
import { decodeObject, validateFields } from '../../endpoints/decode.js';
import type { ResourceCall } from '../../endpoints/resource-handler.js';
import { header, readBody } from '../../http/io.js';
import { TokenError } from '../../../pki/jwt.js';
import { respondJSON } from './respond.js';
import type { RequestAuthenticatorChain } from './chain.js';

const API_VERSION = 'authentication.k8s.io/v1';

/** authentication/v1 UserInfo: empty fields left out, as Go's omitempty does. */
export function userInfoJSON(user: UserInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (user.name) out.username = user.name;
  if (user.uid) out.uid = user.uid;
  if (user.groups.length) out.groups = user.groups;
  if (user.extra && Object.keys(user.extra).length) out.extra = user.extra;
  return out;
}

function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function tokenReviewHandler(chain: RequestAuthenticatorChain) {
  return async (call: ResourceCall): Promise<boolean> => {
    if (call.info.verb !== 'create')
      throw methodNotSupported('authentication.k8s.io', 'tokenreviews', call.info.verb);
    const st = call.store.strategy;
    const review = decodeObject(await readBody(call.req), header(call.req, 'content-type'), st);
    validateFields(review, st, call.ctx);
    const spec = (isRecord(review.spec) ? review.spec : {}) as { token?: string; audiences?: string[] };
    if (!spec.token) throw badRequest('token is required for TokenReview in authentication');
    const status: Record<string, unknown> = { user: {} };
    try {
      const requested = spec.audiences?.length ? spec.audiences : chain.apiAudiences;
      const r = await chain.authenticateToken(spec.token, requested);
      if (r) {
        status.authenticated = true;
        status.user = userInfoJSON(r.user);
        status.audiences = r.audiences;
      } else status.error = 'invalid bearer token';
    } catch (err) {
      if (!(err instanceof TokenError)) throw err;
      status.error = err.message;
    }
    const metadata = isRecord(review.metadata) ? review.metadata : {};
    respondJSON(call, 201, {
      kind: 'TokenReview',
      apiVersion: API_VERSION,
      metadata: { ...metadata, creationTimestamp: metadata.creationTimestamp ?? null },
      spec,
      status,
    });
    return false;
  };
}

export function selfSubjectReviewHandler() {
  return async (call: ResourceCall): Promise<boolean> => {
    if (call.info.verb !== 'create')
      throw methodNotSupported('authentication.k8s.io', 'selfsubjectreviews', call.info.verb);
    const st = call.store.strategy;
    const review = decodeObject(await readBody(call.req), header(call.req, 'content-type'), st);
    validateFields(review, st, call.ctx);
    respondJSON(call, 201, {
      kind: 'SelfSubjectReview',
      apiVersion: API_VERSION,
      metadata: { creationTimestamp: timestamp(new Date()) },
      status: { userInfo: userInfoJSON(call.ctx.user) },
    });
    return false;
  };
}
