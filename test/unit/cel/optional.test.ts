// CEL optional syntax and the optional library as kube-apiserver v1.31 enables them (cel-go's
// OptionalTypes): `.?field`, `[?key]`, selects on optionals staying optional, optional.of/none/
// ofNonZeroValue, hasValue/value/orValue/or; plus carets of errors in rewritten sources.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression, CompileError } from '../../../src/apiserver/cel/compile.js';
import { toCel } from '../../../src/apiserver/cel/values.js';

const self = toCel(
  { spec: { a: { b: 1 }, list: [10, 20], labels: { x: 'y' } }, text: 'has .? and [? inside' },
  undefined,
);
function evaluate(expr: string): { value?: unknown; error?: string } {
  const r = compileExpression(expr, { variables: { self: undefined }, result: 'any' }).run({ self });
  return r.error !== undefined ? { error: r.error } : { value: r.value };
}

describe('CEL optional syntax', () => {
  it('.?field gives an optional of the field, none when absent', () => {
    assert.deepEqual(evaluate('self.?spec.?a.?b.orValue(0)'), { value: 1n });
    assert.deepEqual(evaluate('self.?spec.?nope.?b.orValue(7)'), { value: 7n });
    assert.deepEqual(evaluate('self.spec.?nope.hasValue()'), { value: false });
    assert.deepEqual(evaluate('self.spec.?a.hasValue()'), { value: true });
  });

  it('a plain select on an optional stays optional: none stays none, a missing field is an error', () => {
    assert.deepEqual(evaluate('self.?spec.a.b.value()'), { value: 1n });
    assert.deepEqual(evaluate('self.spec.?nope.b.c.hasValue()'), { value: false });
    assert.deepEqual(evaluate('self.?spec.a.nope.hasValue()'), { error: 'no such key: nope' });
  });

  it('[?key] on maps and lists', () => {
    assert.deepEqual(evaluate("self.spec.labels[?'x'].orValue('none')"), { value: 'y' });
    assert.deepEqual(evaluate("self.spec.labels[?'z'].orValue('none')"), { value: 'none' });
    assert.deepEqual(evaluate('self.spec.list[?1].value()'), { value: 20n });
    assert.deepEqual(evaluate('self.spec.list[?5].hasValue()'), { value: false });
    assert.deepEqual(evaluate('self.?spec.list[1].value()'), { value: 20n });
    assert.deepEqual(evaluate("self.?spec.?labels[?'x'].orValue('q')"), { value: 'y' });
    assert.deepEqual(
      evaluate('[self.spec.list[?0].orValue(1)][0]'),
      { value: 10n },
      'list literals still parse',
    );
  });

  it('optional list elements and map entries are kept with a value, dropped when none', () => {
    const plain = (v: unknown) =>
      JSON.parse(
        JSON.stringify(v, (_k, x: unknown) =>
          typeof x === 'bigint'
            ? Number(x)
            : x instanceof Map || (typeof x === 'object' && x !== null && Symbol.iterator in x)
              ? [...(x as Iterable<unknown>)]
              : x,
        ),
      );
    assert.deepEqual(plain(evaluate('[?self.spec.?a.?b, ?self.spec.?nope, 3]').value), [1, 3]);
    assert.deepEqual(evaluate('size([?optional.none()])'), { value: 0n });
    assert.deepEqual(plain(evaluate("{?'b': self.spec.?a.?b, ?'z': self.spec.?nope, 'c': 1}").value), [
      ['b', 1],
      ['c', 1],
    ]);
    // a ternary is not an optional marker
    assert.deepEqual(plain(evaluate("[true ? 1 : 2, {'k': false ? 1 : 2}['k']]").value), [1, 2]);
    assert.deepEqual(
      evaluate('[?1]'),
      { error: 'no such overload' },
      'an optional element must be an optional',
    );
  });

  it('leaves string literals alone', () => {
    assert.deepEqual(evaluate(`self.text == "has .? and [? inside"`), { value: true });
    assert.deepEqual(evaluate(`self.text == r'has .? and [? inside'`), { value: true });
  });

  it('the optional library: of, none, ofNonZeroValue, or, orValue, value', () => {
    assert.deepEqual(evaluate('optional.none().or(optional.of(3)).value()'), { value: 3n });
    assert.deepEqual(evaluate('optional.of(1).or(optional.of(3)).value()'), { value: 1n });
    assert.deepEqual(evaluate("optional.ofNonZeroValue('').hasValue()"), { value: false });
    assert.deepEqual(evaluate('optional.ofNonZeroValue([1]).hasValue()'), { value: true });
    assert.deepEqual(evaluate('optional.ofNonZeroValue(0).orValue(5)'), { value: 5n });
    // cel-go's text for dereferencing none
    assert.deepEqual(evaluate('optional.none().value()'), { error: 'optional.none() dereference' });
  });

  it('errors point into the original source', () => {
    assert.throws(
      () => compileExpression('self.?spec.?a + ', { variables: { self: undefined } }),
      (e: unknown) =>
        e instanceof CompileError &&
        /^compilation failed: ERROR: <input>:1:\d+: Syntax error: /.test(e.message),
    );
    assert.throws(
      () => compileExpression('self.?spec.nope(1)', { variables: { self: undefined } }),
      (e: unknown) =>
        e instanceof CompileError &&
        e.message ===
          "compilation failed: ERROR: <input>:1:11: undeclared reference to 'nope' (in container '')\n | self.?spec.nope(1)\n | ..........^",
    );
    assert.throws(
      () => compileExpression('other.?spec', { variables: { self: undefined } }),
      (e: unknown) => e instanceof CompileError && e.message.includes("undeclared reference to 'other'"),
    );
  });
});

describe('CEL optional syntax in CRD validation rules', () => {
  it('compiles and evaluates against the schema-typed values', async () => {
    const { compileRules, evaluateRules } = await import('../../../src/apiserver/crd/cel-rules.js');
    const schema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { min: { type: 'integer' }, max: { type: 'integer' } },
          'x-kubernetes-validations': [
            { rule: 'self.?max.orValue(10) >= self.?min.orValue(0)', message: 'max below min' },
          ],
        },
      },
    };
    const { node, errors } = compileRules(schema, 'spec.versions[0].schema.openAPIV3Schema');
    assert.deepEqual(errors, []);
    const run = (spec: Record<string, unknown>) =>
      evaluateRules(node!, { apiVersion: 'x/v1', kind: 'K', metadata: { name: 'a' }, spec }, undefined).map(
        (e) => e.detail,
      );
    assert.deepEqual(run({ min: 5 }), []);
    assert.deepEqual(run({ min: 11 }), ['max below min']);
    assert.deepEqual(run({ min: 3, max: 2 }), ['max below min']);
  });
});
