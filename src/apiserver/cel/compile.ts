// Compiling and running one CEL expression as kube-apiserver does: parse, check what can be checked
// without cel-go's type checker (references to undeclared variables and functions, fields a
// schema does not have, a result that cannot be a bool), instrument comprehensions for the cost
// meter, plan once, evaluate many times. Compile errors read like cel-go's issues
// (`ERROR: <input>:1:6: undeclared reference to 'foo' (in container '')` plus the source line
// and a caret); syntax errors carry @bufbuild/cel's parser text, which differs from cel-go's ANTLR one.
import {
  celEnv,
  celFunc,
  CelScalar,
  isCelError,
  isCelList,
  isCelMap,
  parse,
  plan,
  type CelEnv,
  type CelResult,
  type CelValue,
} from '@bufbuild/cel';
import { createRegistry } from '@bufbuild/protobuf';
import { authorizerLibrary, authorizerTypes } from './authorizer.js';
import { chargeCost, COST_EXCEEDED, metered, PER_CALL_LIMIT } from './cost.js';
import { celOptional, kubernetesLibrary, kubernetesTypes } from './library.js';
import { lowerOptionalSyntax, optionalSyntaxFuncs, rewriteOptionalSyntax } from './optional.js';

type ParsedExpr = ReturnType<typeof parse>;
type Expr = ParsedExpr['expr'];

/** What a select on a variable may name: undefined = anything (dynamic). */
export interface FieldScope {
  /** The scope of field `name`, or null when the type has no such field. */
  field(name: string): FieldScope | null | undefined;
  /** The scope of a list element or map value (for comprehension variables). */
  element(): FieldScope | undefined;
}

export interface CompileOptions {
  /** Variables the expression may reference, with the fields they have when known. */
  variables: Record<string, FieldScope | undefined>;
  /** The expression must produce a bool (rules and conditions) rather than a string (messages). */
  result?: 'bool' | 'string' | 'any';
}

export interface Compiled {
  source: string;
  /** Names of the declared variables the expression references. */
  references: Set<string>;
  run(bindings: Record<string, unknown>, limit?: number): Evaluation;
}

export interface Evaluation {
  value?: CelValue;
  /** cel-go's text of the evaluation error (e.g. `no such key: foo`). */
  error?: string;
  cost: number;
  /** The per-call cost limit was passed. */
  exceeded: boolean;
}

const TICK = '@k8ts.tick';
const optionalFuncs = [
  celFunc('optional.of', [CelScalar.DYN], CelScalar.DYN, (v) => celOptional(v) as never),
  celFunc('optional.none', [], CelScalar.DYN, () => celOptional(undefined) as never),
  celFunc(
    'optional.ofNonZeroValue',
    [CelScalar.DYN],
    CelScalar.DYN,
    (v) => celOptional(isZeroValue(v) ? undefined : v) as never,
  ),
];

/** CEL's zero values: null, false, 0, '', empty bytes, lists and maps. */
function isZeroValue(v: CelValue): boolean {
  if (v === null || v === false || v === 0 || v === 0n || v === '') return true;
  if (v instanceof Uint8Array) return v.length === 0;
  if (isCelList(v) || isCelMap(v)) return v.size === 0;
  return false;
}
const tick = celFunc(TICK, [CelScalar.INT, CelScalar.DYN], CelScalar.DYN, (weight, cond) => {
  chargeCost(Number(weight));
  return cond;
});

let sharedEnv: CelEnv | undefined;
function env(): CelEnv {
  sharedEnv ??= celEnv({
    funcs: [...kubernetesLibrary, ...authorizerLibrary, ...optionalFuncs, ...optionalSyntaxFuncs, tick],
    registry: createRegistry(kubernetesTypes, ...authorizerTypes),
  });
  return sharedEnv;
}

export class CompileError extends Error {}

