// Kubernetes resource quantities ("500m", "1Gi", "1e3") with the parsing, rounding and canonical
// form of k8s.io/apimachinery/pkg/api/resource. Values are held exactly as a count of nano units
// (bigint): every parsed quantity is rounded (away from zero) to 1n upstream, so nothing is lost.

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

export interface Quantity {
  /** The value in units of 10^-9 (exact). */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
  /**
   * Upstream keeps the input text when it already looks canonical ("100m", "3Ki", "+1") and emits
   * it verbatim; set only on freshly parsed quantities.
   */
  readonly text?: string;
}

const SPLIT_RE = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
/** Upstream's ErrFormatWrong text. */
export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${SPLIT_RE}'`;
export const QUANTITY_NUMERIC_ERROR = 'unable to parse numeric part of quantity';
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

export class QuantityParseError extends Error {}

const NANO = 1_000_000_000n;
/** BinarySI values are capped at the largest int64 (upstream's maxAllowed). */
const MAX_BINARY_NANOS = (2n ** 63n - 1n) * NANO;

const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_EXPONENT = new Map(Object.entries(BINARY_SUFFIXES).map(([s, e]) => [e, s]));
const SUFFIX_CHARS = 'eEinumkKMGTP';

interface Scanned {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** The same scan as upstream's parseQuantityString (it accepts "1.", ".5" and a bare "-"). */
function scan(str: string): Scanned {
  let pos = 0;
  let positive = true;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') pos++;
  while (str[pos] === '0') pos++;
  if (pos >= str.length) return { positive, num: '0', denom: '', suffix: '' };
  let start = pos;
  while (isDigit(str[pos])) pos++;
  const num = str.slice(start, pos) || '0';
  let denom = '';
  if (str[pos] === '.') {
    start = ++pos;
    while (isDigit(str[pos])) pos++;
    denom = str.slice(start, pos);
  }
  const suffixStart = pos;
  while (pos < str.length && SUFFIX_CHARS.includes(str[pos])) pos++;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (isDigit(str[pos])) pos++;
  if (pos < str.length) throw new QuantityParseError(QUANTITY_FORMAT_ERROR);
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

function interpretSuffix(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } {
  if (suffix in DECIMAL_SUFFIXES)
    return { base: 10, exponent: DECIMAL_SUFFIXES[suffix], format: 'DecimalSI' };
  if (suffix in BINARY_SUFFIXES) return { base: 2, exponent: BINARY_SUFFIXES[suffix], format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?\d+$/.test(suffix.slice(1))) {
    return { base: 10, exponent: Number(suffix.slice(1)), format: 'DecimalExponent' };
  }
  throw new QuantityParseError(QUANTITY_SUFFIX_ERROR);
}

/**
 * Whether upstream's fast path keeps the input string as the quantity's text: it does so when
 * the number fits int64 and "looks" canonical (see ParseQuantity in quantity.go).
 */
function keepsText(s: Scanned, base: 2 | 10, exponent: number): boolean {
  const shifted = s.num + s.denom;
  if (base === 2) {
    if (exponent < 0 || s.denom.length > 0) return false;
    const precision = 15 - s.num.length - Math.trunc((exponent * 3) / 10) - 1;
    if (precision < 0) return false;
    const value = BigInt(shifted);
    if (value * 2n ** BigInt(exponent) > 2n ** 63n - 1n) return false;
    return exponent % 10 === 0 && value % 8n !== 0n;
  }
  if (18 - shifted.length < 0) return false;
  const scale = exponent - s.denom.length;
  if (scale < -9) return false;
  if (BigInt(shifted) > 2n ** 63n - 1n) return false;
  return scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
}

/** Parses a quantity; throws QuantityParseError with upstream's message. */
export function parseQuantity(str: string): Quantity {
  if (str.length === 0) throw new QuantityParseError(QUANTITY_FORMAT_ERROR);
  if (str === '0') return { nanos: 0n, format: 'DecimalSI', text: '0' };
  const s = scan(str);
  const { base, exponent, format: suffixFormat } = interpretSuffix(s.suffix);
  // magnitude = digits * base^exponent / 10^len(denom), in nanos, rounded up (away from zero)
  let numerator = BigInt(s.num + s.denom) * NANO;
  let denominator = 10n ** BigInt(s.denom.length);
  if (base === 2) numerator *= 2n ** BigInt(exponent);
  else if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
  else denominator *= 10n ** BigInt(-exponent);
  let magnitude = numerator / denominator;
  if (numerator % denominator !== 0n) magnitude += 1n;
  let format = suffixFormat;
  if (format === 'BinarySI') {
    if (magnitude > MAX_BINARY_NANOS) magnitude = MAX_BINARY_NANOS;
    if (magnitude > 0n && magnitude < NANO) format = 'DecimalSI';
  }
  const nanos = s.positive ? magnitude : -magnitude;
  return keepsText(s, base, exponent) ? { nanos, format, text: str } : { nanos, format };
}

export function tryParseQuantity(str: string): Quantity | undefined {
  try {
    return parseQuantity(str);
  } catch {
    return undefined;
  }
}

/** Moves factors of `base` out of n: returns [n / base^k, k] with the largest such k. */
function removeFactors(n: bigint, base: bigint): [bigint, number] {
  let times = 0;
  const negative = n < 0n;
  let v = negative ? -n : n;
  while (v >= base && v % base === 0n) {
    v /= base;
    times++;
  }
  return [negative ? -v : v, times];
}

function decimalCanonical(nanos: bigint, format: 'DecimalSI' | 'DecimalExponent'): string {
  const [stripped, times] = removeFactors(nanos, 10n);
  let mantissa = stripped;
  let exponent = times - 9;
  // lower the exponent to a multiple of 3 (1.5 -> 1500m), as AsCanonicalBytes does
  const rem = ((exponent % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(rem);
  exponent -= rem;
  if (format === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  if (exponent > 18) {
    mantissa *= 10n ** BigInt(exponent - 18);
    exponent = 18;
  }
  return `${mantissa}${DECIMAL_BY_EXPONENT.get(exponent) ?? ''}`;
}

/** The canonical form upstream's Quantity.String() emits (CanonicalizeBytes). */
export function canonicalForm(q: Pick<Quantity, 'nanos' | 'format'>): string {
  if (q.nanos === 0n) return '0';
  if (q.format === 'BinarySI') {
    const inRange = q.nanos > -1024n * NANO && q.nanos < 1024n * NANO;
    if (!inRange && q.nanos % NANO === 0n) {
      const [mantissa, times] = removeFactors(q.nanos / NANO, 1024n);
      return `${mantissa}${BINARY_BY_EXPONENT.get(times * 10) ?? ''}`;
    }
    return decimalCanonical(q.nanos, 'DecimalSI');
  }
  return decimalCanonical(q.nanos, q.format);
}

/** What the API server writes back for a quantity (String()/MarshalJSON). */
export function quantityToString(q: Quantity): string {
  return q.text ?? canonicalForm(q);
}

/** Parse and re-emit: what a decode/encode round trip makes of a quantity string. */
export function normalizeQuantity(str: string): string {
  return quantityToString(parseQuantity(str));
}

export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** a + b; a zero left side takes the right side's format, as upstream's Add does. */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

export function subQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos - b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

/** ceil(|q| / 10^-scale) with q's sign: upstream rounds scaled values away from zero. */
function scaledAwayFromZero(nanos: bigint, unit: bigint): bigint {
  const negative = nanos < 0n;
  const m = negative ? -nanos : nanos;
  const v = m / unit + (m % unit === 0n ? 0n : 1n);
  return negative ? -v : v;
}

/** q in milli-units (MilliValue): "1" -> 1000n, "1n" -> 1n. */
export function milliValue(q: Quantity): bigint {
  return scaledAwayFromZero(q.nanos, 1_000_000n);
}

/** q in whole units (Value): "1500m" -> 2n, "1Ki" -> 1024n. */
export function quantityValue(q: Quantity): bigint {
  return scaledAwayFromZero(q.nanos, NANO);
}

/** An approximate float (AsApproximateFloat64), for ratios and display. */
export function approximateNumber(q: Quantity): number {
  return Number(q.nanos) / 1e9;
}

/** NewMilliQuantity: e.g. fromMilli(500n) is "500m". */
export function fromMilli(milli: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nanos: BigInt(milli) * 1_000_000n, format };
}

/** NewQuantity: e.g. fromValue(1073741824n, 'BinarySI') is "1Gi". */
export function fromValue(value: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nanos: BigInt(value) * NANO, format };
}

/**
 * How upstream prints a parsed Quantity as a field error's value: Go's %#v of the struct
 * (resource.Quantity has no value-receiver String method), e.g. for "4.5"
 * `resource.Quantity{i:resource.int64Amount{value:45, scale:-1}, d:..., s:"", Format:"DecimalSI"}`.
 * Only the int64 fast path of ParseQuantity is reproduced; other values keep an inf.Dec
 * pointer whose address upstream prints, so they are rendered with a nil pointer.
 */
export function goQuantityStruct(str: string): string {
  const s = scan(str);
  const { base, exponent, format } = interpretSuffix(s.suffix);
  const sign = s.positive ? 1n : -1n;
  const dec = (d: string) => `d:resource.infDecAmount{Dec:(*inf.Dec)(${d})}`;
  const text = keepsText(s, base, exponent) ? JSON.stringify(str) : '""';
  const amount = (value: bigint, scale: number) =>
    `resource.Quantity{i:resource.int64Amount{value:${value}, scale:${scale}}, ${dec('nil')}, s:${text}, Format:"${format}"}`;
  const shifted = BigInt(s.num + s.denom);
  if (base === 10) {
    const scale = exponent - s.denom.length;
    if (18 - (s.num.length + s.denom.length) >= 0 && scale >= -9 && shifted <= 2n ** 63n - 1n)
      return amount(sign * shifted, scale);
  } else if (s.denom.length === 0 && exponent >= 0) {
    const value = shifted * 2n ** BigInt(exponent);
    if (value <= 2n ** 63n - 1n) return amount(sign * value, 0);
  }
  return `resource.Quantity{i:resource.int64Amount{value:0, scale:0}, ${dec('0xc000000000')}, s:"", Format:"${format}"}`;
}
