// Structural schema rules, custom resource validation, pruning, defaulting, naming decisions,
// printer-column JSONPath, version priority and protobuf bodies, with upstream's texts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateStructural } from '../../../src/apiserver/crd/structural.js';
import { validateValue } from '../../../src/apiserver/crd/validate.js';
import { applyDefaults, prune } from '../../../src/apiserver/crd/prune.js';
import { decideNames } from '../../../src/apiserver/crd/naming.js';
import { evaluateJSONPath, parseJSONPath } from '../../../src/apiserver/crd/jsonpath.js';
import { compareKubeVersions } from '../../../src/apiserver/discovery/version-priority.js';
import { decodeProtobufObject } from '../../../src/apiserver/endpoints/protobuf-decode.js';
import { errorText, type FieldError } from '../../../src/apiserver/registry/validation.js';
import type { CustomResourceDefinition, JSONSchemaProps } from '../../../src/apiserver/crd/types.js';

const P = 'spec.versions[0].schema.openAPIV3Schema';
const texts = (errs: FieldError[]) => errs.map(errorText);

describe('structural schemas', () => {
  it('requires types where upstream does, per level', () => {
    const errs = validateStructural(
      { type: 'object', properties: { spec: { properties: { list: { type: 'array', items: {} } } } } },
      P,
    );
    assert.deepEqual(texts(errs), [
      `${P}.properties[spec].type: Required value: must not be empty for specified object fields`,
      `${P}.properties[spec].properties[list].items.type: Required value: must not be empty for specified array items`,
    ]);
    assert.deepEqual(texts(validateStructural({}, P)), [
      `${P}.type: Required value: must not be empty at the root`,
    ]);
  });

  it('refuses $ref, uniqueItems, properties with additionalProperties and rich metadata', () => {
    const errs = validateStructural(
      {
        type: 'object',
        properties: {
          metadata: { type: 'object', properties: { labels: { type: 'object' } } },
          a: { $ref: '#/definitions/x', type: 'string' },
          b: { type: 'array', uniqueItems: true, items: { type: 'string' } },
          c: {
            type: 'object',
            properties: { x: { type: 'string' } },
            additionalProperties: { type: 'string' },
          },
        },
      },
      P,
    );
    assert.deepEqual(texts(errs), [
      `${P}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
      `${P}.properties[a].$ref: Forbidden: $ref is not supported`,
      `${P}.properties[b].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
      `${P}.properties[c].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
    ]);
  });

  it('lets int-or-string and preserve-unknown-fields go without a type', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        port: { 'x-kubernetes-int-or-string': true },
        raw: { 'x-kubernetes-preserve-unknown-fields': true },
      },
    };
    assert.deepEqual(validateStructural(schema, P), []);
  });
});

describe('custom resource validation', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        required: ['image'],
        properties: {
          image: { type: 'string' },
          replicas: { type: 'integer', minimum: 1, maximum: 10 },
          ratio: { type: 'number', exclusiveMaximum: true, maximum: 1 },
          name: { type: 'string', maxLength: 3, minLength: 2 },
          tags: { type: 'array', maxItems: 1, minItems: 1, items: { type: 'string' } },
          port: { 'x-kubernetes-int-or-string': true },
          ip: { type: 'string', format: 'ipv4' },
          uid: { type: 'string', format: 'uuid' },
          when: { type: 'string', format: 'date-time' },
          template: {
            type: 'object',
            'x-kubernetes-embedded-resource': true,
            'x-kubernetes-preserve-unknown-fields': true,
          },
        },
      },
    },
  };
  const check = (spec: unknown) => {
    const errs: FieldError[] = [];
    validateValue({ spec }, schema, '', errs);
    return texts(errs);
  };

  it('words each failure as kube-openapi does', () => {
    assert.deepEqual(
      check({
        replicas: 'x',
        ratio: 1,
        name: 'abcd',
        tags: ['a', 'b'],
        port: true,
        ip: '1.2.3',
        uid: 'nope',
        when: 'today',
        template: {},
      }),
      [
        'spec.image: Required value',
        'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
        'spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1',
        'spec.name: Too long: may not be longer than 3',
        'spec.tags: Too many: 2: must have at most 1 items',
        'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
        'spec.ip: Invalid value: "1.2.3": spec.ip in body must be of type ipv4: "1.2.3"',
        'spec.uid: Invalid value: "nope": spec.uid in body must be of type uuid: "nope"',
        'spec.when: Invalid value: "today": spec.when in body must be of type date-time: "today"',
        'spec.template.apiVersion: Required value: must not be empty',
        'spec.template.kind: Required value: must not be empty',
      ],
    );
    assert.deepEqual(check({ image: 'x', replicas: 0, name: 'a', tags: [] }), [
      'spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1',
      'spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long',
      'spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items',
    ]);
    assert.deepEqual(
      check({ image: 'x', port: 8080, ip: '10.0.0.1', when: '2024-01-02T03:04:05Z', replicas: 3 }),
      [],
    );
  });

  it('prunes unknown fields (keeping preserved ones and type meta) and applies defaults', () => {
    const obj: Record<string, unknown> = {
      apiVersion: 'x/v1',
      kind: 'X',
      metadata: { name: 'a' },
      spec: { image: 'x', extra: 1, template: { apiVersion: 'v1', kind: 'Pod', anything: true }, tags: [{}] },
      status: {},
    };
    const pruned = prune(obj, schema);
    assert.deepEqual(pruned, ['spec.extra', 'status']);
    assert.deepEqual(obj.spec, {
      image: 'x',
      template: { apiVersion: 'v1', kind: 'Pod', anything: true },
      tags: [{}],
    });
    const d: Record<string, unknown> = { spec: { image: 'x', size: null } };
    applyDefaults(d, {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { size: { type: 'integer', default: 3 }, color: { type: 'string', default: 'blue' } },
        },
      },
    });
    assert.deepEqual(d.spec, { image: 'x', size: 3, color: 'blue' });
  });
});

describe('CRD names', () => {
  const crd = (name: string, names: Record<string, unknown>, accepted?: Record<string, unknown>) =>
    ({
      metadata: { name },
      spec: { group: 'example.com', names, scope: 'Namespaced', versions: [] },
      status: accepted ? { acceptedNames: accepted } : {},
    }) as unknown as CustomResourceDefinition;

  it('accepts fresh names and establishes at once', () => {
    const a = crd('foos.example.com', { plural: 'foos', singular: 'foo', kind: 'Foo', listKind: 'FooList' });
    const d = decideNames(a, [a]);
    assert.equal(d.namesAccepted.reason, 'NoConflicts');
    assert.deepEqual([d.established.status, d.established.reason], ['True', 'InitialNamesAccepted']);
  });

  it('reports a plural or kind another CRD of the group holds', () => {
    const other = crd(
      'bars.example.com',
      {},
      { plural: 'bars', singular: 'bar', shortNames: ['foos'], kind: 'Bar', listKind: 'BarList' },
    );
    const a = crd('foos.example.com', { plural: 'foos', singular: 'foo', kind: 'Foo', listKind: 'FooList' });
    let d = decideNames(a, [other, a]);
    assert.deepEqual(
      [d.namesAccepted.status, d.namesAccepted.reason, d.namesAccepted.message],
      ['False', 'PluralConflict', '"foos" is already in use'],
    );
    assert.deepEqual(
      [d.established.status, d.established.reason, d.established.message],
      ['False', 'NotAccepted', 'not all names are accepted'],
    );
    const k = crd('bazs.example.com', { plural: 'bazs', singular: 'baz', kind: 'Bar', listKind: 'BazList' });
    d = decideNames(k, [other, k]);
    assert.deepEqual(
      [d.namesAccepted.reason, d.namesAccepted.message],
      ['KindConflict', '"Bar" is already in use'],
    );
  });
});

describe('printer column JSONPath', () => {
  it('follows fields, indexes and equality filters', () => {
    const obj = {
      status: {
        conditions: [
          { type: 'Other', status: 'False' },
          { type: 'Ready', status: 'True' },
        ],
      },
      spec: { a: [{ b: 1 }] },
    };
    assert.deepEqual(evaluateJSONPath(obj, parseJSONPath('.status.conditions[?(@.type=="Ready")].status')!), [
      'True',
    ]);
    assert.deepEqual(evaluateJSONPath(obj, parseJSONPath('.spec.a[0].b')!), [1]);
    assert.deepEqual(evaluateJSONPath(obj, parseJSONPath('.spec.missing')!), []);
  });
});

describe('version priority', () => {
  it('orders GA, beta, alpha, then other names', () => {
    const vs = ['v1alpha1', 'foo', 'v1', 'v2beta1', 'v1beta2', 'v2', 'v1beta1'];
    assert.deepEqual(vs.sort(compareKubeVersions), [
      'v2',
      'v1',
      'v2beta1',
      'v1beta2',
      'v1beta1',
      'v1alpha1',
      'foo',
    ]);
  });
});

describe('protobuf request bodies', () => {
  const field = (n: number, payload: Buffer) =>
    Buffer.concat([Buffer.from([(n << 3) | 2, payload.length]), payload]);
  const s = (n: number, v: string) => field(n, Buffer.from(v));
  it('decodes a Secret as client-go encodes it', () => {
    const meta = Buffer.concat([
      s(1, 'rel'),
      s(3, 'default'),
      field(11, Buffer.concat([s(1, 'owner'), s(2, 'helm')])),
    ]);
    const secret = Buffer.concat([
      field(1, meta),
      field(2, Buffer.concat([s(1, 'release'), s(2, 'abc')])),
      s(3, 'helm.sh/release.v1'),
    ]);
    const unknown = Buffer.concat([field(1, Buffer.concat([s(1, 'v1'), s(2, 'Secret')])), field(2, secret)]);
    const obj = decodeProtobufObject(Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0]), unknown]), []);
    assert.deepEqual(obj, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'rel', namespace: 'default', labels: { owner: 'helm' } },
      data: { release: Buffer.from('abc').toString('base64') },
      type: 'helm.sh/release.v1',
    });
  });
});
