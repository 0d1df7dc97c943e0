// Basic auth annotations and Secrets as ingress-nginx treats them: the Secret named `name` or
// `namespace/name` (another namespace refused), auth-file (key `auth`) or auth-map (key = user),
// and the reasons that deny the location (503): invalid auth-type, no auth-secret, a bad
// auth-secret-type, a missing Secret, an auth-file Secret without `auth`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnnotations, PREFIX } from '../../../src/ingress/annotations.js';
import { AuthStore, challenge } from '../../../src/ingress/auth.js';
import { signinLocation } from '../../../src/ingress/extauth.js';
import { nginxPage, pageHead } from '../../../src/ingress/pages.js';
import type { KubeObject } from '../../../src/api/types.js';

const parse = (a: Record<string, string>, ns = 'web') =>
  parseAnnotations(Object.fromEntries(Object.entries(a).map(([k, v]) => [PREFIX + k, v])), ns);

const b64 = (s: string) => Buffer.from(s).toString('base64');

function secret(name: string, data: Record<string, string>, rv = '1'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'web', resourceVersion: rv },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  } as KubeObject;
}

test('auth annotations: secret name with or without namespace, default type auth-file, realm', () => {
  const a = parse({ 'auth-type': 'basic', 'auth-secret': 'users', 'auth-realm': 'Login Required' });
  assert.deepEqual(a.config.auth, { secret: 'web/users', secretType: 'auth-file', realm: 'Login Required' });
  assert.equal(a.config.denied, undefined);
  const b = parse({ 'auth-type': 'basic', 'auth-secret': 'web/users', 'auth-secret-type': 'auth-map' });
  assert.deepEqual(b.config.auth, { secret: 'web/users', secretType: 'auth-map', realm: '' });
  assert.equal(parse({ 'auth-secret': 'users' }).config.auth, undefined, 'no auth-type: no auth');
});

test('auth annotations that deny the location (503), with ingress-nginx reasons', () => {
  const denied = (a: Record<string, string>) => parse(a).config.denied;
  assert.equal(denied({ 'auth-type': 'kerberos', 'auth-secret': 'u' }), 'invalid authentication type');
  assert.equal(
    denied({ 'auth-type': 'basic' }),
    'error reading secret name from annotation: ingress rule without annotations',
  );
  assert.equal(
    denied({ 'auth-type': 'basic', 'auth-secret': 'other/users' }),
    'cross namespace usage of secrets is not allowed',
  );
  assert.equal(
    denied({ 'auth-type': 'basic', 'auth-secret': 'u', 'auth-secret-type': 'ldap' }),
    "invalid auth-secret-type in annotation, must be 'auth-file' or 'auth-map'",
  );
  assert.match(
    denied({ 'auth-type': 'digest', 'auth-secret': 'u' }) ?? '',
    /digest authentication is not supported/,
  );
  assert.match(parse({ 'auth-type': 'kerberos' }).problems[0], /invalid authentication type/);
});

test('AuthStore: auth-file and auth-map Secrets; a missing Secret or key denies', () => {
  const store = new AuthStore();
  const file = { secret: 'web/users', secretType: 'auth-file', realm: 'r' } as const;
  assert.deepEqual(store.update(file, undefined), [
    'unexpected error reading secret web/users: no object matching key "web/users" in local store',
  ]);
  assert.equal(store.file(file), undefined);
  assert.deepEqual(store.update(file, secret('users', { htpasswd: 'x' })), [
    'the secret users does not contain a key with value auth',
  ]);
  assert.equal(store.file(file), undefined);
  assert.deepEqual(
    store.update(file, secret('users', { auth: 'foo:$apr1$OFG3Xybp$ckL0FHDAkoXYIlH9.cysT0\n' }, '2')),
    [],
  );
  assert.ok(store.file(file)?.check('foo', 'bar'));
  assert.ok(!store.file(file)?.check('foo', 'baz'));

  const map = { secret: 'web/users', secretType: 'auth-map', realm: '' } as const;
  const warnings = store.update(map, secret('users', { foo: '{PLAIN}bar', old: 'abGaYwuak.pMg' }));
  assert.deepEqual(warnings, [
    'secret web/users: the password of user "old" cannot be checked: DES crypt is not supported',
  ]);
  assert.ok(store.file(map)?.check('foo', 'bar'));
  store.retain(new Set());
  assert.equal(store.file(map), undefined);
});

test("401: nginx's status line, its Authorization Required page and the Basic challenge", () => {
  const p = pageHead(401, challenge({ secret: 'web/u', secretType: 'auth-file', realm: 'Login Required' }));
  assert.equal(p.reason, 'Unauthorized');
  assert.equal(p.headers['www-authenticate'], 'Basic realm="Login Required"');
  assert.equal(
    nginxPage(401),
    '<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n' +
      '<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
  );
});

test('auth-url annotations: defaults, and what denies the location', () => {
  const a = parse({ 'auth-url': 'http://auth.web.svc/check', 'auth-response-headers': 'X-User, X-Email' });
  assert.deepEqual(a.config.externalAuth, {
    url: 'http://auth.web.svc/check',
    method: '',
    signin: '',
    redirectParam: 'rd',
    responseHeaders: ['X-User', 'X-Email'],
    requestRedirect: '',
  });
  assert.match(
    parse({ 'auth-url': 'not a url' }).config.denied ?? '',
    /^could not parse auth-url annotation/,
  );
  assert.match(parse({ 'auth-url': 'ftp://x/' }).config.denied ?? '', /^could not parse auth-url annotation/);
  assert.equal(
    parse({ 'auth-url': 'http://a/', 'auth-method': 'FETCH' }).config.denied,
    'invalid HTTP method',
  );
  assert.equal(
    parse({ 'auth-url': 'http://a/', 'auth-response-headers': 'X-Ok, bad header' }).config.denied,
    'invalid headers list',
  );
});

test("auth-signin: ingress-nginx's rd= parameter with the escaped request URI", () => {
  const a = (signin: string, redirectParam = 'rd') => ({
    url: 'http://a/',
    method: '',
    signin,
    redirectParam,
    responseHeaders: [],
    requestRedirect: '',
  });
  assert.equal(
    signinLocation(a('https://login.test/start'), 'http', 'app.test', '/a b?x=1&y=/'),
    'https://login.test/start?rd=http://app.test%2Fa%20b%3Fx%3D1%26y%3D%2F',
  );
  assert.equal(
    signinLocation(a('https://login.test/start?client=x', 'next'), 'https', 'app.test', '/'),
    'https://login.test/start?client=x&next=https://app.test%2F',
  );
  assert.equal(
    signinLocation(a('https://login.test/?rd=/home'), 'http', 'app.test', '/'),
    'https://login.test/?rd=/home',
  );
});
