// Label selectors: the string syntax of `kubectl -l` / ?labelSelector= and metav1.LabelSelector
// objects. The lexer and parser follow k8s.io/apimachinery/pkg/labels token by token, because
// clients see its error texts (kubectl prints them after "Error from server (BadRequest)").
import { badRequest } from '../errors.js';
import { aggregate, invalidField, labelKeyErrors, labelValueErrors } from './label-validation.js';

/** selection.Operator values, as upstream spells them. */
export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  /** Sorted and de-duplicated for in/notin; one value for =, ==, !=, gt, lt; none otherwise. */
  values: string[];
}

export interface LabelMatcher {
  /** Sorted by key, as upstream's parser leaves them. */
  requirements: LabelRequirement[];
  matches(labels: Record<string, string>): boolean;
  /** Canonical string form (what upstream's Selector.String() prints). */
  toString(): string;
}

// ---- matching and printing ----

/** Go's strconv.ParseInt(s, 10, 64) success, without float leniency. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

function matchOne(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = labels[r.key];
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(v);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(v);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const actual = parseInt64(v);
      const bound = parseInt64(r.values[0]);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

const OPERATOR_TEXT: Record<LabelOperator, string> = {
  '=': '=',
  '==': '==',
  '!=': '!=',
  in: ' in ',
  notin: ' notin ',
  gt: '>',
  lt: '<',
  exists: '',
  '!': '',
};

function requirementText(r: LabelRequirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  const values = [...r.values].sort().join(',');
  const set = r.operator === 'in' || r.operator === 'notin';
  return `${r.key}${OPERATOR_TEXT[r.operator]}${set ? `(${values})` : values}`;
}

const byKey = (a: LabelRequirement, b: LabelRequirement) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

export function matcherOf(requirements: LabelRequirement[]): LabelMatcher {
  return {
    requirements,
    matches: (labels) => requirements.every((r) => matchOne(r, labels)),
    toString: () => requirements.map(requirementText).join(','),
  };
}

// ---- requirement construction (labels.NewRequirement) ----

/**
 * Checks a requirement as upstream's NewRequirement does and returns its error texts, with the
 * field paths it prints when called without a path option ('key', 'values[0][<key>]').
 */
