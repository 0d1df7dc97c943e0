// JSON values as CEL sees them under a structural schema (apiextensions-apiserver's
// UnstructuredToVal): integers are int, numbers double, strings with format byte/duration/date/
// date-time are bytes/duration/timestamp, int-or-string keeps what it holds, objects and maps
// are maps; fields the schema does not know (x-kubernetes-preserve-unknown-fields) are dynamic.
// FieldScope tells the compile check which fields a select may name.
import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { isRecord } from '../../api/types.js';
import type { JSONSchemaProps } from '../crd/types.js';
import { goDurationMs } from '../../util/duration.js';
import type { FieldScope } from './compile.js';

export function toCel(v: unknown, s: JSONSchemaProps | undefined): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') {
    if (s?.type === 'number') return v;
    return Number.isInteger(v) ? BigInt(v) : v;
  }
  if (typeof v === 'string') {
    if (!s || s['x-kubernetes-int-or-string']) return v;
    switch (s.format) {
      case 'byte':
        return new Uint8Array(Buffer.from(v, 'base64'));
      case 'duration': {
        const ms = parseGoDurationMs(v);
        return ms === undefined ? v : durationFromMs(ms);
      }
      case 'date':
      case 'date-time': {
        const t = Date.parse(v);
        return Number.isNaN(t) ? v : timestampFromDate(new Date(t));
      }
      default:
        return v;
    }
  }
  if (Array.isArray(v)) return v.map((item) => toCel(item, s?.items));
  if (isRecord(v)) {
    const out = new Map<string, unknown>();
    for (const [k, value] of Object.entries(v)) {
      const sub =
        s?.properties?.[k] ??
        (typeof s?.additionalProperties === 'object' ? s.additionalProperties : undefined);
      out.set(k, toCel(value, sub));
    }
    return out;
  }
  return v;
}

function parseGoDurationMs(v: string): number | undefined {
  try {
    return goDurationMs(v);
  } catch {
    return undefined;
  }
}

/** The root of a resource: CEL sees apiVersion, kind and metadata.name/generateName only. */
export function resourceRoot(obj: Record<string, unknown>): Record<string, unknown> {
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  const visible: Record<string, unknown> = {};
  if (meta.name !== undefined) visible.name = meta.name;
  if (meta.generateName !== undefined) visible.generateName = meta.generateName;
  return { ...obj, metadata: visible };
}

const METADATA_SCHEMA: JSONSchemaProps = {
  type: 'object',
  properties: { name: { type: 'string' }, generateName: { type: 'string' } },
};

/** Which fields a CEL select may name on a value of schema s (undefined: any). */
export function schemaScope(
  s: JSONSchemaProps | undefined,
  resourceRootLevel = false,
): FieldScope | undefined {
  if (!s) return undefined;
  return {
    field(name) {
      if (resourceRootLevel || s['x-kubernetes-embedded-resource']) {
        if (name === 'metadata') return schemaScope(METADATA_SCHEMA);
        if (name === 'apiVersion' || name === 'kind') return schemaScope({ type: 'string' });
      }
      const p = s.properties?.[name];
      if (p) return schemaScope(p, p['x-kubernetes-embedded-resource'] === true);
      if (typeof s.additionalProperties === 'object') return schemaScope(s.additionalProperties);
      if (s['x-kubernetes-preserve-unknown-fields'] || s.additionalProperties === true) return undefined;
      if (s.type === 'object' && s.properties) return null;
      return undefined;
    },
    element() {
      if (s.type === 'array') return schemaScope(s.items);
      return undefined;
    },
  };
}
