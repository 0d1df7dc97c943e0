import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  QUANTITY_FORMAT_ERROR,
  QuantityParseError,
  addQuantities,
  compareQuantities,
  fromMilli,
  goQuantityStruct,
  fromValue,
  milliValue,
  normalizeQuantity,
  parseQuantity,
  quantityToString,
  quantityValue,
  subQuantities,
} from '../../../src/api/quantity.js';

// What the API server writes back for a quantity it was sent (decode + encode in upstream).
const roundTrips: [string, string][] = [
  ['0.5', '500m'],
  ['1000m', '1'],
  ['100m', '100m'],
  ['1.5', '1500m'],
  ['0.001', '1m'],
  ['12000', '12k'],
  ['1000M', '1G'],
  ['1Gi', '1Gi'],
  ['1024Mi', '1Gi'],
  ['2048Ki', '2Mi'],
  ['1.5Gi', '1536Mi'],
  ['0.5Gi', '512Mi'],
  ['0.5Ki', '512'], // a BinarySI value below 1024 is shown as DecimalSI
  ['.001Ki', '1024m'],
  ['.000001Ki', '1024u'],
  ['.000000001Ki', '1024n'],
  ['.000000000001Ki', '2n'], // below a nano unit: rounded up
  ['0.1n', '1n'],
  ['1e3', '1e3'], // DecimalExponent stays an exponent (upstream keeps "1e3"; a JSON number 1e3 arrives as 1000)
  ['1000', '1k'],
  ['1.5e3', '1500'],
  ['5e-3', '5e-3'],
  ['129e6', '129e6'],
  ['0', '0'],
  ['0Gi', '0'],
  ['-0', '0'],
  ['-1.5', '-1500m'],
  ['-1Ki', '-1Ki'],
  ['1E', '1E'],
  ['+1', '+1'], // upstream keeps an already-canonical-looking input verbatim
];

for (const [input, want] of roundTrips) {
  test(`quantity ${JSON.stringify(input)} is emitted as ${JSON.stringify(want)}`, () => {
    assert.equal(normalizeQuantity(input), want);
  });
}

test('invalid quantities fail with upstream texts', () => {
  for (const bad of ['', 'abc', '1Kb', '1.5.5', '1 Gi']) {
    assert.throws(() => parseQuantity(bad), new QuantityParseError(QUANTITY_FORMAT_ERROR), bad);
  }
  assert.equal(
    QUANTITY_FORMAT_ERROR,
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
  );
  assert.throws(() => parseQuantity('1KK'), { message: "unable to parse quantity's suffix" });
  assert.throws(() => parseQuantity('1e'), { message: "unable to parse quantity's suffix" });
  assert.throws(() => parseQuantity('Gi1'), { message: "unable to parse quantity's suffix" });
});

test('compare, add and subtract are exact', () => {
  const q = parseQuantity;
  assert.equal(compareQuantities(q('1'), q('1000m')), 0);
  assert.equal(compareQuantities(q('1Ki'), q('1k')), 1);
  assert.equal(compareQuantities(q('999m'), q('1')), -1);
  assert.equal(quantityToString(addQuantities(q('100m'), q('0.2'))), '300m');
  assert.equal(quantityToString(addQuantities(q('1Gi'), q('512Mi'))), '1536Mi');
  assert.equal(quantityToString(subQuantities(q('1'), q('1m'))), '999m');
  assert.equal(quantityToString(addQuantities(fromValue(0), q('1Gi'))), '1Gi', 'zero takes the other format');
  // 0.1 + 0.2 without float error
  assert.equal(quantityToString(addQuantities(q('0.1'), q('0.2'))), '300m');
});

test('milli and whole values round away from zero', () => {
  assert.equal(milliValue(parseQuantity('1')), 1000n);
  assert.equal(milliValue(parseQuantity('1n')), 1n);
  assert.equal(milliValue(parseQuantity('250m')), 250n);
  assert.equal(quantityValue(parseQuantity('1500m')), 2n);
  assert.equal(quantityValue(parseQuantity('-1500m')), -2n);
  assert.equal(quantityValue(parseQuantity('1Ki')), 1024n);
  assert.equal(quantityValue(parseQuantity('1e3')), 1000n);
});

test('constructors emit canonical forms', () => {
  assert.equal(quantityToString(fromMilli(500)), '500m');
  assert.equal(quantityToString(fromMilli(2000)), '2');
  assert.equal(quantityToString(fromValue(1073741824n, 'BinarySI')), '1Gi');
  assert.equal(quantityToString(fromValue(1500, 'BinarySI')), '1500');
});

test("goQuantityStruct prints Go's %#v of a parsed Quantity (field error values)", () => {
  const nil = 'd:resource.infDecAmount{Dec:(*inf.Dec)(nil)}';
  assert.equal(
    goQuantityStruct('4.5'),
    `resource.Quantity{i:resource.int64Amount{value:45, scale:-1}, ${nil}, s:"", Format:"DecimalSI"}`,
  );
  assert.equal(
    goQuantityStruct('4500m'),
    `resource.Quantity{i:resource.int64Amount{value:4500, scale:-3}, ${nil}, s:"4500m", Format:"DecimalSI"}`,
  );
  // as in upstream's hugepages error: 8Gi is 8589934592 at scale 0, its text not kept
  assert.equal(
    goQuantityStruct('8Gi'),
    `resource.Quantity{i:resource.int64Amount{value:8589934592, scale:0}, ${nil}, s:"", Format:"BinarySI"}`,
  );
});
