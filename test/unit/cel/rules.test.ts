// CEL validation rules of CRD schemas (x-kubernetes-validations) with kube-apiserver v1.31's
// texts: compile errors at CRD write, rule failures, messageExpression, reason, fieldPath,
// transition rules, the Kubernetes libraries and the cost limit.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileRules, evaluateRules, type ValidationRule } from '../../../src/apiserver/crd/cel-rules.js';
import { compileExpression } from '../../../src/apiserver/cel/compile.js';
import { errorText, type FieldError } from '../../../src/apiserver/registry/validation.js';
import type { JSONSchemaProps } from '../../../src/apiserver/crd/types.js';

const texts = (errs: FieldError[]) => errs.map(errorText);
const P = 'spec.versions[0].schema.openAPIV3Schema';

function schemaWith(rules: ValidationRule[], spec: JSONSchemaProps = {}): JSONSchemaProps {
  return {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          replicas: { type: 'integer' },
          min: { type: 'integer' },
          max: { type: 'integer' },
          name: { type: 'string' },
          items: { type: 'array', items: { type: 'string' } },
          ...spec.properties,
        },
        'x-kubernetes-validations': rules,
      },
    },
  };
}

function check(rules: ValidationRule[], spec: Record<string, unknown>, old?: Record<string, unknown>) {
  const { node, errors } = compileRules(schemaWith(rules), P);
  assert.deepEqual(texts(errors), []);
  assert.ok(node);
  return texts(
    evaluateRules(
      node,
      { apiVersion: 'x/v1', kind: 'K', metadata: { name: 'a' }, spec },
      old && { spec: old },
    ),
  );
}

/** Evaluates one expression against self (a plain JSON value). */
function evalExpr(expr: string, self: unknown = {}): unknown {
  const r = compileExpression(expr, { variables: { self: undefined } }).run({ self });
  return r.error !== undefined ? `error: ${r.error}` : r.value;
}

describe('CEL rule failures', () => {
  it('reports a failed rule at the node with the type as value, as upstream', () => {
    assert.deepEqual(check([{ rule: 'self.min <= self.max' }], { min: 3, max: 1 }), [
      'spec: Invalid value: "object": failed rule: self.min <= self.max',
    ]);
    assert.deepEqual(
      check([{ rule: 'self.min <= self.max', message: 'min must not exceed max' }], { min: 3, max: 1 }),
      ['spec: Invalid value: "object": min must not exceed max'],
    );
    assert.deepEqual(check([{ rule: 'self.min <= self.max' }], { min: 1, max: 3 }), []);
  });

  it('uses messageExpression, falling back to message when it fails', () => {
    const rule = { rule: 'self.replicas < 10', messageExpression: "'replicas is ' + string(self.replicas)" };
    assert.deepEqual(check([rule], { replicas: 12 }), ['spec: Invalid value: "object": replicas is 12']);
    const bad = { rule: 'self.replicas < 10', message: 'too many', messageExpression: "self.name + '!'" };
    assert.deepEqual(check([bad], { replicas: 12 }), ['spec: Invalid value: "object": too many']);
  });

  it('reports under fieldPath with the reason given', () => {
    assert.deepEqual(
      check(
        [
          {
            rule: 'self.replicas < 10',
            fieldPath: '.replicas',
            reason: 'FieldValueForbidden',
            message: 'no',
          },
        ],
        {
          replicas: 12,
        },
      ),
      ['spec.replicas: Forbidden: no'],
    );
    assert.deepEqual(
      check([{ rule: 'has(self.name)', reason: 'FieldValueRequired', message: 'name is required' }], {}),
      ['spec: Required value: name is required'],
    );
    assert.deepEqual(check([{ rule: 'false', reason: 'FieldValueDuplicate' }], {}), [
      'spec: Duplicate value: "object"',
    ]);
  });

  it('reports evaluation errors with the rule', () => {
    assert.deepEqual(check([{ rule: 'self.name == "a"' }], {}), [
      'spec: Invalid value: "object": no such key: name evaluating rule: self.name == "a"',
    ]);
  });

  it('runs transition rules only on update, with oldSelf correlated', () => {
    const rule = { rule: 'self.replicas >= oldSelf.replicas', message: 'replicas may not decrease' };
    assert.deepEqual(check([rule], { replicas: 1 }), []);
    assert.deepEqual(check([rule], { replicas: 1 }, { replicas: 3 }), [
      'spec: Invalid value: "object": replicas may not decrease',
    ]);
    assert.deepEqual(check([rule], { replicas: 4 }, { replicas: 3 }), []);
    const optional = {
      rule: '!oldSelf.hasValue() || self.name == oldSelf.value().name',
      optionalOldSelf: true,
      message: 'immutable',
    };
    assert.deepEqual(check([optional], { name: 'a' }), []);
    assert.deepEqual(check([optional], { name: 'b' }, { name: 'a' }), [
      'spec: Invalid value: "object": immutable',
    ]);
  });

  it('reports a rule at the root as <nil>, with self carrying only name and generateName of metadata', () => {
    const root: JSONSchemaProps = {
      type: 'object',
      properties: { spec: { type: 'object', properties: { n: { type: 'string' } } } },
      'x-kubernetes-validations': [
        { rule: "self.metadata.name.startsWith('ok-')", message: 'name must start with ok-' },
      ],
    };
    const { node } = compileRules(root, P);
    assert.ok(node);
    assert.deepEqual(
      texts(evaluateRules(node, { metadata: { name: 'bad', labels: { a: 'b' } }, spec: {} }, undefined)),
      ['<nil>: Invalid value: "object": name must start with ok-'],
    );
    assert.deepEqual(
      texts(
        compileRules(
          { ...root, 'x-kubernetes-validations': [{ rule: 'self.metadata.labels.size() > 0' }] },
          P,
        ).errors,
      ).length,
      1,
    );
  });

  it('stops a runaway rule at the per-call cost limit', () => {
    const items = Array.from({ length: 2000 }, (_, i) => `i${i}`);
    const rule = { rule: 'self.items.all(a, self.items.all(b, a == b || a != b))' };
    const started = process.hrtime.bigint();
    assert.deepEqual(check([rule], { items }), [
      `spec: Invalid value: "object": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${rule.rule}`,
    ]);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 5000, `stopped after ${ms} ms`);
  });
});

