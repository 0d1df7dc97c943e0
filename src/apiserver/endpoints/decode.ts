// Request bodies to objects: JSON or YAML, the version/kind/namespace checks kube-apiserver
// makes, and strict field validation against our type definitions.
import { parse as parseYAML } from 'yaml';
import { badRequest, unsupportedMediaType } from '../../api/errors.js';
import { apiVersionOf, isRecord, type KubeObject } from '../../api/types.js';
import { definitions } from '../../api/schema/index.js';
import { checkAndNormalize } from '../../api/schema/walk.js';
import { OBJECT_META } from '../../api/schema/dsl.js';
import { findDuplicateFields } from '../../api/schema/walk-duplicates.js';

/** Repeated keys seen in a JSON body (JSON.parse keeps only the last), for strict validation. */
const duplicatesOf = new WeakMap<object, string[]>();
import { bodyTypeOf } from '../http/negotiate.js';
import { decodeProtobufObject } from './protobuf-decode.js';
import type { ResourceStrategy } from '../registry/strategy.js';
import type { RequestContext } from './context.js';

export const ACCEPTED_BODY_TYPES = [
  'application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
];

/** Parses a JSON or YAML document into a plain value (400 on syntax errors). */
export function parseDocument(raw: Buffer, yaml: boolean): unknown {
  const text = raw.toString('utf8');
  try {
    if (yaml) return jsonAsYAML(text) ?? (parseYAML(text) as unknown);
    return JSON.parse(text) as unknown;
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw badRequest(`couldn't get version/kind; json parse error: ${why}`);
  }
}

/**
 * A YAML body that is JSON (kubectl sends apply patches so), parsed as JSON: JSON is YAML and
 * JSON.parse is many times faster. Repeated keys are the one difference (YAML refuses them,
 * JSON.parse keeps the last), so such bodies are left to the YAML parser and its error.
 */
function jsonAsYAML(text: string): unknown {
  if (!/^\s*\{/.test(text)) return undefined;
  try {
    const doc = JSON.parse(text) as unknown;
    return findDuplicateFields(text).length ? undefined : doc;
  } catch {
    return undefined;
  }
}

/** The body of a create or update as an object of the strategy's kind. */
export function decodeObject(raw: Buffer, contentType: string | undefined, st: ResourceStrategy): KubeObject {
  const bt = bodyTypeOf(contentType);
  if (bt === 'protobuf') return checkKind(decodeProtobufObject(raw, ACCEPTED_BODY_TYPES), st);
  if (bt !== 'json' && bt !== 'yaml') throw unsupportedMediaType(ACCEPTED_BODY_TYPES);
  const doc = parseDocument(raw, bt === 'yaml');
  if (!isRecord(doc)) {
    throw badRequest(
      `couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(doc) ? 'array' : typeof doc} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`,
    );
  }
  const obj = checkKind(doc, st);
  if (bt === 'json') {
    const dups = findDuplicateFields(raw.toString('utf8'));
    if (dups.length) duplicatesOf.set(obj, dups);
  }
  return obj;
}

/** Checks (and fills in) apiVersion and kind against the URL's, as upstream's decoder does. */
export function checkKind(doc: Record<string, unknown>, st: ResourceStrategy): KubeObject {
  const want = apiVersionOf(st.group, st.version);
  const apiVersion = typeof doc.apiVersion === 'string' ? doc.apiVersion : '';
  const kind = typeof doc.kind === 'string' ? doc.kind : '';
  if (apiVersion !== '' && apiVersion !== want)
    throw badRequest(
      `the API version in the data (${apiVersion}) does not match the expected API version (${want})`,
    );
  if (kind !== '' && kind !== st.kind)
    throw badRequest(`the kind in the data (${kind}) does not match the expected kind (${st.kind})`);
  if (doc.metadata === undefined || doc.metadata === null) doc.metadata = {};
  if (!isRecord(doc.metadata))
    throw badRequest(
      `${st.kind} in version "${st.version}" cannot be handled as a ${st.kind}: json: cannot unmarshal ${Array.isArray(doc.metadata) ? 'array' : typeof doc.metadata} into Go struct field ${st.kind}.metadata of type v1.ObjectMeta`,
    );
  doc.apiVersion = want;
  doc.kind = st.kind;
  return doc as KubeObject;
}

/**
 * Strict field validation (fieldValidation=Strict|Warn|Ignore) and the decode round-trip
 * normalization (null fields dropped, quantities canonical). Throws 400 in Strict mode.
 */
export function validateFields(obj: KubeObject, st: ResourceStrategy, ctx: RequestContext): void {
  const { unknownFields, typeErrors } = st.prune
    ? { unknownFields: [...checkMetadata(obj), ...st.prune(obj)], typeErrors: [] as string[] }
    : checkAndNormalize(obj, st.definition, definitions);
  const prefix = `${st.kind} in version "${st.version}" cannot be handled as a ${st.kind}: `;
  if (typeErrors.length) throw badRequest(prefix + typeErrors.join(', '));
  if ((!unknownFields.length && !duplicatesOf.has(obj)) || ctx.fieldValidation === 'Ignore') return;
  const msgs = [
    ...unknownFields.map((f) => `unknown field "${f}"`),
    ...(duplicatesOf.get(obj) ?? []).map((f) => `duplicate field "${f}"`),
  ];
  if (ctx.fieldValidation === 'Warn') ctx.warnings.push(...msgs);
  else throw badRequest(`${prefix}strict decoding error: ${msgs.join(', ')}`);
}

/** A custom resource's metadata gets the typed check (ObjectMeta is not in its schema). */
function checkMetadata(obj: KubeObject): string[] {
  return checkAndNormalize(obj.metadata, OBJECT_META, definitions).unknownFields.map((f) => `metadata.${f}`);
}

/** Namespace of a body against the URL's: filled in when absent, 400 when different. */
export function checkNamespace(
  obj: KubeObject,
  st: ResourceStrategy,
  urlNamespace: string | undefined,
): void {
  if (!st.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  const ns = obj.metadata.namespace;
  if (ns === undefined || ns === '') obj.metadata.namespace = urlNamespace;
  else if (urlNamespace !== undefined && ns !== urlNamespace)
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
}
