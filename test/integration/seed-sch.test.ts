// Seed rows of §2.4 (scheduler and resources): extended resources advertised by a JSON patch
// of nodes/status (seed 004 §3.13, SCH-11/12), as kubectl and curl show them.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';
import { eventually } from './controllers-util.js';

const NODE = 'sim-node-0';
const STATUS = `/api/v1/nodes/${NODE}/status`;
const JSON_PATCH = { 'Content-Type': 'application/json-patch+json' };

describe('seed SCH rows: extended resources', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(['--sim-nodes', '1', '--sim-node-capacity', 'cpu=2,memory=2Gi,pods=110']);
    await eventually(s, ['get', 'node', NODE, '--no-headers'], / Ready /);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('adds example.com/dongle to capacity; the kubelet makes it allocatable; pods can use it', async () => {
    const add = '[{"op": "add", "path": "/status/capacity/example.com~1dongle", "value": "4"}]';
    const r = await s.api('PATCH', STATUS, add, JSON_PATCH);
    assert.equal(r.status, 200, r.body);
    const capacity = (JSON.parse(r.body) as { status: { capacity: Record<string, string> } }).status.capacity;
    assert.equal(capacity['example.com/dongle'], '4');
    const described = await s.kubectl(['describe', 'node', NODE]);
    assert.match(described.stdout, /Capacity:\n(?: {2}.*\n)* {2}example\.com\/dongle: {2}4\n/);
    // the kubelet's next status sync gives it an allocatable entry
    await eventually(
      s,
      ['get', 'node', NODE, '-o', 'jsonpath={.status.allocatable.example\\.com/dongle}'],
      /^4$/,
    );
    const pod = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: extended-resource-demo}',
      'spec:',
      '  containers:',
      '  - name: extended-resource-demo-ctr',
      '    image: nginx',
      '    resources:',
      '      requests: {example.com/dongle: 3}',
      '      limits: {example.com/dongle: 3}',
      '',
    ].join('\n');
    const created = await s.kubectl(['apply', '-f', '-'], pod);
    assert.equal(created.stdout.trim(), 'pod/extended-resource-demo created', created.stderr);
    await eventually(
      s,
      ['get', 'pod', 'extended-resource-demo', '-o', 'jsonpath={.spec.nodeName}'],
      /^sim-node-0$/,
    );
  });

  it('refuses a fractional or negative extended resource (422, field path status.capacity.<name>)', async () => {
    const half = '[{"op": "add", "path": "/status/capacity/example.com~1dongle", "value": "4.5"}]';
    let r = await s.api('PATCH', STATUS, half, JSON_PATCH);
    assert.equal(r.status, 422);
    const status = JSON.parse(r.body) as { reason: string; message: string };
    assert.equal(status.reason, 'Invalid');
    assert.match(
      status.message,
      /^Node "sim-node-0" is invalid: status\.capacity\.example\.com\/dongle: Invalid value: resource\.Quantity\{i:resource\.int64Amount\{.*\}: must be an integer$/,
    );
    const k = await s.kubectl([
      'patch',
      'node',
      NODE,
      '--subresource=status',
      '--type=json',
      '-p',
      '[{"op": "add", "path": "/status/capacity/example.com~1dongle", "value": "-4"}]',
    ]);
    assert.equal(k.code, 1);
    assert.equal(
      k.stderr.trim(),
      'The Node "sim-node-0" is invalid: status.capacity.example.com/dongle: Invalid value: "-4": must be greater than or equal to 0',
    );
    r = await s.api('GET', `/api/v1/nodes/${NODE}`);
    assert.match(r.body, /"example.com\/dongle":"4"/);
  });

  it('removes it again: describe shows no dongle once the kubelet dropped the allocatable entry', async () => {
    const r = await s.api(
      'PATCH',
      STATUS,
      '[{"op": "remove", "path": "/status/capacity/example.com~1dongle"}]',
      JSON_PATCH,
    );
    assert.equal(r.status, 200, r.body);
    await eventually(
      s,
      ['describe', 'node', NODE],
      (out) => out.includes('Capacity:') && !out.includes('dongle'),
    );
  });
});
