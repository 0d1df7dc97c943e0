// Host and path matching of the route table, and its precedence, as the Ingress API
// (networking.k8s.io/v1) documents them: exact host before `*.` wildcard (one label), Exact
// path before Prefix, longest Prefix first, element-wise prefixes, ImplementationSpecific as
// Prefix, and the default backends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRouteTable, normalizeHost, requestPath } from '../../../src/ingress/routes.js';
import type { KubeObject } from '../../../src/api/types.js';

const svc = (name: string, port: number | string = 80) => ({
  service: { name, port: typeof port === 'number' ? { number: port } : { name: port } },
});
const path = (p: string, pathType: string, backend: string) => ({ path: p, pathType, backend: svc(backend) });
const ingress = (
  name: string,
  spec: Record<string, unknown>,
  created = '2024-01-01T00:00:00Z',
): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: 'default', creationTimestamp: created },
  spec,
});

/** the Service a request reaches, 'default-page' for the controller's 404 */
function reach(table: ReturnType<typeof buildRouteTable>, host: string, url: string): string {
  const r = table.match(host, requestPath(url));
  if (!r) return 'default-page';
  return r.backend.kind === 'service' ? r.backend.name : `resource:${r.backend.name}`;
}

test('Prefix matches element-wise: /foo matches /foo, /foo/, /foo/bar, not /foobar', () => {
  const t = buildRouteTable([
    ingress('a', { rules: [{ http: { paths: [path('/foo', 'Prefix', 'foo')] } }] }),
  ]);
  for (const u of ['/foo', '/foo/', '/foo/bar', '/foo/bar?x=1']) assert.equal(reach(t, 'x', u), 'foo', u);
  for (const u of ['/foobar', '/', '/fo']) assert.equal(reach(t, 'x', u), 'default-page', u);
});

test('the spec examples: trailing slash ignored, / matches everything, Exact is exact', () => {
  const t = buildRouteTable([
    ingress('a', {
      rules: [
        {
          http: {
            paths: [
              path('/aaa/bbb/', 'Prefix', 'slash'),
              path('/', 'Prefix', 'root'),
              path('/exact', 'Exact', 'exact'),
            ],
          },
        },
      ],
    }),
  ]);
  assert.equal(reach(t, 'x', '/aaa/bbb'), 'slash');
  assert.equal(reach(t, 'x', '/aaa/bbb/ccc'), 'slash');
  assert.equal(reach(t, 'x', '/aaa/bbbxyz'), 'root');
  assert.equal(reach(t, 'x', '/exact'), 'exact');
  assert.equal(reach(t, 'x', '/exact/'), 'root');
  assert.equal(reach(t, 'x', '/anything'), 'root');
});

test('precedence: Exact before Prefix for the same path, the longest Prefix wins', () => {
  const t = buildRouteTable([
    ingress('a', {
      rules: [
        {
          host: 'app.example.com',
          http: {
            paths: [
              path('/api', 'Prefix', 'api'),
              path('/api/v2', 'Prefix', 'v2'),
              path('/api', 'Exact', 'api-exact'),
              path('/api/v2/x', 'ImplementationSpecific', 'impl'),
            ],
          },
        },
      ],
    }),
  ]);
  assert.equal(reach(t, 'app.example.com', '/api'), 'api-exact');
  assert.equal(reach(t, 'app.example.com', '/api/'), 'api');
  assert.equal(reach(t, 'app.example.com', '/api/v1'), 'api');
  assert.equal(reach(t, 'app.example.com', '/api/v2/users'), 'v2');
  // ImplementationSpecific is a Prefix here
  assert.equal(reach(t, 'app.example.com', '/api/v2/x/y'), 'impl');
});

test('hosts: exact before wildcard, a wildcard stands for one label, case and port ignored', () => {
  const t = buildRouteTable([
    ingress('a', {
      rules: [
        { host: '*.example.com', http: { paths: [path('/', 'Prefix', 'wild')] } },
        { host: 'foo.example.com', http: { paths: [path('/', 'Prefix', 'foo')] } },
        { http: { paths: [path('/', 'Prefix', 'any-host')] } },
      ],
    }),
  ]);
  assert.equal(reach(t, 'foo.example.com', '/'), 'foo');
  assert.equal(reach(t, 'FOO.Example.com:8080', '/'), 'foo');
  assert.equal(reach(t, 'bar.example.com', '/'), 'wild');
  assert.equal(reach(t, 'a.b.example.com', '/'), 'any-host');
  assert.equal(reach(t, 'example.com', '/'), 'any-host');
  assert.equal(reach(t, '10.0.0.1', '/'), 'any-host');
});