/** Compiles source or throws CompileError with cel-go's "compilation failed: ..." detail. */
export function compileExpression(source: string, opts: CompileOptions): Compiled {
  let parsed: ParsedExpr;
  const rewritten = rewriteOptionalSyntax(source);
  try {
    parsed = parse(rewritten.source);
  } catch (e) {
    const m = /^<input>:(\d+):(\d+): (.*)$/s.exec((e as Error).message);
    let line = Number(m?.[1] ?? 1);
    let col = Number(m?.[2] ?? 1);
    if (rewritten.source !== source) {
      // the parser's position is in the rewritten source
      const lines = rewritten.source.split('\n');
      const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + col - 1;
      ({ line, col } = lineCol(source, rewritten.original(offset)));
      col += 1;
    }
    throw new CompileError(
      `compilation failed: ${issue(source, line, col, `Syntax error: ${m?.[3] ?? (e as Error).message}`)}`,
    );
  }
  lowerOptionalSyntax(parsed.expr);
  const positions = parsed.sourceInfo?.positions ?? {};
  const references = new Set<string>();
  const problems: string[] = [];
  const at = (e: Expr, msg: string) => {
    const offset = rewritten.original(positions[String(e.id)] ?? 0);
    const { line, col } = lineCol(source, offset);
    problems.push(issue(source, line, col + 1, msg));
  };
  check(parsed.expr, new Map(Object.entries(opts.variables)), opts, references, at);
  if (problems.length === 0 && opts.result === 'bool' && !canBeBool(parsed.expr))
    throw new CompileError('cel expression must evaluate to a bool');
  if (problems.length) throw new CompileError(`compilation failed: ${problems.join('\n')}`);
  instrument(parsed.expr);
  const program = plan(env(), parsed);
  const baseCost = callCount(parsed.expr, false);
  return {
    source,
    references,
    run(bindings, limit = PER_CALL_LIMIT) {
      const m = metered(limit, () => {
        chargeCost(baseCost);
        return (program as (b: Record<string, unknown>) => CelResult)(bindings);
      });
      if (m.exceeded) return { error: COST_EXCEEDED, cost: m.cost, exceeded: true };
      if (isCelError(m.result)) return { error: errorText(m.result), cost: m.cost, exceeded: false };
      return { value: m.result, cost: m.cost, exceeded: false };
    },
  };
}

/** cel-go's texts for the common runtime errors (the rest keep @bufbuild/cel's wording). */
function errorText(e: Error): string {
  const msg = e.message;
  const field = /^field not found: (.*)$/.exec(msg);
  if (field) return `no such key: ${field[1]}`;
  if (msg === 'int divide by zero' || msg === 'int modulus by zero') return msg.replace('int ', '');
  if (msg.startsWith('found no matching overload') || msg.startsWith('unbound function'))
    return `no such overload`;
  return msg;
}

function lineCol(source: string, offset: number): { line: number; col: number } {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - (before.lastIndexOf('\n') + 1);
  return { line, col };
}

/** One cel-go issue: the message, the source line and a caret under the column (1-based). */
function issue(source: string, line: number, col: number, msg: string): string {
  const text = source.split('\n')[line - 1] ?? '';
  return `ERROR: <input>:${line}:${col}: ${msg}\n | ${text}\n | ${'.'.repeat(Math.max(0, col - 1))}^`;
}

type Scopes = Map<string, FieldScope | undefined>;

function check(
  e: Expr,
  scopes: Scopes,
  opts: CompileOptions,
  refs: Set<string>,
  at: (e: Expr, msg: string) => void,
): FieldScope | undefined {
  const k = e.exprKind;
  switch (k.case) {
    case 'identExpr': {
      const name = k.value.name;
      if (!scopes.has(name)) {
        at(e, `undeclared reference to '${name}' (in container '')`);
        return undefined;
      }
      if (name in opts.variables) refs.add(name);
      return scopes.get(name);
    }
    case 'selectExpr': {
      const operand = k.value.operand;
      if (!operand) return undefined;
      const scope = check(operand, scopes, opts, refs, at);
      if (!scope) return undefined;
      const f = scope.field(k.value.field);
      if (f === null) at(e, `undefined field '${k.value.field}'`);
      return f ?? undefined;
    }
    case 'callExpr': {
      const call = k.value;
      const qualified =
        call.target?.exprKind.case === 'identExpr' && !scopes.has(call.target.exprKind.value.name);
      // `optional.of(x)`: the target names a namespace of functions, not a variable
      const namespaced =
        qualified &&
        !!env().funcs.find(`${(call.target!.exprKind.value as { name: string }).name}.${call.function}`);
      if (call.target && !namespaced) check(call.target, scopes, opts, refs, at);
      for (const a of call.args) check(a, scopes, opts, refs, at);
      if (
        !qualified &&
        !env().funcs.find(call.function) &&
        !call.function.startsWith('_') &&
        !call.function.startsWith('@')
      )
        at(e, `undeclared reference to '${call.function}' (in container '')`);
      return undefined;
    }
    case 'listExpr':
      for (const el of k.value.elements) check(el, scopes, opts, refs, at);
      return undefined;
    case 'structExpr':
      for (const en of k.value.entries) {
        if (en.keyKind.case === 'mapKey') check(en.keyKind.value, scopes, opts, refs, at);
        if (en.value) check(en.value, scopes, opts, refs, at);
      }
      return undefined;
    case 'comprehensionExpr': {
      const c = k.value;
      const range = c.iterRange ? check(c.iterRange, scopes, opts, refs, at) : undefined;
      if (c.accuInit) check(c.accuInit, scopes, opts, refs, at);
      const inner: Scopes = new Map(scopes);
      inner.set(c.accuVar, undefined);
      inner.set(c.iterVar, range?.element());
      if (c.iterVar2) inner.set(c.iterVar2, undefined);
      for (const part of [c.loopCondition, c.loopStep, c.result])
        if (part) check(part, inner, opts, refs, at);
      return undefined;
    }
    default:
      return undefined;
  }
}

