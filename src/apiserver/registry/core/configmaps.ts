// configmaps (cm): key names, the 1 MiB limit, and immutable config maps.
import type { KubeObject } from '../../../api/types.js';
import { defineResource } from '../define.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import { forbidden, invalidValue, type FieldError } from '../validation.js';
import { base64Bytes, tooBig, validateDataKeys } from './data-keys.js';

const keys = (v: unknown): string[] => Object.keys(v && typeof v === 'object' ? v : {});

function validate(cm: KubeObject): FieldError[] {
  const errs = [...validateDataKeys(cm.data, 'data'), ...validateDataKeys(cm.binaryData, 'binaryData')];
  const inData = new Set(keys(cm.data));
  for (const k of keys(cm.binaryData))
    if (inData.has(k)) errs.push(invalidValue('binaryData', k, 'duplicate of key present in data'));
  let size = base64Bytes(cm.binaryData);
  for (const v of Object.values((cm.data as Record<string, unknown> | undefined) ?? {}))
    size += Buffer.byteLength(String(v));
  errs.push(...tooBig('', size));
  return errs;
}

function validateUpdate(cm: KubeObject, old: KubeObject): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (cm.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  if (JSON.stringify(cm.data ?? {}) !== JSON.stringify(old.data ?? {}))
    errs.push(forbidden('data', 'field is immutable when `immutable` is set'));
  if (JSON.stringify(cm.binaryData ?? {}) !== JSON.stringify(old.binaryData ?? {}))
    errs.push(forbidden('binaryData', 'field is immutable when `immutable` is set'));
  return errs;
}

export const configmaps = defineResource({
  group: '',
  version: 'v1',
  resource: 'configmaps',
  kind: 'ConfigMap',
  namespaced: true,
  shortNames: ['cm'],
  definition: 'io.k8s.api.core.v1.ConfigMap',
  validate,
  validateUpdate,
  table: {
    columns: [
      nameColumn,
      col('Data', 'How many keys the config map holds, data and binaryData together.'),
      ageColumn,
    ],
    cells: (cm, now) => [
      cm.metadata.name,
      keys(cm.data).length + keys(cm.binaryData).length,
      age(cm.metadata.creationTimestamp, now),
    ],
  },
});
