// Validation ratcheting (CRDValidationRatcheting, beta and on by default since v1.30) through the
// real kubectl: after a CRD's schema is tightened (maxLength, a new CEL rule), an existing object
// that violates it can still be relabelled and have other fields changed; changing the violating
// field itself is refused with the usual message, and so is a new object.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup, startServer, type TestServer } from './harness.js';

const crd = (tight: boolean) =>
  JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.ratchet.k8ts.io' },
    spec: {
      group: 'ratchet.k8ts.io',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
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
                  properties: {
                    name: { type: 'string', ...(tight ? { maxLength: 5 } : {}) },
                    size: {
                      type: 'integer',
                      ...(tight
                        ? {
                            'x-kubernetes-validations': [
                              { rule: 'self < 10', message: 'size must be below 10' },
                            ],
                          }
                        : {}),
                    },
                    note: { type: 'string' },
                    ports: {
                      type: 'array',
                      'x-kubernetes-list-type': 'map',
                      'x-kubernetes-list-map-keys': ['name'],
                      items: {
                        type: 'object',
                        required: ['name'],
                        properties: {
                          name: { type: 'string' },
                          port: { type: 'integer', ...(tight ? { maximum: 100 } : {}) },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  });

const widget = (name: string, spec: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: 'ratchet.k8ts.io/v1', kind: 'Widget', metadata: { name }, spec });

describe('CRD validation ratcheting', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer([]);
    let r = await s.kubectl(['apply', '-f', '-'], crd(false));
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl([
      'wait',
      '--for=condition=Established',
      'crd/widgets.ratchet.k8ts.io',
      '--timeout=20s',
    ]);
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(
      ['-n', 'default', 'create', '-f', '-'],
      widget('w1', {
        name: 'much-too-long',
        size: 20,
        ports: [
          { name: 'a', port: 500 },
          { name: 'b', port: 1 },
        ],
      }),
    );
    assert.equal(r.code, 0, r.stderr);
    r = await s.kubectl(['apply', '-f', '-'], crd(true));
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await s.stop();
    cleanup(s);
  });

  it('refuses a new object that violates the tightened schema', async () => {
    let r = await s.kubectl(['-n', 'default', 'create', '-f', '-'], widget('w2', { name: 'too-long' }));
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'The Widget "w2" is invalid: spec.name: Too long: may not be longer than 5',
    );
    r = await s.kubectl(['-n', 'default', 'create', '-f', '-'], widget('w3', { size: 20 }));
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'The Widget "w3" is invalid: spec.size: Invalid value: "integer": size must be below 10',
    );
  });

  it('lets an unchanged violation through a label change and other fields', async () => {
    let r = await s.kubectl(['-n', 'default', 'label', 'widget', 'w1', 'team=a']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'widget.ratchet.k8ts.io/w1 labeled');
    r = await s.kubectl([
      '-n',
      'default',
      'patch',
      'widget',
      'w1',
      '--type=merge',
      '-p',
      '{"spec":{"note":"x"}}',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'widget.ratchet.k8ts.io/w1 patched');
    // a map-type list item correlates by key: port "a" stays over the maximum while "b" changes
    r = await s.kubectl([
      '-n',
      'default',
      'patch',
      'widget',
      'w1',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/ports/1/port","value":2}]',
    ]);
    assert.equal(r.code, 0, r.stderr);
  });

  it('refuses a change of the violating field itself', async () => {
    let r = await s.kubectl([
      '-n',
      'default',
      'patch',
      'widget',
      'w1',
      '--type=merge',
      '-p',
      '{"spec":{"name":"still-too-long"}}',
    ]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'The Widget "w1" is invalid: spec.name: Too long: may not be longer than 5',
    );
    r = await s.kubectl([
      '-n',
      'default',
      'patch',
      'widget',
      'w1',
      '--type=merge',
      '-p',
      '{"spec":{"size":30}}',
    ]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'The Widget "w1" is invalid: spec.size: Invalid value: "integer": size must be below 10',
    );
    r = await s.kubectl([
      '-n',
      'default',
      'patch',
      'widget',
      'w1',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/ports/0/port","value":600}]',
    ]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'The Widget "w1" is invalid: spec.ports[0].port: Invalid value: 600: spec.ports[0].port in body should be less than or equal to 100',
    );
    // a fixed value passes
    r = await s.kubectl([
      '-n',
      'default',
      'patch',
      'widget',
      'w1',
      '--type=merge',
      '-p',
      '{"spec":{"name":"ok"}}',
    ]);
    assert.equal(r.code, 0, r.stderr);
  });
});
