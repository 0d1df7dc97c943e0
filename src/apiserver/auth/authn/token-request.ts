// POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token: the TokenRequest API
// (upstream's pkg/registry/core/serviceaccount/storage/token.go). Issues a bound token for
// the service account, optionally bound to a Pod (its node named too), a Secret or a Node,
// for the asked audiences (the API server's by default) and lifetime (3600 s by default,
// at least 10 minutes).
import { badRequest, conflict, methodNotSupported } from '../../../api/errors.js';
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { decodeObject, validateFields } from '../../endpoints/decode.js';
import type { ResourceCall } from '../../endpoints/resource-handler.js';
import { header, readBody } from '../../http/io.js';
import { tokenRequestKind } from '../../registry/authentication/tokenrequests.js';
import { invalidValue, type FieldError } from '../../registry/validation.js';
import { invalidObject, respondJSON } from './respond.js';
import {
  EXPIRATION_EXTENSION_SECONDS,
  WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS,
  type BoundObjects,
} from './sa-claims.js';
import type { ServiceAccountTokens } from './service-accounts.js';

const GROUP = 'authentication.k8s.io';
const DEFAULT_EXPIRATION_SECONDS = 60 * 60;
const MIN_EXPIRATION_SECONDS = 10 * 60;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

export interface TokenRequestOptions {
  /** --service-account-max-token-expiration in seconds; 0 = no limit. */
  maxExpirationSeconds?: number;
  /** --service-account-extend-token-expiration (default true). */
  extendExpiration?: boolean;
}

