// Keys of ConfigMap/Secret data: upstream's IsConfigMapKey rule and message.
import type { KubeObject } from '../../../api/types.js';
import { duplicate, invalidValue, type FieldError } from '../validation.js';

const KEY_RE = /^[-._a-zA-Z0-9]+$/;

export function validateDataKeys(obj: KubeObject, fields: string[]): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const f of fields) {
    for (const key of Object.keys((obj[f] as object | undefined) ?? {})) {
      if (key.length > 253) errs.push(invalidValue(`${f}[${key}]`, key, 'must be no more than 253 characters'));
      if (!KEY_RE.test(key)) {
        errs.push(invalidValue(`${f}[${key}]`, key, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
      } else if (key === '.' || key === '..') errs.push(invalidValue(`${f}[${key}]`, key, `must not be '${key}'`));
      else if (key.startsWith('..')) errs.push(invalidValue(`${f}[${key}]`, key, "must not start with '..'"));
      if (seen.has(key)) errs.push(duplicate(`${f}[${key}]`, key));
      seen.add(key);
    }
  }
  return errs;
}
