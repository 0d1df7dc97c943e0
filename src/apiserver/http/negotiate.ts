// Content negotiation: which media type a request body is in, and which representation the
// client asked for in Accept (plain JSON/YAML, or a meta.k8s.io Table / PartialObjectMetadata).
import { notAcceptable } from '../../api/errors.js';

export interface MediaRange {
  type: string; // e.g. 'application/json'
  params: Record<string, string>;
}

export function parseMediaRanges(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part) => {
      const [type, ...params] = part.split(';').map((s) => s.trim());
      const p: Record<string, string> = {};
      for (const kv of params) {
        const i = kv.indexOf('=');
        if (i > 0) p[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
      }
      return { type: type.toLowerCase(), params: p };
    })
    .filter((m) => m.type !== '');
}

export type Encoding = 'json' | 'yaml';
export type Shape = 'object' | 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';

export interface OutputChoice {
  encoding: Encoding;
  shape: Shape;
  /** meta.k8s.io version for Table/PartialObjectMetadata (v1 or v1beta1). */
  metaVersion: string;
  pretty: boolean;
}

const JSON_TYPES = new Set(['application/json', '*/*', 'application/*', 'application/json;stream=watch']);

/** Picks the first Accept entry we can serve; 406 if none (e.g. protobuf only). */
export function negotiateOutput(accept: string | undefined, isList: boolean): OutputChoice {
  const ranges = parseMediaRanges(accept);
  if (ranges.length === 0) return { encoding: 'json', shape: 'object', metaVersion: 'v1', pretty: false };
  for (const r of ranges) {
    const encoding: Encoding | undefined = JSON_TYPES.has(r.type)
      ? 'json'
      : r.type === 'application/yaml'
        ? 'yaml'
        : undefined;
    if (!encoding) continue;
    const as = r.params['as'];
    if (!as) return { encoding, shape: 'object', metaVersion: 'v1', pretty: false };
    if (r.params['g'] !== 'meta.k8s.io') continue;
    const v = r.params['v'];
    if (v !== 'v1' && v !== 'v1beta1') continue;
    if (as === 'Table') return { encoding, shape: 'Table', metaVersion: v, pretty: false };
    if (as === 'PartialObjectMetadata' && !isList)
      return { encoding, shape: 'PartialObjectMetadata', metaVersion: v, pretty: false };
    if (as === 'PartialObjectMetadataList' && isList)
      return { encoding, shape: 'PartialObjectMetadataList', metaVersion: v, pretty: false };
  }
  throw notAcceptable(
    `only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
  );
}

/** Content types a write may carry. */
export type BodyType =
  'json' | 'yaml' | 'json-patch' | 'merge-patch' | 'strategic-merge-patch' | 'apply-patch';

export function bodyTypeOf(contentType: string | undefined): BodyType | 'protobuf' | 'unknown' {
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  switch (ct) {
    case '':
    case 'application/json':
      return 'json';
    case 'application/yaml':
      return 'yaml';
    case 'application/json-patch+json':
      return 'json-patch';
    case 'application/merge-patch+json':
      return 'merge-patch';
    case 'application/strategic-merge-patch+json':
      return 'strategic-merge-patch';
    case 'application/apply-patch+yaml':
      return 'apply-patch';
    case 'application/vnd.kubernetes.protobuf':
      return 'protobuf';
    default:
      return 'unknown';
  }
}