interface BoundObjectRef {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

/** upstream's ValidateTokenRequest. */
export function validateTokenRequest(expirationSeconds: number): FieldError[] {
  const errs: FieldError[] = [];
  if (expirationSeconds < MIN_EXPIRATION_SECONDS)
    errs.push(
      invalidValue(
        'spec.expirationSeconds',
        expirationSeconds,
        'may not specify a duration less than 10 minutes',
      ),
    );
  if (expirationSeconds > MAX_EXPIRATION_SECONDS)
    errs.push(
      invalidValue(
        'spec.expirationSeconds',
        expirationSeconds,
        'may not specify a duration larger than 2^32 seconds',
      ),
    );
  return errs;
}

function groupOf(apiVersion: string | undefined): string {
  const v = apiVersion ?? '';
  return v.includes('/') ? v.slice(0, v.indexOf('/')) : '';
}

/** Go's schema.GroupVersionKind.String(): "apps/v1, Kind=Deployment", "/v1, Kind=Pod". */
function gvkString(ref: BoundObjectRef): string {
  const v = ref.apiVersion ?? '';
  const [group, version] = v.includes('/')
    ? [v.slice(0, v.indexOf('/')), v.slice(v.indexOf('/') + 1)]
    : ['', v];
  return `${group}/${version}, Kind=${ref.kind ?? ''}`;
}

async function boundObject(
  call: ResourceCall,
  saName: string,
  namespace: string,
  ref: BoundObjectRef,
): Promise<BoundObjects> {
  const get = async (resource: string, ns: string | undefined, name: string) => {
    const store = call.lookup('', resource);
    if (!store) throw new Error(`no store for ${resource}`);
    return store.get(ns, name);
  };
  let bound: BoundObjects;
  let target: KubeObject;
  const kind = groupOf(ref.apiVersion) === '' ? ref.kind : undefined;
  if (kind === 'Pod') {
    const pod = await get('pods', namespace, ref.name ?? '');
    const podSA = (pod.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName;
    if (podSA !== saName)
      throw badRequest(
        `cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`,
      );
    bound = { pod };
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (nodeName) {
      // a node we cannot read is simply not named in the token (as upstream)
      const node = await get('nodes', undefined, nodeName).catch(() => undefined);
      if (node) bound.node = node;
    }
    target = pod;
  } else if (kind === 'Secret') {
    target = await get('secrets', namespace, ref.name ?? '');
    bound = { secret: target };
  } else if (kind === 'Node') {
    target = await get('nodes', undefined, ref.name ?? '');
    bound = { node: target };
  } else {
    throw badRequest(`cannot bind token for serviceaccount "${saName}" to object of type ${gvkString(ref)}.`);
  }
  if (ref.uid && ref.uid !== target.metadata.uid)
    throw conflict(
      groupOf(ref.apiVersion),
      ref.kind ?? '',
      ref.name ?? '',
      `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  return bound;
}

export function tokenRequestHandler(tokens: ServiceAccountTokens, opts: TokenRequestOptions = {}) {
  const maxExpiration = opts.maxExpirationSeconds ?? 0;
  const extendExpiration = opts.extendExpiration ?? true;
  return async (call: ResourceCall): Promise<boolean> => {
    const { info, ctx } = call;
    if (info.verb !== 'create') throw methodNotSupported('', 'serviceaccounts/token', info.verb);
    const name = info.name ?? '';
    const namespace = info.namespace ?? '';
    const req = decodeObject(await readBody(call.req), header(call.req, 'content-type'), tokenRequestKind);
    validateFields(req, tokenRequestKind, ctx);
    if (req.metadata.name && req.metadata.name !== name)
      throw invalidObject(GROUP, 'TokenRequest', name, [
        invalidValue('metadata.name', req.metadata.name, 'must match the service account name if specified'),
      ]);
    if (req.metadata.namespace && req.metadata.namespace !== namespace)
      throw invalidObject(GROUP, 'TokenRequest', name, [
        invalidValue(
          'metadata.namespace',
          req.metadata.namespace,
          'must match the service account namespace if specified',
        ),
      ]);
    const sa = await call.store.get(namespace, name);
    const spec = (isRecord(req.spec) ? req.spec : {}) as {
      audiences?: string[];
      expirationSeconds?: number;
      boundObjectRef?: BoundObjectRef | null;
    };
    if (!spec.audiences?.length) spec.audiences = [...tokens.apiAudiences];
    spec.expirationSeconds ??= DEFAULT_EXPIRATION_SECONDS;
    if (spec.boundObjectRef === undefined) spec.boundObjectRef = null;
    const now = new Date();
    const errs = validateTokenRequest(spec.expirationSeconds);
    if (errs.length) throw invalidObject(GROUP, 'TokenRequest', '', errs);
    const bound = spec.boundObjectRef ? await boundObject(call, name, namespace, spec.boundObjectRef) : {};
    if (maxExpiration > 0 && spec.expirationSeconds > maxExpiration) {
      ctx.warnings.push(
        `requested expiration of ${spec.expirationSeconds} seconds shortened to ${maxExpiration} seconds`,
      );
      spec.expirationSeconds = maxExpiration;
    }
    // the projected-volume default (3607 s) for the API server's audiences lives a year and
    // only warns after the hour, so that clients that do not reload tokens keep working
    let exp = spec.expirationSeconds;
    let warnAfter: number | undefined;
    const kubeAudiences = spec.audiences.every((a) => tokens.apiAudiences.includes(a));
    if (extendExpiration && bound.pod && exp === WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS && kubeAudiences) {
      warnAfter = exp;
      exp = Math.max(maxExpiration, EXPIRATION_EXTENSION_SECONDS);
    }
    const { token } = tokens.issue(sa, bound, exp, spec.audiences, warnAfter, now);
    const out = {
      kind: 'TokenRequest',
      apiVersion: `${GROUP}/v1`,
      metadata: {
        name: sa.metadata.name,
        namespace: sa.metadata.namespace,
        creationTimestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
      spec,
      status: {
        token,
        expirationTimestamp: new Date(now.getTime() + spec.expirationSeconds * 1000)
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z'),
      },
    };
    respondJSON(call, 201, out);
    return false;
  };
}
