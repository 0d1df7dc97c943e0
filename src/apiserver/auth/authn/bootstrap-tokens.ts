// Bootstrap tokens (upstream's plugin/pkg/auth/authenticator/token/bootstrap): a bearer token
// `<token-id>.<token-secret>` matches the Secret `bootstrap-token-<token-id>` in kube-system of
// type bootstrap.kubernetes.io/token, with usage-bootstrap-authentication "true" and an
// expiration not passed. The user is system:bootstrap:<token-id> in system:bootstrappers and
// the Secret's auth-extra-groups. A token that matches no usable Secret is simply not ours
// (as upstream: nothing about the Secret is told to the client).
import { timingSafeEqual } from 'node:crypto';
import type { KubeObject } from '../../../api/types.js';
import { logger } from '../../../util/log.js';
import type { ObjectGetter, TokenAuthenticator } from './types.js';

const log = logger('authentication');

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_DEFAULT_GROUP = 'system:bootstrappers';
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';
const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const EXTRA_GROUP_RE = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

function data(secret: KubeObject, key: string): string {
  const v = (secret.data as Record<string, unknown> | undefined)?.[key];
  return typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : '';
}

/** upstream's bootstrapsecretutil.GetGroups: the default group plus the valid extra ones, sorted. */
export function bootstrapGroups(secret: KubeObject): string[] {
  const groups = new Set([BOOTSTRAP_DEFAULT_GROUP]);
  const extra = data(secret, 'auth-extra-groups');
  if (extra) {
    for (const raw of extra.split(',')) {
      const g = raw.trim();
      if (!EXTRA_GROUP_RE.test(g)) throw new Error(`group name "${g}" must match ${EXTRA_GROUP_RE.source}`);
      groups.add(g);
    }
  }
  return [...groups].sort();
}

/** Expired when the expiration is passed or cannot be read (upstream treats it so). */
export function bootstrapTokenExpired(secret: KubeObject, now: Date): boolean {
  const exp = data(secret, 'expiration');
  if (!exp) return false;
  const t = Date.parse(exp);
  return Number.isNaN(t) || t < now.getTime();
}

export function bootstrapTokenAuthenticator(
  getter: ObjectGetter,
  now = () => new Date(),
): TokenAuthenticator {
  const refuse = (secret: KubeObject, why: string) => {
    log.debug(`Bootstrap secret ${secret.metadata.namespace}/${secret.metadata.name} ${why}`);
    return undefined;
  };
  return {
    authenticateToken: async (token) => {
      const m = TOKEN_RE.exec(token);
      if (!m) return undefined;
      const [, id, tokenSecret] = m as unknown as [string, string, string];
      const secret = await getter('secrets', 'kube-system', BOOTSTRAP_TOKEN_SECRET_PREFIX + id);
      if (!secret) return undefined;
      if (secret.metadata.deletionTimestamp) return refuse(secret, 'is deleted and awaiting removal');
      if ((secret as { type?: string }).type !== BOOTSTRAP_TOKEN_SECRET_TYPE || !secret.data)
        return refuse(secret, `has invalid type, expected ${BOOTSTRAP_TOKEN_SECRET_TYPE}.`);
      const stored = Buffer.from(data(secret, 'token-secret'));
      const given = Buffer.from(tokenSecret);
      if (stored.length !== given.length || !timingSafeEqual(stored, given))
        return refuse(secret, 'has invalid value for key token-secret.');
      if (data(secret, 'token-id') !== id) return refuse(secret, 'has invalid value for key token-id.');
      if (bootstrapTokenExpired(secret, now())) return refuse(secret, 'has expired.');
      if (data(secret, 'usage-bootstrap-authentication') !== 'true')
        return refuse(secret, 'not marked usage-bootstrap-authentication=true.');
      let groups: string[];
      try {
        groups = bootstrapGroups(secret);
      } catch (err) {
        return refuse(secret, `has invalid value for key auth-extra-groups: ${(err as Error).message}.`);
      }
      return { user: { name: BOOTSTRAP_USER_PREFIX + id, groups }, audiences: [] };
    },
  };
}
