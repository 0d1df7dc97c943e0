// The ingress-nginx annotations as the controller parses them: defaults (ssl-redirect on,
// proxy-body-size 1m, CORS's default lists), ingress-nginx's fallbacks for bad values (ignored
// with a problem reported; permanent-redirect-code outside 300..308 → 301; a bad source range
// denies the location), regex paths on a host and rewrite-target's capture groups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  corsOrigin,
  inCidr,
  parseAnnotations,
  parseCidr,
  parseSize,
  PREFIX,
  toCanary,
} from '../../../src/ingress/annotations.js';
import { buildRouteTable, requestPath, rewrittenUrl } from '../../../src/ingress/routes.js';
import type { KubeObject } from '../../../src/api/types.js';

const parse = (a: Record<string, string>) =>
  parseAnnotations(Object.fromEntries(Object.entries(a).map(([k, v]) => [PREFIX + k, v])));

test('defaults: ssl-redirect on, force off, 1m body limit, HTTP backends, no CORS', () => {
  const { config, problems } = parse({});
  assert.equal(config.sslRedirect, true);
  assert.equal(config.forceSslRedirect, false);
  assert.equal(config.bodyLimit, 1024 * 1024);
  assert.equal(config.backendProtocol, 'HTTP');
  assert.equal(config.cors, undefined);
  assert.deepEqual(problems, []);
});

test('sizes in nginx syntax; a bad size is ignored with a problem', () => {
  assert.equal(parseSize('8m'), 8 * 1024 * 1024);
  assert.equal(parseSize('100K'), 100 * 1024);
  assert.equal(parseSize('0'), 0);
  assert.equal(parseSize('2g'), 2 * 1024 ** 3);
  assert.equal(parseSize('1.5m'), undefined);
  assert.equal(parseSize('lots'), undefined);
  const r = parse({ 'proxy-body-size': 'lots' });
  assert.equal(r.config.bodyLimit, 1024 * 1024);
  assert.match(r.problems[0], /proxy-body-size ignored/);
});

test('booleans: bad values keep the default and are reported', () => {
  const r = parse({ 'ssl-redirect': 'nope', 'force-ssl-redirect': 'True', 'use-regex': '1' });
  assert.equal(r.config.sslRedirect, true);
  assert.equal(r.config.forceSslRedirect, true);
  assert.equal(r.config.useRegex, true);
  assert.equal(r.problems.length, 1);
  assert.match(r.problems[0], /ssl-redirect ignored: not a boolean \(value "nope"\)/);
});

test('redirects: temporal wins, codes outside 300..308 fall back to 301, URLs need a scheme', () => {
  assert.deepEqual(parse({ 'permanent-redirect': 'https://x.test/a' }).config.redirect, {
    url: 'https://x.test/a',
    code: 301,
  });
  assert.equal(
    parse({ 'permanent-redirect': 'https://x.test', 'permanent-redirect-code': '308' }).config.redirect?.code,
    308,
  );
  assert.equal(
    parse({ 'permanent-redirect': 'https://x.test', 'permanent-redirect-code': '404' }).config.redirect?.code,
    301,
  );
  const both = parse({ 'permanent-redirect': 'https://p.test', 'temporal-redirect': 'https://t.test' });
  assert.deepEqual(both.config.redirect, { url: 'https://t.test', code: 302 });
  const relative = parse({ 'permanent-redirect': '/elsewhere' });
  assert.equal(relative.config.redirect, undefined);
  assert.match(relative.problems[0], /url scheme is empty/);
});

test('backend-protocol: case-insensitive; GRPC and unknown values fall back to HTTP with a problem', () => {
  assert.equal(parse({ 'backend-protocol': 'https' }).config.backendProtocol, 'HTTPS');
  const grpc = parse({ 'backend-protocol': 'GRPC' });
  assert.equal(grpc.config.backendProtocol, 'HTTP');
  assert.match(grpc.problems[0], /GRPC is not supported/);
  assert.match(parse({ 'backend-protocol': 'SMTP' }).problems[0], /invalid backend protocol/);
});

