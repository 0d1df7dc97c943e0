// The TCP/UDP services ConfigMap entries as ingress-nginx reads them: `port: ns/name:port`
// with optional PROXY fields; bad keys and values, and the controller's own ports, skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStreams, streamEndpoints } from '../../../src/ingress/streams.js';
import type { KubeObject } from '../../../src/api/types.js';

const cm = (data: Record<string, string>) =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tcp-services' }, data }) as KubeObject;

test('entries: port → namespace/name:port, PROXY decode and encode flags', () => {
  const { entries, problems } = parseStreams(
    'TCP',
    cm({
      '9000': 'default/example-go:8080',
      '9001': 'default/db:postgres:PROXY:PROXY',
      '9002': 'x/y:1::PROXY',
    }),
    [80, 443],
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(
    entries.map((e) => [e.port, e.namespace, e.service, e.servicePort, e.decodeProxy, e.encodeProxy]),
    [
      [9000, 'default', 'example-go', '8080', false, false],
      [9001, 'default', 'db', 'postgres', true, true],
      [9002, 'x', 'y', '1', false, true],
    ],
  );
});

test('bad entries are skipped with a reason; a missing ConfigMap means no ports', () => {
  const { entries, problems } = parseStreams(
    'UDP',
    cm({ http: 'a/b:1', '70000': 'a/b:1', '80': 'a/b:1', '53': 'no-port', '54': 'a/b/c:1' }),
    [80, 443],
  );
  assert.equal(entries.length, 0);
  assert.equal(problems.length, 5);
  assert.match(problems.join('\n'), /port 80 is in use by the controller/);
  assert.deepEqual(parseStreams('TCP', undefined, []), { entries: [], problems: [] });
});

test('endpoints: the Service port by number or name, of the entry protocol only', () => {
  const svc = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'dns', namespace: 'kube-system' },
    spec: {
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      ],
    },
  } as KubeObject;
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'dns-1', namespace: 'kube-system' },
    ports: [
      { name: 'dns', port: 5353, protocol: 'UDP' },
      { name: 'dns-tcp', port: 5354, protocol: 'TCP' },
    ],
    endpoints: [
      { addresses: ['10.0.0.1'], conditions: { ready: true } },
      { addresses: ['10.0.0.2'], conditions: { ready: false } },
    ],
  } as unknown as KubeObject;
  const l = { service: () => svc, slices: () => [slice] };
  const [udp] = parseStreams('UDP', cm({ '53': 'kube-system/dns:53' }), []).entries;
  assert.deepEqual(streamEndpoints(udp, l).endpoints, [{ host: '10.0.0.1', port: 5353 }]);
  const [tcp] = parseStreams('TCP', cm({ '53': 'kube-system/dns:dns-tcp' }), []).entries;
  assert.deepEqual(streamEndpoints(tcp, l).endpoints, [{ host: '10.0.0.1', port: 5354 }]);
  const [none] = parseStreams('TCP', cm({ '53': 'kube-system/dns:dns' }), []).entries;
  assert.match(streamEndpoints(none, l).problem ?? '', /does not have a TCP port dns/);
  assert.match(
    streamEndpoints(none, { service: () => undefined, slices: () => [] }).problem ?? '',
    /does not exist/,
  );
});