describe('CEL rule compilation at CRD write', () => {
  it('rejects an undeclared reference with cel-go text and the rule in Go syntax', () => {
    const { errors } = compileRules(schemaWith([{ rule: 'foo > 1' }]), P);
    assert.deepEqual(texts(errors), [
      `${P}.properties[spec].x-kubernetes-validations[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"foo > 1", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: compilation failed: ERROR: <input>:1:1: undeclared reference to 'foo' (in container '')\n | foo > 1\n | ^`,
    ]);
  });

  it('rejects a field the schema does not have', () => {
    const { errors } = compileRules(schemaWith([{ rule: 'self.replica > 1' }]), P);
    assert.match(texts(errors)[0]!, /compilation failed: ERROR: <input>:1:5: undefined field 'replica'/);
  });

  it('rejects syntax errors and non-bool results', () => {
    assert.match(
      texts(compileRules(schemaWith([{ rule: 'self.replicas >' }]), P).errors)[0]!,
      /rule: Invalid value: .*compilation failed: ERROR: <input>:1:\d+: Syntax error: /,
    );
    assert.match(
      texts(compileRules(schemaWith([{ rule: 'self.replicas + 1' }]), P).errors)[0]!,
      /: cel expression must evaluate to a bool$/,
    );
  });

  it('checks message, reason and fieldPath as upstream', () => {
    const errs = texts(
      compileRules(
        schemaWith([
          { rule: '' },
          { rule: 'true', message: 'a\nb' },
          { rule: 'true', reason: 'Nope' },
          { rule: 'true', fieldPath: '.nothere' },
          { rule: 'true', fieldPath: '.items[0]' },
        ]),
        P,
      ).errors,
    );
    const at = `${P}.properties[spec].x-kubernetes-validations`;
    assert.deepEqual(errs, [
      `${at}[0].rule: Required value: rule is not specified`,
      `${at}[1].message: Invalid value: "a\\nb": message must not contain line breaks`,
      `${at}[2].reason: Unsupported value: "Nope": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`,
      `${at}[3].fieldPath: Invalid value: ".nothere": fieldPath must be a valid path: does not refer to a valid field`,
      `${at}[4].fieldPath: Invalid value: ".items[0]": fieldPath must be a valid path: expected single quoted string but got 0`,
    ]);
  });

  it('forbids oldSelf under a list that does not correlate', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            list: {
              type: 'array',
              items: {
                type: 'object',
                properties: { a: { type: 'string' } },
                'x-kubernetes-validations': [{ rule: 'self.a == oldSelf.a' }],
              },
            },
          },
        },
      },
    };
    assert.deepEqual(texts(compileRules(s, P).errors), [
      `${P}.properties[spec].properties[list].items.x-kubernetes-validations[0].rule: Invalid value: "self.a == oldSelf.a": oldSelf cannot be used on the uncorrelatable portion of the schema within ${P}.properties[spec].properties[list].items`,
    ]);
  });
});

