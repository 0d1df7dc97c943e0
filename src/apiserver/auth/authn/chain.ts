// The request authenticator (k8s.io/apiserver's authenticator union): a verified client
// certificate, else a bearer token (Authorization header, or the WebSocket subprotocol
// `base64url.bearer.authorization.k8s.io.<token>`) that one of the token authenticators
// accepts. Credentials that are present but bad are a 401, on every path: as upstream, a bad
// token is never taken for anonymous. Authenticated users get system:authenticated.
import { unauthorized } from '../../../api/errors.js';
import { TokenError } from '../../../pki/jwt.js';
import type { UserInfo } from '../../endpoints/context.js';
import type { Req } from '../../http/io.js';
import { presentedUntrustedCertificate, userFromSocket } from '../x509.js';
import { headerValues } from './headers.js';
import { logger } from '../../../util/log.js';
import type { TokenAuthenticator, TokenResult } from './types.js';
import type { X509Certificate } from 'node:crypto';

const log = logger('authentication');

export const ALL_AUTHENTICATED = 'system:authenticated';
export const ALL_UNAUTHENTICATED = 'system:unauthenticated';
const WS_BEARER_PREFIX = 'base64url.bearer.authorization.k8s.io.';

/** Adds system:authenticated unless the user has it (upstream's AuthenticatedGroupAdder). */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.groups.includes(ALL_AUTHENTICATED)) return user;
  return { ...user, groups: [...user.groups, ALL_AUTHENTICATED] };
}

/**
 * An authenticator that knows nothing of audiences (static tokens, bootstrap tokens) is good
 * for the API server's own audiences only (upstream's WrapAudienceAgnosticToken).
 */
export function audienceAgnostic(apiAudiences: string[], inner: TokenAuthenticator): TokenAuthenticator {
  return {
    authenticateToken: async (token, requested) => {
      const accepted = apiAudiences.length ? apiAudiences.filter((a) => requested.includes(a)) : requested;
      if (apiAudiences.length && accepted.length === 0) return undefined;
      const r = await inner.authenticateToken(token, requested);
      return r && { user: r.user, audiences: accepted };
    },
  };
}

/** Tries each authenticator in turn; the first that accepts wins (upstream's token union). */
export function tokenUnion(authenticators: TokenAuthenticator[]): TokenAuthenticator {
  return {
    authenticateToken: async (token, audiences) => {
      const errors: string[] = [];
      for (const a of authenticators) {
        try {
          const r = await a.authenticateToken(token, audiences);
          if (r) return r;
        } catch (err) {
          if (!(err instanceof TokenError)) throw err;
          errors.push(err.message);
        }
      }
      if (errors.length === 1) throw new TokenError(errors[0]);
      if (errors.length > 1) throw new TokenError(`[${errors.join(', ')}]`);
      return undefined;
    },
  };
}

/** The bearer token of the Authorization header, as upstream's bearertoken authenticator reads it. */
export function bearerToken(req: Req): string | undefined {
  const auth = (headerValues(req, 'authorization')[0] ?? '').trim();
  if (!auth) return undefined;
  const parts = auth.split(' ');
  if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer') return undefined;
  return parts[1] || undefined;
}

/** A token carried in the WebSocket subprotocol list (browsers cannot set headers on WebSockets). */
export function webSocketToken(req: Req): string | undefined {
  if ((headerValues(req, 'upgrade')[0] ?? '').toLowerCase() !== 'websocket') return undefined;
  for (const line of headerValues(req, 'sec-websocket-protocol'))
    for (const p of line.split(',')) {
      const proto = p.trim();
      if (!proto.startsWith(WS_BEARER_PREFIX)) continue;
      const encoded = proto.slice(WS_BEARER_PREFIX.length);
      if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
      return Buffer.from(encoded, 'base64url').toString('utf8');
    }
  return undefined;
}

export class RequestAuthenticatorChain {
  constructor(
    private readonly tokens: TokenAuthenticator,
    readonly apiAudiences: string[],
    /** The CA client certificates are checked against when the TLS layer did not check them. */
    private readonly clientCA?: X509Certificate,
  ) {}

  /** The user a token stands for, for the given audiences (TokenReview uses this). */
  authenticateToken(token: string, audiences = this.apiAudiences): Promise<TokenResult | undefined> {
    return this.tokens
      .authenticateToken(token, audiences)
      .then((r) => r && { user: withAuthenticatedGroup(r.user), audiences: r.audiences });
  }

  /** The requester, undefined when the request carries no credentials; throws 401 for bad ones. */
  async authenticate(req: Req & { socket?: unknown }): Promise<UserInfo | undefined> {
    const socket = req.socket as Parameters<typeof userFromSocket>[0];
    const fromCert = userFromSocket(socket, this.clientCA);
    if (fromCert) return withAuthenticatedGroup(fromCert);
    const token = bearerToken(req) ?? webSocketToken(req);
    if (token !== undefined) {
      let r: TokenResult | undefined;
      try {
        r = await this.authenticateToken(token);
      } catch (err) {
        if (!(err instanceof TokenError)) throw err;
        log.debug('Unable to authenticate the request', { reason: err.message });
        throw unauthorized();
      }
      if (!r) {
        log.debug('Unable to authenticate the request', { reason: 'invalid bearer token' });
        throw unauthorized();
      }
      return r.user;
    }
    if (presentedUntrustedCertificate(socket, this.clientCA)) {
      log.debug('Unable to authenticate the request', { reason: 'untrusted client certificate' });
      throw unauthorized();
    }
    return undefined;
  }
}