test('app-root must be an absolute path', () => {
  assert.equal(parse({ 'app-root': '/app1' }).config.appRoot, '/app1');
  const bad = parse({ 'app-root': 'app1' });
  assert.equal(bad.config.appRoot, '');
  assert.equal(bad.problems.length, 1);
});

test('source ranges: CIDRs and single addresses; a bad entry denies the location', () => {
  const c = parse({ 'whitelist-source-range': '10.0.0.0/8, 192.168.1.7' }).config;
  assert.equal(c.allow.length, 2);
  assert.equal(c.denied, undefined);
  assert.equal(inCidr('10.1.2.3', c.allow[0]), true);
  assert.equal(inCidr('::ffff:10.1.2.3', c.allow[0]), true);
  assert.equal(inCidr('11.0.0.1', c.allow[0]), false);
  assert.equal(inCidr('192.168.1.7', c.allow[1]), true);
  assert.equal(inCidr('192.168.1.8', c.allow[1]), false);
  assert.equal(inCidr('fd00::1', parseCidr('fd00::/8')!), true);
  assert.equal(inCidr('fe80::1', parseCidr('fd00::/8')!), false);
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
  assert.equal(parseCidr('10.0.0/8'), undefined);
  const bad = parse({ 'denylist-source-range': '10.0.0.0/8,not-an-ip' });
  assert.match(bad.config.denied ?? '', /does not contain a valid IP address or network: not-an-ip/);
  assert.equal(parse({ 'allowlist-source-range': '127.0.0.1' }).config.allow.length, 1);
});

test('CORS: ingress-nginx defaults, origin lists with one-label wildcards', () => {
  const c = parse({ 'enable-cors': 'true' }).config.cors!;
  assert.deepEqual(c.origins, ['*']);
  assert.equal(c.methods, 'GET, PUT, POST, DELETE, PATCH, OPTIONS');
  assert.equal(
    c.headers,
    'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Authorization',
  );
  assert.equal(c.credentials, true);
  assert.equal(c.maxAge, 1728000);
  assert.equal(corsOrigin(c, 'https://any.test'), '*');
  const list = parse({
    'enable-cors': 'true',
    'cors-allow-origin': 'https://a.test, https://*.b.test',
  }).config.cors!;
  assert.equal(corsOrigin(list, 'https://a.test'), 'https://a.test');
  assert.equal(corsOrigin(list, 'https://x.b.test'), 'https://x.b.test');
  assert.equal(corsOrigin(list, 'https://x.y.b.test'), undefined);
  assert.equal(corsOrigin(list, 'http://a.test'), undefined);
  assert.equal(corsOrigin(list, undefined), undefined);
  assert.equal(parse({ 'enable-cors': 'false' }).config.cors, undefined);
});

const ing = (name: string, annotations: Record<string, string>, paths: [string, string][]): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: {
    name,
    namespace: 'default',
    creationTimestamp: '2024-01-01T00:00:00Z',
    annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [PREFIX + k, v])),
  },
  spec: {
    rules: [
      {
        host: 'r.test',
        http: {
          paths: paths.map(([p, svc]) => ({
            path: p,
            pathType: 'ImplementationSpecific',
            backend: { service: { name: svc, port: { number: 80 } } },
          })),
        },
      },
    ],
  },
});

