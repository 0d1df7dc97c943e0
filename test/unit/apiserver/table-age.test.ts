import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration } from '../../../src/apiserver/registry/table.js';

describe('Age cells read like upstream HumanDuration', () => {
  const s = 1000;
  const cases: [number, string][] = [
    [0, '0s'],
    [-1500, '0s'],
    [-5 * s, '<invalid>'],
    [119 * s, '119s'],
    [120 * s, '2m'],
    [200 * s, '3m20s'],
    [15 * 60 * s, '15m'],
    [3 * 3600 * s, '3h'],
    [3 * 3600 * s + 5 * 60 * s, '3h5m'],
    [10 * 3600 * s, '10h'],
    [3 * 86400 * s + 4 * 3600 * s, '3d4h'],
    [30 * 86400 * s, '30d'],
    [800 * 86400 * s, '2y70d'],
  ];
  for (const [ms, want] of cases) it(`${ms} ms → ${want}`, () => assert.equal(humanDuration(ms), want));
});