function requirementErrors(key: string, op: LabelOperator, values: string[]): string[] {
  const errs: string[] = [];
  const keyErrs = labelKeyErrors(key);
  if (keyErrs.length) errs.push(invalidField('key', key, keyErrs.join('; ')));
  switch (op) {
    case 'in':
    case 'notin':
      if (values.length === 0)
        errs.push(invalidField('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1)
        errs.push(invalidField('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0)
        errs.push(invalidField('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1)
        errs.push(invalidField('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined)
          errs.push(
            invalidField(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"),
          );
      });
      break;
  }
  values.forEach((v, i) => {
    const valueErrs = labelValueErrors(v);
    if (valueErrs.length) errs.push(invalidField(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  return errs;
}

// ---- lexer (labels.Lexer) ----

type Token =
  'error' | 'end' | ')' | ',' | '!' | '==' | '=' | '>' | 'identifier' | 'in' | '<' | '!=' | 'notin' | '(';

const LITERAL_TOKENS: Record<string, Token> = {
  ')': ')',
  ',': ',',
  '!': '!',
  '==': '==',
  '=': '=',
  '>': '>',
  in: 'in',
  '<': '<',
  '!=': '!=',
  notin: 'notin',
  '(': '(',
};

interface Scanned {
  tok: Token;
  lit: string;
}

const isWhitespace = (ch: string) => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecial = (ch: string) => '=!(),><'.includes(ch);

function lex(s: string): Scanned[] {
  const out: Scanned[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) {
      out.push({ tok: 'end', lit: '' });
      return out;
    }
    if (isSpecial(s[pos])) {
      // longest run of special symbols that still forms a known operator
      let buffer = '';
      let last: Scanned | undefined;
      while (pos < s.length && isSpecial(s[pos])) {
        buffer += s[pos];
        const tok = LITERAL_TOKENS[buffer];
        if (tok) last = { tok, lit: buffer };
        else if (last) break;
        pos++;
      }
      out.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buffer}'` });
    } else {
      let buffer = '';
      while (pos < s.length && !isSpecial(s[pos]) && !isWhitespace(s[pos])) buffer += s[pos++];
      out.push({ tok: LITERAL_TOKENS[buffer] ?? 'identifier', lit: buffer });
    }
  }
}

// ---- parser (labels.Parser) ----

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

class SelectorSyntaxError extends Error {}

class Parser {
  private position = 0;
  constructor(private readonly items: Scanned[]) {}

  /** In a values context the keywords in/notin are plain identifiers. */
  private static asValue(item: Scanned): Scanned {
    return item.tok === 'in' || item.tok === 'notin' ? { tok: 'identifier', lit: item.lit } : item;
  }
  private lookahead(values: boolean): Scanned {
    const item = this.items[this.position];
    return values ? Parser.asValue(item) : item;
  }
  private consume(values: boolean): Scanned {
    const item = this.items[this.position++];
    return values ? Parser.asValue(item) : item;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      if (tok === 'end') return reqs;
      if (tok !== 'identifier' && tok !== '!')
        throw new SelectorSyntaxError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      reqs.push(this.requirementOrThrow());
      const next = this.consume(true);
      if (next.tok === 'end') return reqs;
      if (next.tok !== ',')
        throw new SelectorSyntaxError(`found '${next.lit}', expected: ',' or 'end of string'`);
      const after = this.lookahead(true);
      if (after.tok !== 'identifier' && after.tok !== '!')
        throw new SelectorSyntaxError(`found '${after.lit}', expected: identifier after ','`);
    }
  }

  private requirementOrThrow(): LabelRequirement {
    try {
      return this.requirement();
    } catch (e) {
      if (e instanceof SelectorSyntaxError)
        throw new SelectorSyntaxError(`unable to parse requirement: ${e.message}`);
      throw e;
    }
  }

  private requirement(): LabelRequirement {
    let item = this.consume(true);
    let operator: LabelOperator | undefined;
    if (item.tok === '!') {
      operator = '!';
      item = this.consume(true);
    }
    if (item.tok !== 'identifier') throw new SelectorSyntaxError(`found '${item.lit}', expected: identifier`);
    const key = item.lit;
    const keyErrs = labelKeyErrors(key);
    if (keyErrs.length) throw new SelectorSyntaxError(invalidField('<nil>', key, keyErrs.join('; ')));
    const next = this.lookahead(true).tok;
    if (next === 'end' || next === ',') operator ??= 'exists';
    if (operator === 'exists' || operator === '!') return this.build(key, operator, []);
    const op = this.operator();
    const values = op === 'in' || op === 'notin' ? this.setValues() : this.exactValue();
    return this.build(key, op, [...new Set(values)].sort());
  }

  private build(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
    const errs = requirementErrors(key, operator, values);
    if (errs.length) throw new SelectorSyntaxError(aggregate(errs));
    return { key, operator, values };
  }

  private operator(): LabelOperator {
    const { tok, lit } = this.consume(false);
    const ops: Partial<Record<Token, LabelOperator>> = {
      in: 'in',
      '=': '=',
      '==': '==',
      '>': 'gt',
      '<': 'lt',
      notin: 'notin',
      '!=': '!=',
    };
    const op = ops[tok];
    if (!op) throw new SelectorSyntaxError(`found '${lit}', expected: ${BINARY_OPERATORS}`);
    return op;
  }

  private setValues(): string[] {
    const open = this.consume(true);
    if (open.tok !== '(') throw new SelectorSyntaxError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(true);
    if (tok === ')') {
      this.consume(true);
      return [''];
    }
    if (tok !== 'identifier' && tok !== ',')
      throw new SelectorSyntaxError(`found '${lit}', expected: ',', ')' or identifier`);
    const values = this.identifierList();
    // upstream quotes the first token of the list here, not the one found
    if (this.consume(true).tok !== ')') throw new SelectorSyntaxError(`found '${lit}', expected: ')'`);
    return values;
  }

  /** A possibly empty, comma separated list of possibly empty identifiers. */
  private identifierList(): string[] {
    const values = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(true);
      if (tok === 'identifier') {
        values.add(lit);
        const next = this.lookahead(true);
        if (next.tok === ',') continue;
        if (next.tok === ')') return [...values];
        throw new SelectorSyntaxError(`found '${next.lit}', expected: ',' or ')'`);
      } else if (tok === ',') {
        if (values.size === 0) values.add('');
        const next = this.lookahead(true).tok;
        if (next === ')') {
          values.add('');
          return [...values];
        }
        if (next === ',') values.add('');
      } else {
        throw new SelectorSyntaxError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private exactValue(): string[] {
    const next = this.lookahead(true).tok;
    if (next === 'end' || next === ',') return [''];
    const { tok, lit } = this.consume(true);
    if (tok === 'identifier') return [lit];
    throw new SelectorSyntaxError(`found '${lit}', expected: identifier`);
  }
}

/**
 * Parses `a=b,c!=d,e in (x,y),!f,g,h notin (z),n>3` into a matcher. Errors are 400s with
 * upstream's wording, e.g. "unable to parse requirement: found ')', expected: in, notin, =, ==, !=, gt, lt".
 */
export function parseLabelSelector(selector: string): LabelMatcher {
  try {
    return matcherOf(new Parser(lex(selector)).parse().sort(byKey));
  } catch (e) {
    if (e instanceof SelectorSyntaxError) throw badRequest(e.message);
    throw e;
  }
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

const EXPRESSION_OPERATORS: Record<string, LabelOperator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * A metav1.LabelSelector as a matcher (metav1.LabelSelectorAsSelector). An empty selector
 * matches everything. Upstream turns a nil selector into "match nothing"; callers here get
 * "match everything" for undefined, so they must check for a missing selector themselves.
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | undefined): LabelMatcher {
  const reqs: LabelRequirement[] = [];
  const add = (key: string, operator: LabelOperator, values: string[]) => {
    const errs = requirementErrors(key, operator, values);
    if (errs.length) throw badRequest(aggregate(errs));
    reqs.push({ key, operator, values });
  };
  for (const [key, value] of Object.entries(sel?.matchLabels ?? {})) add(key, '=', [value]);
  for (const e of sel?.matchExpressions ?? []) {
    const op = EXPRESSION_OPERATORS[e.operator];
    if (!op) throw badRequest(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    add(e.key, op, [...new Set(e.values ?? [])].sort());
  }
  return matcherOf(reqs.sort(byKey));
}
