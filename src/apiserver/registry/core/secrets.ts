// secrets
import { isRecord } from '../../../api/types.js';
import { defineResource, setDefault } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { invalidValue, required } from '../validation.js';
import { validateDataKeys } from './data-keys.js';

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
      const data = (isRecord(s.data) ? s.data : (s.data = {})) as Record<string, string>;
      for (const [k, v] of Object.entries(s.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
      delete s.stringData;
    }
  },
  validate(s) {
    const errs = validateDataKeys(s, ['data']);
    for (const [k, v] of Object.entries((s.data as Record<string, unknown>) ?? {})) {
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) errs.push(invalidValue(`data[${k}]`, '<secret contents redacted>', 'illegal base64 data'));
    }
    if (s.type === 'kubernetes.io/service-account-token' && !s.metadata.annotations?.['kubernetes.io/service-account.name']) {
      errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
    }
    return errs;
  },
  validateUpdate: (s, old) => (s.type !== old.type ? [invalidValue('type', s.type, 'field is immutable')] : []),
  table: {
    columns: [nameColumn, col('Type', 'The type of the secret.'), col('Data', 'Number of keys in data.', 0, 'integer'), ageColumn],
    cells: (s, now) => [s.metadata.name, s.type, Object.keys((s.data as object) ?? {}).length, age(s.metadata.creationTimestamp, now)],
  },
  fieldSelectors: { type: (s) => s.type as string },
});
