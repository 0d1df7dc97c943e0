// The CEL function libraries kube-apiserver v1.31 adds to the standard ones (k8s.io/apiserver/pkg/cel/library
// and cel-go's ext.Strings): lists (isSorted, sum, min, max, indexOf, lastIndexOf), regex (find, findAll),
// urls (url, isURL, getScheme, getHost, getHostname, getPort, getEscapedPath, getQuery), quantity
// (quantity, isQuantity, isInteger, asInteger, asApproximateFloat, sign, add, sub, compareTo, isLessThan,
// isGreaterThan) and the optional methods rules use on `oldSelf` (hasValue, value, orValue).
// URL and Quantity are protobuf message types built at run time so that methods dispatch on them; an
// optional is a message whose content lives in a WeakMap (a message cannot hold a CEL value).
import { create, createFileRegistry, createRegistry } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import {
  celFunc,
  celList,
  celMethod,
  CelScalar,
  isCelList,
  isCelUint,
  listType,
  objectType,
  type CelFunc,
  type CelList,
  type CelValue,
} from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import {
  addQuantities,
  approximateNumber,
  compareQuantities,
  fromValue,
  quantityToString,
  quantityValue,
  subQuantities,
  tryParseQuantity,
  type Quantity,
} from '../../api/quantity.js';
import { chargeCost } from './cost.js';

const { INT, DOUBLE, STRING, BOOL, DYN } = CelScalar;
const STRING_FIELD = { number: 1, type: 9, label: 1 };
const file = create(FileDescriptorProtoSchema, {
  name: 'k8ts/cel/kubernetes.proto',
  package: 'kubernetes',
  syntax: 'proto3',
  messageType: [
    { name: 'URL', field: [{ name: 'value', jsonName: 'value', ...STRING_FIELD }] },
    { name: 'Quantity', field: [{ name: 'value', jsonName: 'value', ...STRING_FIELD }] },
    { name: 'Optional', field: [{ name: 'id', jsonName: 'id', ...STRING_FIELD }] },
  ],
});
const files = createFileRegistry(file, () => undefined);
const urlDesc = files.getMessage('kubernetes.URL')!;
const quantityDesc = files.getMessage('kubernetes.Quantity')!;
const optionalDesc = files.getMessage('kubernetes.Optional')!;
/** The registry a CEL environment needs to know the three message types. */
export const kubernetesTypes = createRegistry(urlDesc, quantityDesc, optionalDesc);

const URL_T = objectType(urlDesc);
const QUANTITY_T = objectType(quantityDesc);
const OPTIONAL_T = objectType(optionalDesc);
const LIST = listType(DYN);

/** `this` of a method on one of our message types: a ReflectMessage with the plain message inside. */
interface Reflected {
  message: { value?: string };
}
const textOf = (self: unknown): string => (self as Reflected).message.value ?? '';

// ---- optionals ----

const optionals = new WeakMap<object, CelValue | undefined>();

/** The CEL value `optional.of(v)` (v given) or `optional.none()` (v undefined). */
export function celOptional(v: CelValue | undefined): object {
  const msg = create(optionalDesc, {});
  optionals.set(msg, v);
  return msg;
}
function optionalContent(self: unknown): CelValue | undefined {
  return optionals.get((self as { message: object }).message);
}
/** The content of an optional value ({value: undefined} for none), or undefined for other values. */
export function asOptional(v: unknown): { value: CelValue | undefined } | undefined {
  if (typeof v !== 'object' || v === null || (v as { desc?: unknown }).desc !== optionalDesc)
    return undefined;
  return { value: optionalContent(v) };
}

const optionalFuncs: CelFunc[] = [
  celMethod('hasValue', OPTIONAL_T, [], BOOL, function () {
    return optionalContent(this) !== undefined;
  }),
  celMethod('value', OPTIONAL_T, [], DYN, function () {
    const v = optionalContent(this);
    if (v === undefined) throw new Error('optional.none() dereference');
    return v;
  }),
  celMethod('orValue', OPTIONAL_T, [DYN], DYN, function (alt) {
    return optionalContent(this) ?? alt;
  }),
  celMethod('or', OPTIONAL_T, [OPTIONAL_T], OPTIONAL_T, function (alt) {
    return (optionalContent(this) !== undefined ? this : alt) as never;
  }),
];

// ---- lists ----

