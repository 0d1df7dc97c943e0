// allOf/anyOf/oneOf/not (structural rules at CRD write, validation of custom resources),
// validation of defaults at CRD write, selectableFields and conversion settings, with the
// field paths and texts of upstream's apiextensions validation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateStructural } from '../../../src/apiserver/crd/structural.js';
import { validateValue } from '../../../src/apiserver/crd/validate.js';
import { validateDefaults } from '../../../src/apiserver/crd/defaults.js';
import { selectableFieldGetters, validateSelectableFields } from '../../../src/apiserver/crd/selectable.js';
import { validateCRD } from '../../../src/apiserver/registry/apiextensions/crd-validation.js';
import { errorText, type FieldError } from '../../../src/apiserver/registry/validation.js';
import type { CustomResourceDefinition, JSONSchemaProps } from '../../../src/apiserver/crd/types.js';
import type { KubeObject } from '../../../src/api/types.js';

const P = 'spec.versions[0].schema.openAPIV3Schema';
const texts = (errs: FieldError[]) => errs.map(errorText);

describe('junctors in structural schemas', () => {
  it('forbids types, descriptions, defaults, nullable and extensions inside a junctor', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        a: {
          type: 'string',
          anyOf: [{ type: 'string', description: 'd' }, { pattern: '^x' }],
          not: { nullable: true },
        },
        b: {
          type: 'object',
          properties: { c: { type: 'string' } },
          oneOf: [
            {
              default: 'x',
              additionalProperties: { type: 'string' },
              'x-kubernetes-preserve-unknown-fields': true,
              'x-kubernetes-list-type': 'atomic',
            },
          ],
          allOf: [{ properties: { metadata: {} } }],
        },
      },
    };
    assert.deepEqual(texts(validateStructural(schema, P)), [
      `${P}.properties[a].anyOf[0].description: Forbidden: must be empty to be structural`,
      `${P}.properties[a].anyOf[0].type: Forbidden: must be empty to be structural`,
      `${P}.properties[a].not.nullable: Forbidden: must be false to be structural`,
      `${P}.properties[b].allOf[0].properties[metadata]: Forbidden: must not be specified in a nested context`,
      `${P}.properties[b].oneOf[0].additionalProperties: Forbidden: must be undefined to be structural`,
      `${P}.properties[b].oneOf[0].default: Forbidden: must be undefined to be structural`,
      `${P}.properties[b].oneOf[0].x-kubernetes-list-type: Forbidden: must be undefined to be structural`,
      `${P}.properties[b].oneOf[0].x-kubernetes-preserve-unknown-fields: Forbidden: must be false to be structural`,
      `${P}.properties[b].properties[metadata]: Required value: because it is defined in ${P}.properties[b].allOf[0].properties[metadata]`,
    ]);
  });

  it('requires what a junctor names to be specified outside of it', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { a: { type: 'string' } },
          anyOf: [{ required: ['a'] }, { properties: { b: { minLength: 1 } } }],
        },
        list: { type: 'array', items: { type: 'string' }, allOf: [{ items: { maxLength: 3 } }] },
      },
    };
    assert.deepEqual(texts(validateStructural(schema, P)), [
      `${P}.properties[spec].properties[b]: Required value: because it is defined in ${P}.properties[spec].anyOf[1].properties[b]`,
    ]);
  });

  it("allows int-or-string's anyOf of integer and string types", () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        size: {
          'x-kubernetes-int-or-string': true,
          allOf: [{ anyOf: [{ type: 'integer' }, { type: 'string' }] }, { pattern: '^\\d' }],
        },
      },
    };
    assert.deepEqual(validateStructural(schema, P), []);
  });
});

