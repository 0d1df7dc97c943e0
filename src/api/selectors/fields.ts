// Field selectors (?fieldSelector=metadata.name=x,status.phase!=Running), parsed as
// k8s.io/apimachinery/pkg/fields does: only =, == and !=, values may escape ',', '=' and '\'
// with a backslash, field names are taken literally (no trimming, no escapes).
import { badRequest } from '../errors.js';

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

/** Reads a field of an object for matching; undefined counts as the empty string. */
export type FieldGetter = (field: string) => string | undefined;

/** Splits on commas that are not escaped; escapes stay in the terms. */
function splitTerms(selector: string): string[] {
  if (selector === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

// '==' is tried before '=' so that it does not leave a '=' at the start of the value
const TERM_OPERATORS = ['!=', '==', '='] as const;

/** Splits at the first position where an operator starts. */
function splitTerm(
  term: string,
): { field: string; op: (typeof TERM_OPERATORS)[number]; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { field: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** fields.UnescapeValue, with its error texts (an unescaped rune prints as its code point, as Go's %v does). */
export function unescapeFieldValue(value: string): string {
  let out = '';
  let inSlash = false;
  for (const c of value) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=')
        throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=')
      throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** fields.EscapeValue: the inverse of unescapeFieldValue. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * Parses a field selector into requirements, sorted by their text as upstream sorts the terms.
 * Empty terms are skipped, so '' and ',' select everything.
 */
export function parseFieldSelector(selector: string): FieldRequirement[] {
  const reqs: FieldRequirement[] = [];
  for (const term of splitTerms(selector).sort()) {
    if (term === '') continue;
    const parts = splitTerm(term);
    if (!parts) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    reqs.push({
      field: parts.field,
      operator: parts.op === '!=' ? '!=' : '=',
      value: unescapeFieldValue(parts.rhs),
    });
  }
  return reqs;
}

/**
 * Checks that every requirement names a supported field. Resources with only the metadata
 * fields answer as runtime.DefaultMetaV1FieldSelectorConversion does; the others as their
 * own conversion functions do ("field label not supported: <field>").
 */
export function checkFieldSelectorSupported(reqs: FieldRequirement[], supported: string[]): void {
  for (const r of reqs) {
    if (supported.includes(r.field)) continue;
    const onlyMeta =
      supported.length === 2 &&
      supported.includes('metadata.name') &&
      supported.includes('metadata.namespace');
    throw badRequest(
      onlyMeta
        ? `"${r.field}" is not a known field selector: only "metadata.name", "metadata.namespace"`
        : `field label not supported: ${r.field}`,
    );
  }
}

/** True when the getter's values satisfy every requirement (a missing field reads as ''). */
export function fieldsMatch(reqs: FieldRequirement[], get: FieldGetter): boolean {
  return reqs.every((r) => {
    const actual = get(r.field) ?? '';
    return r.operator === '!=' ? actual !== r.value : actual === r.value;
  });
}

/** Upstream's Selector.String(): requirements joined by commas, values escaped. */
export function fieldSelectorText(reqs: FieldRequirement[]): string {
  return reqs.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
}
