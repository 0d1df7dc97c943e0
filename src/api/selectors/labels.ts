// Label selectors: the string syntax of `kubectl -l` / ?labelSelector= and metav1.LabelSelector
// objects, with upstream's parse error texts (k8s.io/apimachinery/pkg/labels).
import { badRequest } from '../errors.js';

export type LabelOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

export interface LabelMatcher {
  requirements: LabelRequirement[];
  matches(labels: Record<string, string>): boolean;
  /** Canonical string form (what upstream's Selector.String() prints). */
  toString(): string;
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
  }
}

function text(r: LabelRequirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    default:
      return `${r.key}${r.operator}${r.values[0]}`;
  }
}

export function matcherOf(requirements: LabelRequirement[]): LabelMatcher {
  return {
    requirements,
    matches: (labels) => requirements.every((r) => matchOne(r, labels)),
    toString: () => requirements.map(text).join(','),
  };
}

const KEY_RE =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string, selector: string): void {
  if (!KEY_RE.test(key) || key.split('/').pop()!.length > 63) {
    throw badRequest(
      `unable to parse requirement: invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`.replace(
        '%s',
        selector,
      ),
    );
  }
}

function checkValue(v: string): void {
  if (v.length > 63 || !VALUE_RE.test(v)) {
    throw badRequest(
      `unable to parse requirement: values[0][${''}]: Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    );
  }
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Parses `a=b,c!=d,e in (x,y),!f,g`. Errors are 400s with upstream's wording. */
export function parseLabelSelector(selector: string): LabelMatcher {
  const reqs: LabelRequirement[] = [];
  if (selector.trim() === '') return matcherOf(reqs);
  for (const raw of splitTerms(selector)) {
    const term = raw.trim();
    let m: RegExpExecArray | null;
    if (term === '') throw badRequest(`found '', expected: !, identifier, or 'end of string'`);
    if ((m = /^!\s*([^\s=!()]+)$/.exec(term))) {
      checkKey(m[1], selector);
      reqs.push({ key: m[1], operator: '!', values: [] });
    } else if ((m = /^([^\s=!()]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term))) {
      checkKey(m[1], selector);
      const values = m[3].split(',').map((v) => v.trim());
      if (values.length === 1 && values[0] === '' && m[3].trim() === '') {
        throw badRequest(
          `unable to parse requirement: values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty`,
        );
      }
      values.forEach(checkValue);
      reqs.push({ key: m[1], operator: m[2] as 'in' | 'notin', values: [...new Set(values)].sort() });
    } else if ((m = /^([^\s=!()]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/.exec(term))) {
      checkKey(m[1], selector);
      checkValue(m[3]);
      reqs.push({ key: m[1], operator: m[2] as '=' | '==' | '!=', values: [m[3]] });
    } else if ((m = /^([^\s=!()]+)$/.exec(term))) {
      checkKey(m[1], selector);
      reqs.push({ key: m[1], operator: 'exists', values: [] });
    } else {
      throw badRequest(
        `unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt`,
      );
    }
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return matcherOf(reqs);
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** A metav1.LabelSelector as a matcher. An empty selector matches everything. */
export function labelSelectorFromObject(sel: LabelSelectorObject | undefined): LabelMatcher {
  const reqs: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(sel?.matchLabels ?? {}))
    reqs.push({ key, operator: '=', values: [value] });
  for (const e of sel?.matchExpressions ?? []) {
    const op = (
      { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as Record<string, LabelOperator>
    )[e.operator];
    if (!op) throw badRequest(`"${e.operator}" is not a valid label selector operator`);
    reqs.push({ key: e.key, operator: op, values: [...(e.values ?? [])].sort() });
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return matcherOf(reqs);
}
