// CEL's optional syntax as kube-apiserver enables it (cel-go's OptionalTypes, parser option
// EnableOptionalSyntax): `x.?field` and `x[?key]` give an optional (`optional.none()` when the
// field, key or index is absent), and a select or index on an optional stays optional
// (`x.?a.b` is none when `a` is absent). @bufbuild/cel's parser does not know this syntax, so
// the source is rewritten before parsing (`.?f` to a select of a marked field name, `[?k]` to
// an index by a marked call) and the parsed tree is then rewritten to calls of the functions
// below; optional list elements (`[?a, b]`) and map entries (`{?k: v}`) are kept when the
// optional has a value and dropped when it is none. Offsets of the rewritten source map back to
// the original for error carets. Optional fields of message construction are not supported.
import {
  celFunc,
  celList,
  celMap,
  CelScalar,
  isCelList,
  isCelMap,
  type CelFunc,
  type CelValue,
  type parse,
} from '@bufbuild/cel';
import { asOptional, celOptional } from './library.js';

type Expr = ReturnType<typeof parse>['expr'];

const FIELD_MARK = 'k8tsOpt__';
const INDEX_MARK = 'k8tsOptIdx__';
const OPT_SELECT = '@k8ts.optSelect';
const OPT_INDEX = '@k8ts.optIndex';
const ELEM_MARK = 'k8tsOptElem__';
const KEY_MARK = 'k8tsOptKey__';
const OPT_LIST = '@k8ts.optList';
const OPT_MAP = '@k8ts.optMap';

export interface Rewritten {
  source: string;
  /** The offset in the original source of an offset in the rewritten one. */
  original(offset: number): number;
}

const isIdentChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);

interface Frame {
  /** '[' indexing with `[?`, a list literal, a map literal, or anything else. */
  kind: 'index' | 'list' | 'map' | 'other';
  /** An optional element (list) or key (map) is open and must be closed. */
  open: boolean;
}

/**
 * Rewrites `.?f`, `x[?k]`, `[?e, ...]` and `{?k: v, ...}` (outside string literals and
 * comments) into parseable CEL: marked field names and marker calls that lowerOptionalSyntax
 * turns into the optional functions.
 */