/** False only when the expression certainly is not a bool (a literal, a list, a map, arithmetic). */
function canBeBool(e: Expr): boolean {
  const k = e.exprKind;
  switch (k.case) {
    case 'constExpr':
      return k.value.constantKind.case === 'boolValue';
    case 'listExpr':
    case 'structExpr':
      return false;
    case 'callExpr':
      if (k.value.function === '_?_:_') return k.value.args.slice(1).every(canBeBool);
      if (['_+_', '_-_', '_*_', '_/_', '_%_', '-_', 'size', 'string', 'int'].includes(k.value.function))
        return false;
      return true;
    case 'comprehensionExpr': {
      // all/exists fold a bool accumulator, map/filter a list one; exists_one compares a count.
      const { result, accuVar, accuInit } = k.value;
      const r = result?.exprKind;
      if (r?.case === 'identExpr' && r.value.name === accuVar) return accuInit ? canBeBool(accuInit) : true;
      return result ? canBeBool(result) : true;
    }
    default:
      return true;
  }
}
/** Calls and selects in an expression, loops counted once (or skipped with inLoops=false). */
function callCount(e: Expr, inLoops: boolean): number {
  const k = e.exprKind;
  switch (k.case) {
    case 'selectExpr':
      return 1 + (k.value.operand ? callCount(k.value.operand, inLoops) : 0);
    case 'callExpr':
      return (
        1 +
        (k.value.target ? callCount(k.value.target, inLoops) : 0) +
        k.value.args.reduce((n, a) => n + callCount(a, inLoops), 0)
      );
    case 'listExpr':
      return k.value.elements.reduce((n, a) => n + callCount(a, inLoops), 1);
    case 'structExpr':
      return k.value.entries.reduce((n, en) => n + (en.value ? callCount(en.value, inLoops) : 0), 1);
    case 'comprehensionExpr': {
      const c = k.value;
      const outside = [c.iterRange, c.accuInit, c.result].reduce(
        (n, p) => n + (p ? callCount(p, inLoops) : 0),
        0,
      );
      if (!inLoops) return outside;
      return outside + [c.loopCondition, c.loopStep].reduce((n, p) => n + (p ? callCount(p, true) : 0), 0);
    }
    default:
      return 0;
  }
}

/** Wraps every comprehension's loop condition in a tick charging one iteration's calls. */
function instrument(e: Expr): void {
  const k = e.exprKind;
  switch (k.case) {
    case 'selectExpr':
      if (k.value.operand) instrument(k.value.operand);
      return;
    case 'callExpr':
      if (k.value.target) instrument(k.value.target);
      k.value.args.forEach(instrument);
      return;
    case 'listExpr':
      k.value.elements.forEach(instrument);
      return;
    case 'structExpr':
      for (const en of k.value.entries) {
        if (en.keyKind.case === 'mapKey') instrument(en.keyKind.value);
        if (en.value) instrument(en.value);
      }
      return;
    case 'comprehensionExpr': {
      const c = k.value;
      for (const p of [c.iterRange, c.accuInit, c.loopCondition, c.loopStep, c.result]) if (p) instrument(p);
      const cond = c.loopCondition;
      if (!cond) return;
      const weight = 1 + callCount(cond, true) + (c.loopStep ? callCount(c.loopStep, true) : 0);
      // A plain object of the proto's shape: the planner reads exprKind/case/value only.
      c.loopCondition = {
        ...cond,
        exprKind: {
          case: 'callExpr',
          value: {
            ...({} as Extract<Expr['exprKind'], { case: 'callExpr' }>['value']),
            function: TICK,
            args: [
              {
                ...cond,
                exprKind: {
                  case: 'constExpr',
                  value: {
                    ...({} as Extract<Expr['exprKind'], { case: 'constExpr' }>['value']),
                    constantKind: { case: 'int64Value', value: BigInt(weight) },
                  },
                },
              },
              cond,
            ],
          },
        },
      };
      return;
    }
    default:
      return;
  }
}