test('rewrite-target makes every path of the host a case-insensitive regex; captures fill $n', () => {
  const table = buildRouteTable([
    ing('rw', { 'rewrite-target': '/$2' }, [['/something(/|$)(.*)', 'a']]),
    // another Ingress of the same host without annotations: its path is a regex too
    ing('plain', {}, [['/fo+', 'b']]),
  ]);
  const route = (url: string) => table.match('r.test', requestPath(url));
  const rw = (url: string) => rewrittenUrl(route(url)!, url);
  assert.equal(
    route('/something/new')?.backend.kind === 'service' && route('/something/new')?.ingress,
    'default/rw',
  );
  assert.equal(rw('/something'), '/');
  assert.equal(rw('/something/'), '/');
  assert.equal(rw('/something/new?x=1'), '/new?x=1');
  assert.equal(rw('/SOMETHING/Case'), '/Case');
  assert.equal(route('/fooo/bar')?.ingress, 'default/plain');
  assert.equal(rewrittenUrl(route('/fooo/bar')!, '/fooo/bar'), '/fooo/bar');
  assert.equal(route('/other'), undefined);
});

test('use-regex orders paths longest first; an invalid regex is skipped with a problem', () => {
  const table = buildRouteTable([
    ing('re', { 'use-regex': 'true' }, [
      ['/api', 'short'],
      ['/api/v[0-9]+', 'long'],
      ['/bad(', 'never'],
    ]),
  ]);
  const name = (url: string) => {
    const r = table.match('r.test', requestPath(url));
    return r?.backend.kind === 'service' ? r.backend.name : undefined;
  };
  assert.equal(name('/api/v2/x'), 'long');
  assert.equal(name('/api/x'), 'short');
  assert.equal(name('/apix'), 'short'); // a regex location is a plain prefix of the string
  assert.match(
    table.problems.get('default/re')?.[0] ?? '',
    /path "\/bad\(" is not a valid regular expression/,
  );
});

test('rewrite-target without captures replaces the whole path', () => {
  const table = buildRouteTable([ing('root', { 'rewrite-target': '/' }, [['/app', 'a']])]);
  const r = table.match('r.test', '/app/deep/page')!;
  assert.equal(rewrittenUrl(r, '/app/deep/page?q=1'), '/?q=1');
});

test('canary: by header (value or always/never), then cookie, then weight; no main → reported', () => {
  const c = parse({
    canary: 'true',
    'canary-by-header': 'X-Canary',
    'canary-by-cookie': 'canary',
    'canary-weight': '30',
  }).config.canary!;
  assert.equal(
    toCanary(c, { 'x-canary': 'always' }, () => 0.99),
    true,
  );
  assert.equal(
    toCanary(c, { 'x-canary': 'never', cookie: 'canary=always' }, () => 0),
    false,
  );
  assert.equal(
    toCanary(c, { cookie: 'a=b; canary=always' }, () => 0.99),
    true,
  );
  assert.equal(
    toCanary(c, { cookie: 'canary=never' }, () => 0),
    false,
  );
  assert.equal(
    toCanary(c, {}, () => 0.29),
    true,
  );
  assert.equal(
    toCanary(c, {}, () => 0.3),
    false,
  );
  const byValue = parse({ canary: 'true', 'canary-by-header': 'X-Env', 'canary-by-header-value': 'beta' })
    .config.canary!;
  assert.equal(toCanary(byValue, { 'x-env': 'beta' }), true);
  assert.equal(toCanary(byValue, { 'x-env': 'always' }), false);
  assert.equal(parse({ canary: 'true', 'canary-weight': '500' }).config.canary?.weight, 100);

  const main = ing('main', {}, [['/', 'stable']]);
  const canary = ing('canary', { canary: 'true', 'canary-by-header': 'X-Canary' }, [
    ['/', 'preview'],
    ['/only-here', 'preview'],
  ]);
  const table = buildRouteTable([canary, main]);
  const r = table.match('r.test', '/')!;
  assert.equal(r.ingress, 'default/main');
  assert.equal(r.canary?.backend.kind === 'service' && r.canary.backend.name, 'preview');
  // the canary's own paths are not served
  assert.equal(table.match('r.test', '/only-here')?.ingress, 'default/main');
  assert.match(
    table.problems.get('default/canary')?.[0] ?? '',
    /canary path r\.test\/only-here has no main Ingress/,
  );
});
