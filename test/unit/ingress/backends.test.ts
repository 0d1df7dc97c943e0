// Backends resolved from a Service and its EndpointSlices: port by number or name to the
// slice's target port, only ready endpoints, round-robin, and the reasons a backend has none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pick, resolveBackend, type Lookups } from '../../../src/ingress/backends.js';
import type { KubeObject } from '../../../src/api/types.js';

const service: KubeObject = {
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    ports: [
      { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
      { name: 'admin', port: 9000 },
    ],
  },
};
const slice: KubeObject = {
  metadata: { name: 'web-abc', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType: 'IPv4',
  ports: [
    { name: 'http', port: 8080, protocol: 'TCP' },
    { name: 'admin', port: 9090, protocol: 'TCP' },
  ],
  endpoints: [
    { addresses: ['10.42.0.5'], conditions: { ready: true } },
    { addresses: ['10.42.0.6'], conditions: { ready: false } },
    { addresses: ['10.42.0.7'] },
  ],
};
const lookups = (slices: KubeObject[] = [slice]): Lookups => ({
  service: (ns, name) => (ns === 'default' && name === 'web' ? service : undefined),
  slices: () => slices,
});
const ref = (port: { number?: number; name?: string }, name = 'web') =>
  ({ kind: 'service', namespace: 'default', name, port }) as const;

test('port by number or by name reaches the ready pods on the target port, round-robin', () => {
  const byNumber = resolveBackend(ref({ number: 80 }), lookups());
  assert.deepEqual(byNumber.endpoints, [
    { host: '10.42.0.5', port: 8080 },
    { host: '10.42.0.7', port: 8080 },
  ]);
  const seen = [pick(byNumber), pick(byNumber), pick(byNumber)].map((e) => e?.host);
  assert.deepEqual(seen, ['10.42.0.5', '10.42.0.7', '10.42.0.5']);
  const byName = resolveBackend(ref({ name: 'admin' }), lookups());
  assert.deepEqual(
    byName.endpoints.map((e) => e.port),
    [9090, 9090],
  );
});

test('the reasons a backend has no endpoint', () => {
  assert.equal(
    resolveBackend(ref({ number: 80 }, 'nope'), lookups()).problem,
    'Service "default/nope" does not exist',
  );
  assert.equal(
    resolveBackend(ref({ number: 81 }), lookups()).problem,
    'Service "default/web" does not have a port 81',
  );
  const none = resolveBackend(ref({ number: 80 }), lookups([]));
  assert.equal(none.problem, 'Service "default/web" does not have any active Endpoint');
  assert.equal(none.warn, false);
  assert.equal(pick(none), undefined);
  const res = resolveBackend(
    {
      kind: 'resource',
      namespace: 'default',
      apiGroup: 'k8s.example.com',
      resourceKind: 'StorageBucket',
      name: 'b',
    },
    lookups(),
  );
  assert.match(res.problem ?? '', /resource backend k8s\.example\.com\/StorageBucket "b" is not supported/);
});