describe('junctors in custom resource validation', () => {
  const check = (value: unknown, schema: JSONSchemaProps) => {
    const errs: FieldError[] = [];
    validateValue({ spec: value }, { type: 'object', properties: { spec: schema } }, '', errs);
    return texts(errs);
  };

  it('anyOf: the junctor message, then the errors of the closest alternative', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: { delta: { type: 'string' } },
      anyOf: [{ required: ['a'] }, { properties: { delta: { maxLength: 5 } } }],
    };
    assert.deepEqual(check({ delta: 'hello' }, schema), []);
    assert.deepEqual(check({ delta: 'foobarbaz' }, schema), [
      '<nil>: Invalid value: "": "spec" must validate at least one schema (anyOf)',
      'spec.a: Required value',
    ]);
  });

  it('oneOf: exactly one alternative must hold', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'string' } },
      oneOf: [{ required: ['a'] }, { required: ['b'] }],
    };
    assert.deepEqual(check({ a: 'x' }, schema), []);
    assert.deepEqual(check({ a: 'x', b: 'y' }, schema), [
      '<nil>: Invalid value: "": "spec" must validate one and only one schema (oneOf). Found 2 valid alternatives',
    ]);
    assert.deepEqual(check({}, schema), [
      '<nil>: Invalid value: "": "spec" must validate one and only one schema (oneOf). Found none valid',
      'spec.a: Required value',
    ]);
  });

  it('allOf: every alternative, with their errors; not: must fail', () => {
    const schema: JSONSchemaProps = {
      type: 'string',
      allOf: [{ minLength: 2 }, { maxLength: 3 }],
      not: { enum: ['bad'] },
    };
    assert.deepEqual(check('ok', schema), []);
    assert.deepEqual(check('x', schema), [
      'spec: Invalid value: "x": spec in body should be at least 2 chars long',
      '<nil>: Invalid value: "": "spec" must validate all the schemas (allOf)',
    ]);
    assert.deepEqual(check('bad', schema), [
      '<nil>: Invalid value: "": "spec" must not validate the schema (not)',
    ]);
  });
});

describe('defaults at CRD write', () => {
  it('must validate against their schema and be pruned', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            replicas: { type: 'integer', default: 'three' },
            size: { type: 'integer', minimum: 1, default: 0 },
            color: { type: 'string', enum: ['red', 'blue'], default: 'blue' },
            limits: {
              type: 'object',
              properties: { cpu: { type: 'string' } },
              required: ['cpu'],
              default: { memory: '1Gi' },
            },
            probe: { type: 'object', properties: { port: { type: 'integer' } }, default: { port: 'x' } },
          },
        },
      },
    };
    const S = `${P}.properties[spec].properties`;
    assert.deepEqual(texts(validateDefaults(schema, P)), [
      `${S}[replicas].default: Invalid value: "string":  in body must be of type integer: "string"`,
      `${S}[size].default: Invalid value: 0:  in body should be greater than or equal to 1`,
      `${S}[limits].default: Invalid value: {"memory":"1Gi"}: must not have unknown fields`,
      `${S}[probe].default.port: Invalid value: "string": port in body must be of type integer: "string"`,
    ]);
  });
});

describe('defaults and validation rules', () => {
  it('a default must satisfy the x-kubernetes-validations of its schema', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            limits: {
              type: 'object',
              properties: { min: { type: 'integer' }, max: { type: 'integer' } },
              'x-kubernetes-validations': [
                { rule: 'self.min <= self.max', message: 'min must not exceed max' },
              ],
              default: { min: 5, max: 1 },
            },
            name: {
              type: 'string',
              'x-kubernetes-validations': [{ rule: 'self.startsWith("k")' }],
              default: 'kate',
            },
          },
        },
      },
    };
    assert.deepEqual(texts(validateDefaults(schema, P)), [
      `${P}.properties[spec].properties[limits].default: Invalid value: "object": min must not exceed max`,
    ]);
  });
});

