// CEL validation rules (x-kubernetes-validations) through the real kubectl: a Gateway-API-like
// CRD whose rules refuse duplicate listeners, a hostname on TCP, out-of-range replicas (with
// messageExpression and reason), a changed immutable field (transition rule), quantities and
// durations; a CRD with a rule that does not compile is refused with upstream's text.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cleanup, ROOT, startServer, type TestServer } from './harness.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'crds', 'gateway-cel-crd.yaml');

const gateway = (name: string, spec: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'example.k8ts.io/v1', kind: 'Gateway', metadata: { name }, spec });
const listener = (name: string, port: number, extra: Record<string, unknown> = {}) => ({
  name,
  port,
  protocol: 'HTTP',
  ...extra,
});

describe('CRD validation rules (CEL)', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer([]);
    let r = await s.kubectl(['apply', '-f', FIXTURE]);
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl([
      'wait',
      '--for=condition=Established',
      'crd/gateways.example.k8ts.io',
      '--timeout=20s',
    ]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('accepts an object that passes every rule', async () => {
    const body = gateway('ok', {
      gatewayClassName: 'k8ts',
      replicas: 2,
      timeout: '30s',
      memory: '1Gi',
      listeners: [listener('http', 80), listener('tcp', 9000, { protocol: 'TCP' })],
    });
    const r = await s.kubectl(['-n', 'default', 'create', '-f', '-'], body);
    assert.equal(r.code, 0, r.stderr);
  });

  it('refuses what a rule refuses, with upstream texts', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [
        'dup',
        { gatewayClassName: 'k8ts', listeners: [listener('a', 80), listener('a', 81)] },
        'The Gateway "dup" is invalid: spec.listeners: Invalid value: "array": Listener name must be unique within the Gateway',
      ],
      [
        'tcp',
        {
          gatewayClassName: 'k8ts',
          listeners: [listener('t', 90, { protocol: 'TCP', hostname: 'a.example' })],
        },
        `The Gateway "tcp" is invalid: spec.listeners[0].hostname: Invalid value: "object": hostname must not be specified for protocols ['TCP', 'UDP']`,
      ],
      [
        'many',
        { gatewayClassName: 'k8ts', replicas: 12, listeners: [listener('a', 80)] },
        'The Gateway "many" is invalid: spec.replicas: Forbidden: replicas must be between 0 and 10, got 12',
      ],
      [
        'slow',
        { gatewayClassName: 'k8ts', timeout: '2h', listeners: [listener('a', 80)] },
        'The Gateway "slow" is invalid: spec.timeout: Invalid value: "string": timeout must be at most 1h',
      ],
      [
        'big',
        { gatewayClassName: 'k8ts', memory: '8Gi', listeners: [listener('a', 80)] },
        'The Gateway "big" is invalid: spec.memory: Invalid value: "string": memory must be a quantity below 4Gi',
      ],
    ];
    for (const [name, spec, text] of cases) {
      const r = await s.kubectl(['-n', 'default', 'create', '-f', '-'], gateway(name, spec));
      assert.equal(r.code, 1, name);
      assert.equal(r.stderr.trim(), text);
    }
    const r = await s.kubectl(['-n', 'default', 'get', 'gateways', '-o', 'name']);
    assert.equal(r.stdout.trim(), 'gateway.example.k8ts.io/ok', 'nothing refused was stored');
  });

  it('runs transition rules on update only', async () => {
    let r = await s.kubectl([
      '-n',
      'default',
      'patch',
      'gateway',
      'ok',
      '--type=merge',
      '-p',
      '{"spec":{"gatewayClassName":"other"}}',
    ]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'The Gateway "ok" is invalid: spec.gatewayClassName: Invalid value: "string": gatewayClassName is immutable',
    );
    r = await s.kubectl([
      '-n',
      'default',
      'patch',
      'gateway',
      'ok',
      '--type=merge',
      '-p',
      '{"spec":{"replicas":3}}',
    ]);
    assert.equal(r.code, 0, r.stderr);
  });

  it('refuses a CRD whose rule does not compile', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'bads.example.k8ts.io' },
      spec: {
        group: 'example.k8ts.io',
        names: { kind: 'Bad', plural: 'bads' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    properties: { size: { type: 'integer' } },
                    'x-kubernetes-validations': [{ rule: 'self.nope > 1' }],
                  },
                },
              },
            },
          },
        ],
      },
    };
    const r = await s.kubectl(['create', '-f', '-'], JSON.stringify(crd));
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'The CustomResourceDefinition "bads.example.k8ts.io" is invalid: spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.nope > 1", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: compilation failed: ERROR: <input>:1:5: undefined field \'nope\'\n | self.nope > 1\n | ....^',
    );
  });
});