test('a named host never falls through to the host-less rules (ingress-nginx server blocks)', () => {
  const t = buildRouteTable([
    ingress('a', {
      rules: [
        { host: 'foo.example.com', http: { paths: [path('/foo', 'Prefix', 'foo')] } },
        { http: { paths: [path('/', 'Prefix', 'any-host')] } },
      ],
    }),
  ]);
  assert.equal(reach(t, 'foo.example.com', '/other'), 'default-page');
});

test('default backends: the Ingress of the host, then the oldest spec.defaultBackend, else the 404 page', () => {
  const t = buildRouteTable([
    ingress(
      'newer',
      {
        defaultBackend: svc('newer-default'),
        rules: [{ host: 'b.test', http: { paths: [path('/x', 'Exact', 'bx')] } }],
      },
      '2024-02-01T00:00:00Z',
    ),
    ingress('older', { defaultBackend: svc('older-default') }, '2024-01-01T00:00:00Z'),
  ]);
  assert.equal(reach(t, 'b.test', '/x'), 'bx');
  assert.equal(reach(t, 'b.test', '/y'), 'newer-default');
  assert.equal(reach(t, 'unknown.test', '/y'), 'older-default');
  assert.equal(reach(buildRouteTable([]), 'a', '/'), 'default-page');
});

test('conflicts: the older Ingress keeps a host+path both define', () => {
  const rule = (b: string) => ({ rules: [{ host: 'c.test', http: { paths: [path('/', 'Prefix', b)] } }] });
  const t = buildRouteTable([
    ingress('young', rule('young'), '2024-03-01T00:00:00Z'),
    ingress('old', rule('old'), '2024-01-01T00:00:00Z'),
  ]);
  assert.equal(reach(t, 'c.test', '/'), 'old');
});

test('TLS hosts: exact and wildcard entries, secrets in the Ingress namespace', () => {
  const t = buildRouteTable([
    ingress('a', {
      tls: [
        { hosts: ['secure.test'], secretName: 'secure-tls' },
        { hosts: ['*.wild.test'], secretName: 'wild-tls' },
        { hosts: ['nosecret.test'] },
      ],
      rules: [{ host: 'secure.test', http: { paths: [path('/', 'Prefix', 's')] } }],
    }),
  ]);
  assert.equal(t.tlsFor('secure.test')?.secret, 'default/secure-tls');
  assert.equal(t.tlsFor('x.wild.test')?.secret, 'default/wild-tls');
  assert.equal(t.tlsFor('x.y.wild.test'), undefined);
  assert.equal(t.tlsFor('nosecret.test')?.secret, '');
  assert.equal(t.tlsFor('plain.test'), undefined);
});

test('resource backends and named ports are kept as given', () => {
  const t = buildRouteTable([
    ingress('a', {
      rules: [
        {
          http: {
            paths: [
              {
                path: '/static',
                pathType: 'Prefix',
                backend: { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static' } },
              },
              { path: '/named', pathType: 'Prefix', backend: svc('web', 'http') },
            ],
          },
        },
      ],
    }),
  ]);
  assert.equal(reach(t, 'x', '/static/a.png'), 'resource:static');
  const named = t.match('x', '/named');
  assert.deepEqual(named?.backend, {
    kind: 'service',
    namespace: 'default',
    name: 'web',
    port: { name: 'http', number: undefined },
  });
});

test('normalizeHost and requestPath', () => {
  assert.equal(normalizeHost('Example.COM:80'), 'example.com');
  assert.equal(normalizeHost('example.com.'), 'example.com');
  assert.equal(normalizeHost('[::1]:8080'), '[::1]');
  assert.equal(requestPath('/a/b?c=d#e'), '/a/b');
  assert.equal(requestPath('*'), '/*');
});