type Comparable = bigint | number | string | boolean;
function comparableItems(list: CelList, fn: string): Comparable[] {
  const out: Comparable[] = [];
  for (const v of list) {
    if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')
      out.push(v);
    else if (isCelUint(v)) out.push(v.value);
    else throw new Error(`no such overload: ${fn}`);
  }
  chargeCost(out.length);
  return out;
}
const less = (a: Comparable, b: Comparable) => a < b;
function sameKind(items: Comparable[], fn: string): void {
  const kinds = new Set(items.map((i) => typeof i));
  if (kinds.size > 1) throw new Error(`no such overload: ${fn}`);
}

const listFuncs: CelFunc[] = [
  celMethod('isSorted', LIST, [], BOOL, function () {
    const items = comparableItems(this, 'isSorted');
    sameKind(items, 'isSorted');
    return items.every((v, i) => i === 0 || !less(v, items[i - 1]!));
  }),
  celMethod('sum', LIST, [], DYN, function () {
    const items = comparableItems(this, 'sum');
    if (items.length === 0) return 0n;
    sameKind(items, 'sum');
    if (typeof items[0] === 'bigint') return (items as bigint[]).reduce((a, b) => a + b, 0n);
    if (typeof items[0] === 'number') return (items as number[]).reduce((a, b) => a + b, 0);
    throw new Error('no such overload: sum');
  }),
  celMethod('min', LIST, [], DYN, function () {
    const items = comparableItems(this, 'min');
    if (items.length === 0) throw new Error('min called on empty list');
    sameKind(items, 'min');
    return items.reduce((a, b) => (less(b, a) ? b : a));
  }),
  celMethod('max', LIST, [], DYN, function () {
    const items = comparableItems(this, 'max');
    if (items.length === 0) throw new Error('max called on empty list');
    sameKind(items, 'max');
    return items.reduce((a, b) => (less(a, b) ? b : a));
  }),
  celMethod('indexOf', LIST, [DYN], INT, function (x) {
    const items = [...this];
    chargeCost(items.length);
    return BigInt(items.findIndex((v) => celEquals(v, x)));
  }),
  celMethod('lastIndexOf', LIST, [DYN], INT, function (x) {
    const items = [...this];
    chargeCost(items.length);
    for (let i = items.length - 1; i >= 0; i--) if (celEquals(items[i]!, x)) return BigInt(i);
    return -1n;
  }),
];

/** Equality for the scalar values list functions compare (lists and maps compare by identity here). */
function celEquals(a: CelValue, b: CelValue): boolean {
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number'))
    return Number(a) === Number(b);
  if (isCelList(a) && isCelList(b)) {
    if (a.size !== b.size) return false;
    const bs = [...b];
    return [...a].every((v, i) => celEquals(v, bs[i]!));
  }
  return a === b;
}

// ---- regex ----

function compileRegex(pattern: string, flags = 'u'): RegExp {
  try {
    return new RegExp(pattern, flags);
  } catch (e) {
    throw new Error(`error parsing regexp: ${(e as Error).message}`, { cause: e });
  }
}

const regexFuncs: CelFunc[] = [
  celMethod('find', STRING, [STRING], STRING, function (pattern) {
    chargeCost(this.length);
    return compileRegex(pattern).exec(this)?.[0] ?? '';
  }),
  celMethod('findAll', STRING, [STRING], listType(STRING), function (pattern) {
    chargeCost(this.length);
    return celList([...this.matchAll(compileRegex(pattern, 'gu'))].map((m) => m[0]));
  }),
  celMethod('findAll', STRING, [STRING, INT], listType(STRING), function (pattern, n) {
    chargeCost(this.length);
    const all = [...this.matchAll(compileRegex(pattern, 'gu'))].map((m) => m[0]);
    return celList(n < 0n ? all : all.slice(0, Number(n)));
  }),
];

// ---- urls ----

/** Go's url.ParseRequestURI as the urls library uses it: absolute URL or absolute path. */
function parseURL(s: string): URL | undefined {
  if (s.startsWith('/')) {
    try {
      return new URL(s, 'relative:///');
    } catch {
      return undefined;
    }
  }
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s)) return undefined;
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}
function urlOf(self: unknown): URL {
  return parseURL(textOf(self))!;
}
const relative = (u: URL) => u.protocol === 'relative:';

