import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceAccountTokens } from '../../../src/apiserver/auth/authn/service-accounts.js';
import { DEFAULT_ISSUER, legacyTokenClaims } from '../../../src/apiserver/auth/authn/sa-claims.js';
import { signJWT, TokenError } from '../../../src/pki/jwt.js';
import { decodeClaims, memoryGetter, obj, rsaKey } from './helpers.js';

const AUDS = [DEFAULT_ISSUER];

function setup(now = () => new Date()) {
  const key = rsaKey();
  const m = memoryGetter();
  const sa = obj('ServiceAccount', 'default', 'robot', 'sa-uid-1');
  m.put('serviceaccounts', sa);
  const tokens = new ServiceAccountTokens({
    issuer: DEFAULT_ISSUER,
    apiAudiences: AUDS,
    key,
    getter: m.getter,
    now,
  });
  return { key, m, sa, tokens };
}

async function refusedWith(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof TokenError && re.test(e.message));
}

describe('service-account tokens', () => {
  it("a bound token carries upstream's claims", () => {
    const { tokens, sa } = setup();
    const now = new Date('2026-01-01T00:00:00Z');
    const { token } = tokens.issue(sa, {}, 3600, AUDS, undefined, now);
    const c = decodeClaims(token);
    assert.deepEqual(Object.keys(c), ['aud', 'exp', 'iat', 'iss', 'jti', 'kubernetes.io', 'nbf', 'sub']);
    assert.equal(c.iss, DEFAULT_ISSUER);
    assert.equal(c.aud, DEFAULT_ISSUER);
    assert.equal(c.sub, 'system:serviceaccount:default:robot');
    assert.equal(c.iat, 1767225600);
    assert.equal(c.nbf, 1767225600);
    assert.equal(c.exp, 1767225600 + 3600);
    assert.match(String(c.jti), /^[0-9a-f-]{36}$/);
    assert.deepEqual(c['kubernetes.io'], {
      namespace: 'default',
      serviceaccount: { name: 'robot', uid: 'sa-uid-1' },
    });
  });

  it('authenticates as the service account with its groups, uid and credential id', async () => {
    const { tokens, sa } = setup();
    const { token, claims } = tokens.issue(sa, {}, 3600, AUDS);
    const r = await tokens.authenticator.authenticateToken(token, AUDS);
    assert.deepEqual(r, {
      user: {
        name: 'system:serviceaccount:default:robot',
        uid: 'sa-uid-1',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:default'],
        extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${String(claims.jti)}`] },
      },
      audiences: AUDS,
    });
  });

  it('a pod-bound token names the pod and its node in extra, and dies with the pod', async () => {
    const { tokens, sa, m } = setup();
    const pod = obj('Pod', 'default', 'web', 'pod-uid-1', {
      spec: { serviceAccountName: 'robot', nodeName: 'n1' },
    });
    const node = obj('Node', undefined, 'n1', 'node-uid-1');
    m.put('pods', pod);
    m.put('nodes', node);
    const { token, claims } = tokens.issue(sa, { pod, node }, 3600, AUDS);
    assert.deepEqual((claims['kubernetes.io'] as Record<string, unknown>).pod, {
      name: 'web',
      uid: 'pod-uid-1',
    });
    assert.deepEqual((claims['kubernetes.io'] as Record<string, unknown>).node, {
      name: 'n1',
      uid: 'node-uid-1',
    });
    const r = await tokens.authenticator.authenticateToken(token, AUDS);
    const extra = r!.user.extra!;
    assert.deepEqual(extra['authentication.kubernetes.io/pod-name'], ['web']);
    assert.deepEqual(extra['authentication.kubernetes.io/pod-uid'], ['pod-uid-1']);
    assert.deepEqual(extra['authentication.kubernetes.io/node-name'], ['n1']);
    assert.deepEqual(extra['authentication.kubernetes.io/node-uid'], ['node-uid-1']);
    m.remove('pods', 'default', 'web');
    await refusedWith(
      tokens.authenticator.authenticateToken(token, AUDS),
      /^service account token has been invalidated$/,
    );
    m.put('pods', obj('Pod', 'default', 'web', 'pod-uid-2'));
    await refusedWith(
      tokens.authenticator.authenticateToken(token, AUDS),
      /^pod UID \(pod-uid-2\) does not match service account pod ref claim \(pod-uid-1\)$/,
    );
  });

  it('a secret-bound or node-bound token dies with its object', async () => {
    const { tokens, sa, m } = setup();
    const secret = obj('Secret', 'default', 's', 'sec-uid');
    const node = obj('Node', undefined, 'n2', 'node-uid-2');
    m.put('secrets', secret);
    m.put('nodes', node);
    const bySecret = tokens.issue(sa, { secret }, 3600, AUDS).token;
    const byNode = tokens.issue(sa, { node }, 3600, AUDS).token;
    assert.ok(await tokens.authenticator.authenticateToken(bySecret, AUDS));
    assert.equal(
      (await tokens.authenticator.authenticateToken(byNode, AUDS))!.user.extra![
        'authentication.kubernetes.io/node-name'
      ]![0],
      'n2',
    );
    m.remove('secrets', 'default', 's');
    m.remove('nodes', undefined, 'n2');
    await refusedWith(tokens.authenticator.authenticateToken(bySecret, AUDS), /invalidated/);
    await refusedWith(tokens.authenticator.authenticateToken(byNode, AUDS), /invalidated/);
  });

  it('a token of a deleted or recreated service account is refused', async () => {
    const { tokens, sa, m } = setup();
    const { token } = tokens.issue(sa, {}, 3600, AUDS);
    m.put('serviceaccounts', obj('ServiceAccount', 'default', 'robot', 'sa-uid-2'));
    await refusedWith(
      tokens.authenticator.authenticateToken(token, AUDS),
      /^service account UID \(sa-uid-2\) does not match claim \(sa-uid-1\)$/,
    );
    m.remove('serviceaccounts', 'default', 'robot');
    await refusedWith(tokens.authenticator.authenticateToken(token, AUDS), /not found/);
  });

  it('an expired token is refused (after the one-minute leeway), a future one too', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const { tokens, sa } = setup(() => now);
    const { token } = tokens.issue(sa, {}, 600, AUDS);
    now = new Date('2026-01-01T00:10:59Z');
    assert.ok(await tokens.authenticator.authenticateToken(token, AUDS), 'within leeway');
    now = new Date('2026-01-01T00:11:01Z');
    await refusedWith(
      tokens.authenticator.authenticateToken(token, AUDS),
      /^service account token has expired$/,
    );
    now = new Date('2025-12-31T23:58:00Z');
    await refusedWith(
      tokens.authenticator.authenticateToken(token, AUDS),
      /^service account token is not valid yet$/,
    );
  });

  it('a token for another audience is refused for the API server, accepted for that audience', async () => {
    const { tokens, sa } = setup();
    const { token } = tokens.issue(sa, {}, 3600, ['vault']);
    await refusedWith(
      tokens.authenticator.authenticateToken(token, AUDS),
      /^token audiences \["vault"\] is invalid for the target audiences \["https:\/\/kubernetes.default.svc.cluster.local"\]$/,
    );
    assert.deepEqual((await tokens.authenticator.authenticateToken(token, ['vault', 'x']))!.audiences, [
      'vault',
    ]);
  });

  it('a forged signature is refused; a token of another issuer is not ours', async () => {
    const { tokens, sa } = setup();
    const other = setup();
    const forged = other.tokens.issue(sa, {}, 3600, AUDS).token;
    await refusedWith(tokens.authenticator.authenticateToken(forged, AUDS), /signature/);
    const foreign = signJWT({ iss: 'https://elsewhere', sub: 'x' }, rsaKey().privateKey);
    assert.equal(await tokens.authenticator.authenticateToken(foreign, AUDS), undefined);
    assert.equal(await tokens.authenticator.authenticateToken('not-a-jwt', AUDS), undefined);
  });

  it('using a legacy token labels its Secret with the day, once a day', async () => {
    const key = rsaKey();
    const m = memoryGetter();
    const sa = obj('ServiceAccount', 'default', 'robot', 'sa-uid-1');
    m.put('serviceaccounts', sa);
    const labelled: string[] = [];
    const tokens = new ServiceAccountTokens({
      issuer: DEFAULT_ISSUER,
      apiAudiences: AUDS,
      key,
      getter: m.getter,
      now: () => new Date('2026-03-04T05:06:07Z'),
      labelSecret: (ns, name, label, value) => {
        labelled.push(`${ns}/${name} ${label}=${value}`);
        return Promise.resolve();
      },
    });
    const secret = obj('Secret', 'default', 'robot-token', 'sec-1');
    const token = signJWT(legacyTokenClaims(sa, secret), key.privateKey);
    (secret as { data?: Record<string, string> }).data = { token: Buffer.from(token).toString('base64') };
    m.put('secrets', secret);
    await tokens.authenticator.authenticateToken(token, AUDS);
    await tokens.authenticator.authenticateToken(token, AUDS);
    assert.deepEqual(labelled, ['default/robot-token kubernetes.io/legacy-token-last-used=2026-03-04']);
  });

  it('a legacy Secret token works while the Secret holds it and the account lives', async () => {
    const { tokens, sa, key, m } = setup();
    const secret = obj('Secret', 'default', 'robot-token', 'sec-1', {
      type: 'kubernetes.io/service-account-token',
    } as never);
    const token = signJWT(legacyTokenClaims(sa, secret), key.privateKey);
    (secret as { data?: Record<string, string> }).data = { token: Buffer.from(token).toString('base64') };
    m.put('secrets', secret);
    const r = await tokens.authenticator.authenticateToken(token, AUDS);
    assert.equal(r!.user.name, 'system:serviceaccount:default:robot');
    assert.equal(r!.user.extra, undefined);
    (secret as { data?: Record<string, string> }).data = { token: Buffer.from('other').toString('base64') };
    await refusedWith(
      tokens.authenticator.authenticateToken(token, AUDS),
      /^Token does not match server's copy$/,
    );
    m.remove('secrets', 'default', 'robot-token');
    await refusedWith(tokens.authenticator.authenticateToken(token, AUDS), /^Token has been invalidated$/);
  });
});
