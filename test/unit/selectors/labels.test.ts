import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../src/api/errors.js';
import { labelSelectorFromObject, parseLabelSelector } from '../../../src/api/selectors/index.js';

function parseError(selector: string): string {
  try {
    parseLabelSelector(selector);
  } catch (e) {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(selector)} to be rejected`);
}

const NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

test('every operator of the string syntax parses and prints canonically, sorted by key', () => {
  const m = parseLabelSelector('z=1, y==2,x!=3,w in (b,a,b),!v,u, t notin (z),s>4,r<5');
  assert.equal(m.toString(), 'r<5,s>4,t notin (z),u,!v,w in (a,b),x!=3,y==2,z=1');
});

test('empty and whitespace selectors match everything', () => {
  assert.equal(parseLabelSelector('').matches({}), true);
  assert.equal(parseLabelSelector('  ').matches({ a: 'b' }), true);
});

test('equality, inequality, set and existence requirements match as upstream', () => {
  const labels = { app: 'web', tier: 'front', n: '10' };
  const yes = (s: string) => assert.equal(parseLabelSelector(s).matches(labels), true, s);
  const no = (s: string) => assert.equal(parseLabelSelector(s).matches(labels), false, s);
  yes('app=web');
  yes('app==web');
  no('app=db');
  yes('app!=db');
  yes('missing!=x');
  yes('app in (web,db)');
  no('app notin (web)');
  yes('missing notin (web)');
  yes('tier');
  no('missing');
  yes('!missing');
  no('!app');
  yes('n>9');
  no('n>10');
  yes('n<11');
  no('app>1');
  no('missing<100');
  yes('app=web,tier=front');
  no('app=web,tier=back');
});

test('an empty value and "in" as a value are allowed', () => {
  assert.equal(parseLabelSelector('a=').matches({ a: '' }), true);
  assert.equal(parseLabelSelector('a in ()').matches({ a: '' }), true);
  assert.equal(parseLabelSelector('a in (in,notin)').matches({ a: 'notin' }), true);
  assert.equal(parseLabelSelector('x in (foo,,baz),y,z notin ()').toString(), 'x in (,baz,foo),y,z notin ()');
});

test('syntax errors carry upstream texts', () => {
  assert.equal(
    parseError('a b'),
    "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt",
  );
  assert.equal(
    parseError('env IN (a)'),
    "unable to parse requirement: found 'IN', expected: in, notin, =, ==, !=, gt, lt",
  );
  assert.equal(
    parseError('x ('),
    "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt",
  );
  assert.equal(parseError('a=b,'), "found '', expected: identifier after ','");
  assert.equal(parseError('a=b c'), "found 'c', expected: ',' or 'end of string'");
  assert.equal(parseError(',a'), "found ',', expected: !, identifier, or 'end of string'");
  assert.equal(parseError('a in b'), "unable to parse requirement: found 'b' expected: '('");
  assert.equal(parseError('a in (b c)'), "unable to parse requirement: found 'c', expected: ',' or ')'");
  assert.equal(
    parseError('a in (='),
    "unable to parse requirement: found '=', expected: ',', ')' or identifier",
  );
  assert.equal(parseError('a==='), "unable to parse requirement: found '=', expected: identifier");
  assert.equal(parseError('!=a'), "found '!=', expected: !, identifier, or 'end of string'");
  assert.equal(parseError('!a=b'), "found '=', expected: ',' or 'end of string'");
});

test('invalid keys and values are reported with field paths as upstream prints them', () => {
  assert.equal(
    parseError('app:monolith'),
    `unable to parse requirement: <nil>: Invalid value: "app:monolith": ${NAME_PART}`,
  );
  assert.equal(
    parseError('app.kubernetes_io/name=x'),
    "unable to parse requirement: <nil>: Invalid value: \"app.kubernetes_io/name\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  );
  assert.equal(
    parseError('a/b/c=d'),
    "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
  );
  assert.equal(
    parseError('app=-web'),
    "unable to parse requirement: values[0][app]: Invalid value: \"-web\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  );
  assert.equal(
    parseError('n>x'),
    "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer",
  );
  assert.equal(
    parseError(`a=${'v'.repeat(64)}`),
    `unable to parse requirement: values[0][a]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`,
  );
});

test('LabelSelector objects: matchLabels and matchExpressions are ANDed', () => {
  const m = labelSelectorFromObject({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['front', 'edge'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'zone', operator: 'Exists' },
      { key: 'env', operator: 'NotIn', values: ['dev'] },
    ],
  });
  assert.equal(m.toString(), 'app=web,!canary,env notin (dev),tier in (edge,front),zone');
  assert.equal(m.matches({ app: 'web', tier: 'edge', zone: 'a' }), true);
  assert.equal(m.matches({ app: 'web', tier: 'edge', zone: 'a', canary: 'y' }), false);
  assert.equal(m.matches({ app: 'web', tier: 'back', zone: 'a' }), false);
  assert.equal(labelSelectorFromObject({}).matches({ any: 'thing' }), true);
});

test('LabelSelector objects with bad operators or empty value sets are rejected with upstream texts', () => {
  assert.throws(
    () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['b'] }] }),
    { message: '"Equals" is not a valid label selector operator' },
  );
  assert.throws(
    () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
    {
      message: "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
    },
  );
  assert.throws(
    () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }),
    {
      message: 'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
    },
  );
});