const urlFuncs: CelFunc[] = [
  celFunc('url', [STRING], URL_T, (s) => {
    if (!parseURL(s))
      throw new Error(`URL parse error during conversion from string: parse "${s}": invalid URI for request`);
    return create(urlDesc, { value: s });
  }),
  celFunc('isURL', [STRING], BOOL, (s) => parseURL(s) !== undefined),
  celMethod('getScheme', URL_T, [], STRING, function () {
    const u = urlOf(this);
    return relative(u) ? '' : u.protocol.slice(0, -1);
  }),
  celMethod('getHost', URL_T, [], STRING, function () {
    const u = urlOf(this);
    return relative(u) ? '' : u.host;
  }),
  celMethod('getHostname', URL_T, [], STRING, function () {
    const u = urlOf(this);
    return relative(u) ? '' : u.hostname.replace(/^\[(.*)\]$/, '$1');
  }),
  celMethod('getPort', URL_T, [], STRING, function () {
    const u = urlOf(this);
    if (relative(u)) return '';
    // WHATWG URL drops a default port; Go keeps what was written.
    const m = /^[^:]+:\/\/[^/?#]*:(\d+)(?:[/?#]|$)/.exec(textOf(this));
    return m?.[1] ?? u.port;
  }),
  celMethod('getEscapedPath', URL_T, [], STRING, function () {
    return urlOf(this).pathname;
  }),
  celMethod('getQuery', URL_T, [], DYN, function () {
    const q = new Map<string, string[]>();
    for (const [k, v] of urlOf(this).searchParams) q.set(k, [...(q.get(k) ?? []), v]);
    return q;
  }),
];

// ---- quantity ----

function quantityOf(self: unknown): Quantity {
  return tryParseQuantity(textOf(self))!;
}
const toCelQuantity = (q: Quantity) => create(quantityDesc, { value: quantityToString(q) });
const NANO = 1_000_000_000n;
const MAX_INT64 = 2n ** 63n - 1n;

const quantityFuncs: CelFunc[] = [
  celFunc('quantity', [STRING], QUANTITY_T, (s) => {
    if (!tryParseQuantity(s)) throw new Error('quantities must match the regular expression');
    return create(quantityDesc, { value: s });
  }),
  celFunc('isQuantity', [STRING], BOOL, (s) => tryParseQuantity(s) !== undefined),
  celMethod('isInteger', QUANTITY_T, [], BOOL, function () {
    const q = quantityOf(this);
    return q.nanos % NANO === 0n && q.nanos / NANO <= MAX_INT64 && q.nanos / NANO >= -MAX_INT64 - 1n;
  }),
  celMethod('asInteger', QUANTITY_T, [], INT, function () {
    const q = quantityOf(this);
    if (q.nanos % NANO !== 0n || q.nanos / NANO > MAX_INT64)
      throw new Error('cannot convert value to integer');
    return quantityValue(q);
  }),
  celMethod('asApproximateFloat', QUANTITY_T, [], DOUBLE, function () {
    return approximateNumber(quantityOf(this));
  }),
  celMethod('sign', QUANTITY_T, [], INT, function () {
    const n = quantityOf(this).nanos;
    return n > 0n ? 1n : n < 0n ? -1n : 0n;
  }),
  celMethod('add', QUANTITY_T, [QUANTITY_T], QUANTITY_T, function (o) {
    return toCelQuantity(addQuantities(quantityOf(this), quantityOf(o)));
  }),
  celMethod('add', QUANTITY_T, [INT], QUANTITY_T, function (n) {
    return toCelQuantity(addQuantities(quantityOf(this), fromValue(n)));
  }),
  celMethod('sub', QUANTITY_T, [QUANTITY_T], QUANTITY_T, function (o) {
    return toCelQuantity(subQuantities(quantityOf(this), quantityOf(o)));
  }),
  celMethod('sub', QUANTITY_T, [INT], QUANTITY_T, function (n) {
    return toCelQuantity(subQuantities(quantityOf(this), fromValue(n)));
  }),
  celMethod('compareTo', QUANTITY_T, [QUANTITY_T], INT, function (o) {
    return BigInt(compareQuantities(quantityOf(this), quantityOf(o)));
  }),
  celMethod('isLessThan', QUANTITY_T, [QUANTITY_T], BOOL, function (o) {
    return compareQuantities(quantityOf(this), quantityOf(o)) < 0;
  }),
  celMethod('isGreaterThan', QUANTITY_T, [QUANTITY_T], BOOL, function (o) {
    return compareQuantities(quantityOf(this), quantityOf(o)) > 0;
  }),
];

/** Size-proportional charges for the strings extension functions that walk their input. */
const chargedStrings: CelFunc[] = strings;

/** Every function kube-apiserver adds to the CEL standard library, in one list. */
export const kubernetesLibrary: CelFunc[] = [
  ...chargedStrings,
  ...optionalFuncs,
  ...listFuncs,
  ...regexFuncs,
  ...urlFuncs,
  ...quantityFuncs,
];

/** Function names the libraries define (so that an unknown name is a compile error). */
export const LIBRARY_FUNCTIONS = new Set(kubernetesLibrary.map((f) => f.name));