describe('selectableFields', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          color: { type: 'string' },
          size: { type: 'integer' },
          on: { type: 'boolean' },
          ratio: { type: 'number' },
          tags: { type: 'array', items: { type: 'string' } },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
  };
  const version = (paths: string[]) => ({
    name: 'v1',
    served: true,
    storage: true,
    schema: { openAPIV3Schema: schema },
    selectableFields: paths.map((jsonPath) => ({ jsonPath })),
  });
  const F = 'spec.versions[0].selectableFields';

  it('accepts string, integer and boolean fields', () => {
    assert.deepEqual(
      validateSelectableFields(version(['.spec.color', '.spec.size', '.spec.on']), 'spec.versions[0]'),
      [],
    );
  });

  it('refuses other types, metadata, array notation, unknown fields and duplicates', () => {
    assert.deepEqual(
      texts(
        validateSelectableFields(
          version([
            '.spec.ratio',
            '.metadata.name',
            '.spec.tags[0]',
            '.spec.nope',
            '.spec.color',
            '.spec.color',
            '',
          ]),
          'spec.versions[0]',
        ),
      ),
      [
        `${F}[0].jsonPath: Invalid value: ".spec.ratio": must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.`,
        `${F}[1].jsonPath: Invalid value: ".metadata.name": is an invalid path: does not refer to a valid field`,
        `${F}[2].jsonPath: Invalid value: ".spec.tags[0]": is an invalid path: array notation is not allowed`,
        `${F}[3].jsonPath: Invalid value: ".spec.nope": is an invalid path: does not refer to a valid field`,
        `${F}[5].jsonPath: Duplicate value: ".spec.color"`,
        `${F}[6].jsonPath: Required value`,
      ],
    );
  });

  it('allows at most 8', () => {
    const props: Record<string, JSONSchemaProps> = {};
    for (let i = 0; i < 9; i++) props[`f${i}`] = { type: 'string' };
    const v = {
      name: 'v1',
      served: true,
      storage: true,
      schema: { openAPIV3Schema: { type: 'object', properties: props } },
      selectableFields: Object.keys(props).map((k) => ({ jsonPath: `.${k}` })),
    };
    assert.deepEqual(texts(validateSelectableFields(v, 'spec.versions[0]')), [
      `${F}: Too many: 9: must have at most 8 items`,
    ]);
  });

  it('renders values as field selectors compare them', () => {
    const g = selectableFieldGetters(version(['.spec.color', '.spec.size', '.spec.on']));
    const obj = { metadata: {}, spec: { color: 'red', size: 3, on: false } } as unknown as KubeObject;
    assert.deepEqual(
      Object.entries(g).map(([k, f]) => [k, f(obj)]),
      [
        ['spec.color', 'red'],
        ['spec.size', '3'],
        ['spec.on', 'false'],
      ],
    );
    assert.equal(g['spec.color']!({ metadata: {} } as KubeObject), '');
  });
});

describe('conversion settings', () => {
  const crd = (conversion: unknown): CustomResourceDefinition =>
    ({
      metadata: { name: 'foos.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'foos', singular: 'foo', kind: 'Foo', listKind: 'FooList' },
        versions: [
          { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } },
        ],
        conversion,
      },
      status: { storedVersions: ['v1'] },
    }) as unknown as CustomResourceDefinition;
  const errs = (conversion: unknown) => texts(validateCRD(crd(conversion)));

  it('Webhook needs a client config and a known review version', () => {
    assert.deepEqual(errs({ strategy: 'Webhook' }), [
      'spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook',
      'spec.conversion.conversionReviewVersions: Required value',
    ]);
    assert.deepEqual(
      errs({
        strategy: 'Webhook',
        webhook: { clientConfig: { url: 'http://x' }, conversionReviewVersions: ['v2', 'v2'] },
      }),
      [
        'spec.conversion.webhookClientConfig.url: Invalid value: "http://x": \'https\' is the only allowed URL scheme',
        'spec.conversion.conversionReviewVersions[1]: Invalid value: "v2": duplicate version',
        'spec.conversion.conversionReviewVersions: Invalid value: []string{"v2", "v2"}: must include at least one of v1, v1beta1',
      ],
    );
    assert.deepEqual(
      errs({
        strategy: 'Webhook',
        webhook: {
          clientConfig: { url: 'https://x', service: { name: 'a', namespace: 'b' } },
          conversionReviewVersions: ['v1'],
        },
      }),
      ['spec.conversion.webhookClientConfig: Required value: exactly one of url or service is required'],
    );
    assert.deepEqual(
      errs({
        strategy: 'Webhook',
        webhook: {
          clientConfig: { service: { name: 'a', namespace: 'b', port: 443 } },
          conversionReviewVersions: ['v1beta1'],
        },
      }),
      [],
    );
  });

  it('None must not carry webhook settings; strategies are None and Webhook', () => {
    assert.deepEqual(
      errs({
        strategy: 'None',
        webhook: { clientConfig: { url: 'https://x' }, conversionReviewVersions: ['v1'] },
      }),
      [
        'spec.conversion.webhookClientConfig: Forbidden: should not be set when strategy is not set to Webhook',
        'spec.conversion.conversionReviewVersions: Forbidden: should not be set when strategy is not set to Webhook',
      ],
    );
    assert.deepEqual(errs({ strategy: 'Magic' }), [
      'spec.conversion.strategy: Unsupported value: "Magic": supported values: "None", "Webhook"',
    ]);
  });
});
