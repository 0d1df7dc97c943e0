// /openapi/v3: an index of group-versions and one OpenAPI 3.0 document per group-version.
// kubectl explain and kubectl's field-validation check read these.
import { createHash } from 'node:crypto';
import type { Definitions } from '../../api/schema/dsl.js';
import type { ResourceStrategy } from '../registry/strategy.js';
import {
  DELETE_OPTIONS_DEFINITION,
  PATCH_DEFINITION,
  SCALE_DEFINITION,
  STATUS_DEFINITION,
  WATCH_EVENT_DEFINITION,
  pathItemsOf,
  type Operation,
  type Param,
  type PathItem,
} from './paths.js';
import { reachable, schemasFor } from './schemas.js';
import { OPENAPI_INFO, listDefinitionOf } from './v2.js';

const MEDIA = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const WATCH_MEDIA = [
  ...MEDIA,
  'application/json;stream=watch',
  'application/vnd.kubernetes.protobuf;stream=watch',
];

function parameter(p: Param): Record<string, unknown> {
  return {
    name: p.name,
    in: p.in,
    description: p.description,
    ...(p.required ? { required: true } : {}),
    schema: { type: p.type, uniqueItems: true },
  };
}

const schemaRef = (name: string) => ({ schema: { $ref: `#/components/schemas/${name}` } });

function operation(op: Operation, gvk: PathItem['gvk']): Record<string, unknown> {
  const content = Object.fromEntries(
    (op.streams ? WATCH_MEDIA : MEDIA).map((t) => [t, schemaRef(op.response)]),
  );
  const responses: Record<string, unknown> = { '200': { description: 'OK', content } };
  for (const code of op.alsoReturns ?? [])
    responses[code] = { description: code === '201' ? 'Created' : 'Accepted', content };
  responses['401'] = { description: 'Unauthorized' };
  const o: Record<string, unknown> = {
    description: op.description,
    operationId: op.operationId,
  };
  if (op.params.length) o.parameters = op.params.map(parameter);
  if (op.body) {
    const types = op.consumes ?? ['*/*'];
    o.requestBody = {
      content: Object.fromEntries(types.map((t) => [t, schemaRef(op.body!)])),
      required: true,
    };
  }
  o.responses = responses;
  o['x-kubernetes-action'] = op.action;
  o['x-kubernetes-group-version-kind'] = gvk;
  return o;
}

export interface OpenAPIV3 {
  /** /openapi/v3 */
  index: { paths: Record<string, { serverRelativeURL: string }> };
  /** 'api/v1' | 'apis/apps/v1' → document (JSON text, whose hash is in the index) */
  docs: Map<string, string>;
}

/** Upstream's document hash: SHA-512 of the served bytes, upper-case hex. */
export function openAPIV3Hash(doc: string): string {
  return createHash('sha512').update(doc).digest('hex').toUpperCase();
}

/** The key of a strategy's group-version in the index: 'api/v1' or 'apis/<group>/<version>'. */
export function openAPIV3Key(st: { group: string; version: string }): string {
  return st.group ? `apis/${st.group}/${st.version}` : `api/${st.version}`;
}

export function buildOpenAPIV3(strategies: ResourceStrategy[], defs: Definitions): OpenAPIV3 {
  const byGV = new Map<string, ResourceStrategy[]>();
  for (const st of strategies) {
    const key = openAPIV3Key(st);
    byGV.set(key, [...(byGV.get(key) ?? []), st]);
  }
  const docs = new Map<string, string>();
  const index: OpenAPIV3['index'] = { paths: {} };
  for (const [key, sts] of byGV) {
    const paths: Record<string, unknown> = {};
    const roots = [STATUS_DEFINITION, DELETE_OPTIONS_DEFINITION, PATCH_DEFINITION, WATCH_EVENT_DEFINITION];
    for (const st of sts) {
      roots.push(st.definition, listDefinitionOf(st));
      if (st.scale) roots.push(SCALE_DEFINITION);
      for (const item of pathItemsOf(st, listDefinitionOf(st))) {
        const entry: Record<string, unknown> = {};
        for (const op of item.operations) entry[op.method] = operation(op, item.gvk);
        entry.parameters = item.params.map(parameter);
        paths[item.path] = entry;
      }
    }
    const doc = JSON.stringify({
      openapi: '3.0.0',
      info: OPENAPI_INFO,
      paths,
      components: { schemas: schemasFor(defs, '#/components/schemas/', 'allOf', reachable(defs, roots)) },
    });
    docs.set(key, doc);
    index.paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${openAPIV3Hash(doc)}` };
  }
  return { index, docs };
}
