// Keys and sizes of ConfigMap/Secret data: upstream's IsConfigMapKey rule and messages.
import { invalidValue, tooLong, type FieldError } from '../validation.js';

const KEY_RE = /^[-._a-zA-Z0-9]+$/;
/** upstream's MaxSecretSize, also the ConfigMap limit */
export const MAX_DATA_BYTES = 1024 * 1024;

/** Messages for a key that is not a valid config key (empty = valid). */
export function isConfigMapKey(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!KEY_RE.test(key))
    errs.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** Key errors of one data map, on `<field>[<key>]`. */
export function validateDataKeys(data: unknown, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of Object.keys(data && typeof data === 'object' ? data : {}))
    for (const msg of isConfigMapKey(key)) errs.push(invalidValue(`${field}[${key}]`, key, msg));
  return errs;
}

/** Bytes held by base64-encoded values (Secret data, ConfigMap binaryData). */
export function base64Bytes(data: unknown): number {
  let n = 0;
  for (const v of Object.values(data && typeof data === 'object' ? data : {}))
    n += Buffer.from(String(v), 'base64').length;
  return n;
}

export function tooBig(field: string, bytes: number): FieldError[] {
  return bytes > MAX_DATA_BYTES ? [tooLong(field, MAX_DATA_BYTES)] : [];
}
