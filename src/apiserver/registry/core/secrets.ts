// secrets: type Opaque by default, stringData folded into data, key names, the 1 MiB limit,
// the keys each well-known type requires, and immutable secrets.
import { isRecord, type KubeObject } from '../../../api/types.js';
import { defineResource, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { forbidden, invalidValue, required, type FieldError } from '../validation.js';
import { base64Bytes, tooBig, validateDataKeys } from './data-keys.js';

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
/** Keys each well-known type must carry in data. */
const REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

const data = (s: KubeObject): Record<string, unknown> => (isRecord(s.data) ? s.data : {});

function validate(s: KubeObject): FieldError[] {
  const errs = validateDataKeys(s.data, 'data');
  for (const [k, v] of Object.entries(data(s))) {
    if (typeof v !== 'string' || v.length % 4 !== 0 || !BASE64_RE.test(v))
      errs.push(invalidValue(`data[${k}]`, '<secret contents redacted>', 'illegal base64 data'));
  }
  errs.push(...tooBig('data', base64Bytes(s.data)));
  const type = String(s.type ?? '');
  if (
    type === 'kubernetes.io/service-account-token' &&
    !s.metadata.annotations?.['kubernetes.io/service-account.name']
  )
    errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
  for (const key of REQUIRED_KEYS[type] ?? []) if (!(key in data(s))) errs.push(required(`data[${key}]`));
  if (type === 'kubernetes.io/basic-auth' && !('username' in data(s)) && !('password' in data(s)))
    errs.push(required('data[username]'), required('data[password]'));
  return errs;
}

function validateUpdate(s: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (s.type !== old.type) errs.push(invalidValue('type', s.type ?? '', 'field is immutable'));
  if (old.immutable === true) {
    if (s.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
    if (JSON.stringify(s.data ?? {}) !== JSON.stringify(old.data ?? {}))
      errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
  }
  return errs;
}

export const secrets = defineResource({
  group: '',
  version: 'v1',
  resource: 'secrets',
  kind: 'Secret',
  namespaced: true,
  definition: 'io.k8s.api.core.v1.Secret',
  defaults(s) {
    setDefault(s, 'type', 'Opaque');
    // stringData is write-only: merged into data (base64) as upstream's conversion does
    if (isRecord(s.stringData)) {
      const merged: Record<string, unknown> = { ...data(s) };
      for (const [k, v] of Object.entries(s.stringData))
        merged[k] = Buffer.from(String(v)).toString('base64');
      s.data = merged;
      delete s.stringData;
    }
  },
  validate,
  validateUpdate,
  table: {
    columns: [
      nameColumn,
      col('Type', 'The kind of secret, e.g. Opaque or kubernetes.io/tls.'),
      col('Data', 'How many keys the secret holds.'),
      ageColumn,
    ],
    cells: (s, now) => [
      s.metadata.name,
      String(s.type ?? ''),
      Object.keys(data(s)).length,
      age(s.metadata.creationTimestamp, now),
    ],
  },
  fieldSelectors: { type: (s) => String(s.type ?? '') },
});