export function rewriteOptionalSyntax(src: string): Rewritten {
  if (!src.includes('?')) return { source: src, original: (o) => o };
  let out = '';
  /** [offset in out after the insertion, characters inserted] */
  const shifts: [number, number][] = [];
  const stack: Frame[] = [];
  let i = 0;
  const emit = (text: string, consumed: number) => {
    out += text;
    if (text.length !== consumed) shifts.push([out.length, text.length - consumed]);
    i += consumed;
  };
  const top = () => stack[stack.length - 1];
  while (i < src.length) {
    const c = src[i]!;
    // string literals (with r/b prefixes, triple quotes) are copied as they are
    const lit = /^(?:[rRbB]{0,2})('''|"""|'|")/.exec(src.slice(i, i + 5));
    if (lit && (i === 0 || !isIdentChar(src[i - 1]))) {
      const raw = /[rR]/.test(lit[0].slice(0, -lit[1]!.length));
      const quote = lit[1]!;
      let j = i + lit[0].length;
      while (j < src.length && !src.startsWith(quote, j)) j += !raw && src[j] === '\\' ? 2 : 1;
      emit(src.slice(i, j + quote.length), j + quote.length - i);
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      const end = src.indexOf('\n', i);
      const j = end < 0 ? src.length : end;
      emit(src.slice(i, j), j - i);
      continue;
    }
    if (c === '.' && src[i + 1] === '?') {
      emit(`.${FIELD_MARK}`, 2);
      continue;
    }
    const prev = out.trimEnd().slice(-1);
    // after an operand, `[` indexes and `{` builds a message; elsewhere they are literals
    const afterOperand = isIdentChar(prev) || /[)\]}'"]/.test(prev);
    if (c === '[' || c === '(' || c === '{') {
      if (c === '[' && src[i + 1] === '?' && afterOperand) {
        stack.push({ kind: 'index', open: false });
        emit(`[${INDEX_MARK}(`, 2);
        continue;
      }
      const kind =
        c === '[' ? (afterOperand ? 'other' : 'list') : c === '{' && !afterOperand ? 'map' : 'other';
      stack.push({ kind, open: false });
      emit(c, 1);
      continue;
    }
    const f = top();
    // `?` right after `[`/`{` or `,` of a literal opens an optional element or key
    if (
      c === '?' &&
      f &&
      (f.kind === 'list' || f.kind === 'map') &&
      (prev === '[' || prev === '{' || prev === ',')
    ) {
      f.open = true;
      emit(f.kind === 'list' ? `${ELEM_MARK}(` : `${KEY_MARK}(`, 1);
      continue;
    }
    if (f?.open && ((c === ',' && f.kind === 'list') || (c === ':' && f.kind === 'map'))) {
      f.open = false;
      emit(`)${c}`, 1);
      continue;
    }
    if (c === ']' || c === ')' || c === '}') {
      const closed = stack.pop();
      emit(closed?.kind === 'index' || closed?.open ? `)${c}` : c, 1);
      continue;
    }
    emit(c, 1);
  }
  return {
    source: out,
    original(offset) {
      let o = offset;
      for (const [at, n] of shifts) if (offset >= at) o -= n;
      return Math.max(0, o);
    },
  };
}

const isOptCall = (e: Expr | undefined): boolean =>
  e?.exprKind.case === 'callExpr' &&
  (e.exprKind.value.function === OPT_SELECT || e.exprKind.value.function === OPT_INDEX);

function stringConst(like: Expr, value: string): Expr {
  return {
    ...like,
    exprKind: {
      case: 'constExpr',
      value: {
        ...({} as Extract<Expr['exprKind'], { case: 'constExpr' }>['value']),
        constantKind: { case: 'stringValue', value },
      },
    },
  };
}

function intConst(like: Expr, value: number): Expr {
  return {
    ...like,
    exprKind: {
      case: 'constExpr',
      value: {
        ...({} as Extract<Expr['exprKind'], { case: 'constExpr' }>['value']),
        constantKind: { case: 'int64Value', value: BigInt(value) },
      },
    },
  };
}

function listOf(like: Expr, elements: Expr[]): Expr {
  return {
    ...like,
    exprKind: {
      case: 'listExpr',
      value: {
        ...({} as Extract<Expr['exprKind'], { case: 'listExpr' }>['value']),
        elements,
        optionalIndices: [],
      },
    },
  };
}

/** The argument of a marker call `<mark>(x)`, or undefined for other expressions. */
function markedArg(e: Expr, mark: string): Expr | undefined {
  const k = e.exprKind;
  return k.case === 'callExpr' && k.value.function === mark && !k.value.target && k.value.args.length === 1
    ? k.value.args[0]
    : undefined;
}

function toCall(e: Expr, fn: string, args: Expr[]): void {
  e.exprKind = {
    case: 'callExpr',
    value: {
      ...({} as Extract<Expr['exprKind'], { case: 'callExpr' }>['value']),
      function: fn,
      args,
    },
  };
}

/** Turns the marked selects and indexes of a parsed rewritten source into optional calls (in place). */
export function lowerOptionalSyntax(e: Expr): void {
  const k = e.exprKind;
  switch (k.case) {
    case 'selectExpr': {
      const operand = k.value.operand;
      if (!operand) return;
      lowerOptionalSyntax(operand);
      const field = k.value.field;
      if (field.startsWith(FIELD_MARK))
        toCall(e, OPT_SELECT, [operand, stringConst(e, field.slice(FIELD_MARK.length))]);
      // a plain select on an optional keeps it optional
      else if (isOptCall(operand) && !k.value.testOnly)
        toCall(e, OPT_SELECT, [operand, stringConst(e, field), stringConst(e, 'plain')]);
      return;
    }
    case 'callExpr': {
      const call = k.value;
      if (call.target) lowerOptionalSyntax(call.target);
      call.args.forEach(lowerOptionalSyntax);
      if (call.function !== '_[_]' || call.args.length !== 2) return;
      const [operand, index] = call.args as [Expr, Expr];
      const ik = index.exprKind;
      if (ik.case === 'callExpr' && ik.value.function === INDEX_MARK && ik.value.args.length === 1)
        toCall(e, OPT_INDEX, [operand, ik.value.args[0]!]);
      else if (isOptCall(operand)) toCall(e, OPT_INDEX, [operand, index, stringConst(e, 'plain')]);
      return;
    }
    case 'listExpr': {
      k.value.elements.forEach(lowerOptionalSyntax);
      const optional: Expr[] = [];
      k.value.elements = k.value.elements.map((el, idx) => {
        const inner = markedArg(el, ELEM_MARK);
        if (!inner) return el;
        optional.push(intConst(el, idx));
        return inner;
      });
      // [?a, b]: the list, then which of its elements are optionals to unwrap or drop
      if (optional.length) toCall(e, OPT_LIST, [{ ...e, exprKind: { ...k } }, listOf(e, optional)]);
      return;
    }
    case 'structExpr': {
      const keys: Expr[] = [];
      for (const en of k.value.entries) {
        if (en.keyKind.case === 'mapKey') {
          lowerOptionalSyntax(en.keyKind.value);
          const inner = markedArg(en.keyKind.value, KEY_MARK);
          if (inner) {
            en.keyKind.value = inner;
            keys.push(inner);
          }
        }
        if (en.value) lowerOptionalSyntax(en.value);
      }
      // {?k: v}: the map, then the keys whose optional values are unwrapped or dropped
      if (keys.length) toCall(e, OPT_MAP, [{ ...e, exprKind: { ...k } }, listOf(e, keys)]);
      return;
    }
    case 'comprehensionExpr':
      for (const p of [
        k.value.iterRange,
        k.value.accuInit,
        k.value.loopCondition,
        k.value.loopStep,
        k.value.result,
      ])
        if (p) lowerOptionalSyntax(p);
      return;
    default:
      return;
  }
}

/** The element at key of a map or list, or undefined when absent; throws on other values. */
function lookup(container: CelValue, key: CelValue): CelValue | undefined {
  if (isCelMap(container)) {
    if (
      typeof key === 'number' ||
      typeof key === 'bigint' ||
      typeof key === 'string' ||
      typeof key === 'boolean'
    )
      return container.has(key) ? container.get(key) : undefined;
    throw new Error('no such overload');
  }
  if (isCelList(container)) {
    if (typeof key !== 'bigint' && typeof key !== 'number') throw new Error('no such overload');
    const n = Number(key);
    return Number.isInteger(n) && n >= 0 && n < container.size ? container.get(n) : undefined;
  }
  throw new Error('no such overload');
}

/** `x.?f` / `x[?k]`, and with mode 'plain' a select or index on an optional (absent is an error). */
function optionalAccess(x: CelValue, key: CelValue, mode: string | undefined): CelValue {
  const opt = asOptional(x);
  if (opt && opt.value === undefined) return celOptional(undefined) as CelValue;
  const target = opt ? opt.value! : x;
  const v = lookup(target, key);
  if (v === undefined && mode === 'plain')
    throw new Error(
      isCelList(target) ? `index out of bounds: ${String(key)}` : `no such key: ${String(key)}`,
    );
  return celOptional(v) as CelValue;
}

/** The value of an optional element or entry: undefined for none; throws for a non-optional. */
function unwrap(v: CelValue | undefined): CelValue | undefined {
  const opt = asOptional(v);
  if (!opt) throw new Error('no such overload');
  return opt.value;
}

function optionalList(list: CelValue, indices: CelValue): CelValue {
  if (!isCelList(list) || !isCelList(indices)) throw new Error('no such overload');
  const optional = new Set([...indices].map(Number));
  const out: CelValue[] = [];
  [...list].forEach((v, i) => {
    const value = optional.has(i) ? unwrap(v) : v;
    if (value !== undefined) out.push(value);
  });
  return celList(out);
}

function optionalMap(map: CelValue, keys: CelValue): CelValue {
  if (!isCelMap(map) || !isCelList(keys)) throw new Error('no such overload');
  const optional = new Set([...keys]);
  const out = new Map<string | bigint | boolean, CelValue>();
  for (const [k, v] of map) {
    const key = k as string | bigint | boolean;
    const value = optional.has(key) ? unwrap(v) : v;
    if (value !== undefined) out.set(key, value);
  }
  return celMap(out);
}

const { DYN, STRING } = CelScalar;

export const optionalSyntaxFuncs: CelFunc[] = [
  celFunc(OPT_SELECT, [DYN, STRING], DYN, (x, f) => optionalAccess(x, f, undefined) as never),
  celFunc(OPT_SELECT, [DYN, STRING, STRING], DYN, (x, f, m) => optionalAccess(x, f, m) as never),
  celFunc(OPT_INDEX, [DYN, DYN], DYN, (x, k) => optionalAccess(x, k, undefined) as never),
  celFunc(OPT_INDEX, [DYN, DYN, STRING], DYN, (x, k, m) => optionalAccess(x, k, m) as never),
  celFunc(OPT_LIST, [DYN, DYN], DYN, (l, idx) => optionalList(l, idx) as never),
  celFunc(OPT_MAP, [DYN, DYN], DYN, (m, keys) => optionalMap(m, keys) as never),
];
