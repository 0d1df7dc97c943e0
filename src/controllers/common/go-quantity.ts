// How resource.ParseQuantity leaves a Quantity's insides for the common (int64) case: value,
// scale, format, and the string it caches when the input is already canonical. spew prints all
// of them, so the pod-template hash depends on them. Quantities that need the inf.Dec path are
// refused (UnsupportedForHash).
import { UnsupportedForHash } from './spew.js';

export interface QuantityParts {
  value: bigint;
  scale: number;
  format: 'DecimalSI' | 'BinarySI' | 'DecimalExponent';
  /** the cached string (Quantity.s), empty when not canonical */
  cached: string;
}

const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const INT64_MAX = 2n ** 63n - 1n;

export function quantityParts(str: string): QuantityParts {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/.exec(str);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new UnsupportedForHash(`quantity ${str}`);
  const positive = m[1] !== '-';
  const num = m[2] === '' ? '0' : m[2];
  const denom = m[3] ?? '';
  const suffix = m[4];
  let format: QuantityParts['format'];
  let exponent: number;
  if (suffix in DECIMAL) {
    format = 'DecimalSI';
    exponent = DECIMAL[suffix];
  } else if (suffix in BINARY) {
    format = 'BinarySI';
    exponent = BINARY[suffix];
  } else if (/^[eE][+-]?\d+$/.test(suffix)) {
    format = 'DecimalExponent';
    exponent = Number(suffix.slice(1));
  } else throw new UnsupportedForHash(`quantity suffix ${suffix}`);

  let scale = 0;
  let mantissa = 1n;
  let precision: number;
  if (format === 'BinarySI') {
    if (denom.length === 0) {
      mantissa = 1n << BigInt(exponent);
      precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    } else precision = -1;
  } else {
    scale = exponent;
    precision = 18 - (num.length + denom.length);
  }
  if (precision < 0) throw new UnsupportedForHash(`quantity ${str} needs inf.Dec`);
  scale -= denom.length;
  if (scale < -9) throw new UnsupportedForHash(`quantity ${str} needs inf.Dec`);
  const shifted = num + denom;
  const base = BigInt(shifted);
  let value = base * mantissa;
  if (base > INT64_MAX || value > INT64_MAX) throw new UnsupportedForHash(`quantity ${str} overflows int64`);
  if (!positive) value = -value;
  let canonical: boolean;
  if (format === 'BinarySI') canonical = exponent % 10 === 0 && (base & 7n) !== 0n;
  else canonical = scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
  return { value, scale, format, cached: canonical ? str : '' };
}