describe('CEL libraries kube-apiserver adds', () => {
  it('lists', () => {
    assert.equal(evalExpr('[1, 2, 3].isSorted() && ![2, 1].isSorted()'), true);
    assert.equal(evalExpr('[1, 2, 3].sum()'), 6n);
    assert.equal(evalExpr('[3, 1, 2].min()'), 1n);
    assert.equal(evalExpr("['b', 'c', 'a'].max()"), 'c');
    assert.equal(evalExpr("['a', 'b', 'a'].indexOf('a')"), 0n);
    assert.equal(evalExpr("['a', 'b', 'a'].lastIndexOf('a')"), 2n);
  });
  it('regex and strings', () => {
    assert.equal(evalExpr("'abc 123'.find('[0-9]+')"), '123');
    assert.deepEqual(
      [...(evalExpr("'a1 b22 c333'.findAll('[0-9]+')") as Iterable<string>)],
      ['1', '22', '333'],
    );
    assert.equal(evalExpr("'Hello'.lowerAscii() + 'x'.upperAscii()"), 'helloX');
    assert.equal(evalExpr("'  x '.trim()"), 'x');
    assert.equal(evalExpr("'a-b-c'.replace('-', '+')"), 'a+b+c');
    assert.deepEqual([...(evalExpr("'a,b'.split(',')") as Iterable<string>)], ['a', 'b']);
    assert.equal(evalExpr("['a', 'b'].join('/')"), 'a/b');
    assert.equal(evalExpr("'hello'.substring(1, 3)"), 'el');
    assert.equal(evalExpr("'hello'.indexOf('l')"), 2n);
    assert.equal(evalExpr("'%s has %d items'.format(['x', 3])"), 'x has 3 items');
    assert.equal(evalExpr("'abc'.matches('^a.c$')"), true);
  });
  it('urls', () => {
    assert.equal(evalExpr("isURL('https://example.com:8443/p?q=1')"), true);
    assert.equal(evalExpr("isURL('not a url')"), false);
    assert.equal(evalExpr("url('https://example.com:8443/p?q=1').getHostname()"), 'example.com');
    assert.equal(evalExpr("url('https://example.com:8443/p?q=1').getPort()"), '8443');
    assert.equal(evalExpr("url('https://example.com/a%20b').getEscapedPath()"), '/a%20b');
    assert.equal(evalExpr("url('https://example.com/p').getScheme()"), 'https');
  });
  it('quantities', () => {
    assert.equal(evalExpr("quantity('1Gi').isGreaterThan(quantity('1G'))"), true);
    assert.equal(evalExpr("quantity('500m').isInteger()"), false);
    assert.equal(evalExpr("quantity('2k').asInteger()"), 2000n);
    assert.equal(evalExpr("quantity('1').add(quantity('500m')).compareTo(quantity('1500m'))"), 0n);
    assert.equal(evalExpr("isQuantity('1Gi') && !isQuantity('1GG')"), true);
  });
  it('macros, timestamps and durations', () => {
    assert.equal(evalExpr('[1, 2, 3].exists_one(x, x > 2)'), true);
    assert.deepEqual(
      [...(evalExpr('[1, 2, 3].filter(x, x > 1).map(x, x * 10)') as Iterable<bigint>)],
      [20n, 30n],
    );
    assert.equal(
      evalExpr("timestamp('2024-01-01T00:00:00Z') + duration('1h') > timestamp('2024-01-01T00:30:00Z')"),
      true,
    );
    assert.equal(evalExpr("duration('1h30m').getMinutes()"), 90n);
  });
});
