// /openapi/v2: one swagger 2.0 document for every served resource.
import type { Definitions } from '../../api/schema/dsl.js';
import type { ResourceStrategy } from '../registry/strategy.js';
import { pathItemsOf, type Operation, type Param, type PathItem } from './paths.js';
import { schemasFor } from './schemas.js';

export const OPENAPI_INFO = { title: 'Kubernetes', version: 'v1.31.0' };
const PRODUCES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const WATCH_PRODUCES = [
  ...PRODUCES,
  'application/json;stream=watch',
  'application/vnd.kubernetes.protobuf;stream=watch',
];

export function listDefinitionOf(st: ResourceStrategy): string {
  return `${st.definition}List`;
}

function parameter(p: Param): Record<string, unknown> {
  return {
    uniqueItems: true,
    type: p.type,
    description: p.description,
    name: p.name,
    in: p.in,
    ...(p.required ? { required: true } : {}),
  };
}

function operation(op: Operation, gvk: PathItem['gvk']): Record<string, unknown> {
  const schema = { $ref: `#/definitions/${op.response}` };
  const responses: Record<string, unknown> = { '200': { description: 'OK', schema } };
  for (const code of op.alsoReturns ?? [])
    responses[code] = { description: code === '201' ? 'Created' : 'Accepted', schema };
  responses['401'] = { description: 'Unauthorized' };
  const params = op.params.map(parameter);
  if (op.body)
    params.unshift({
      name: 'body',
      in: 'body',
      required: true,
      schema: { $ref: `#/definitions/${op.body}` },
    });
  return {
    description: op.description,
    consumes: op.consumes ?? ['*/*'],
    produces: op.streams ? WATCH_PRODUCES : PRODUCES,
    schemes: ['https'],
    operationId: op.operationId,
    ...(params.length ? { parameters: params } : {}),
    responses,
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': gvk,
  };
}

/** The swagger 2.0 document: every resource's paths and every definition. */
export function buildOpenAPIV2(strategies: ResourceStrategy[], defs: Definitions): object {
  const paths: Record<string, unknown> = {};
  for (const st of strategies) {
    for (const item of pathItemsOf(st, listDefinitionOf(st))) {
      const entry: Record<string, unknown> = {};
      for (const op of item.operations) entry[op.method] = operation(op, item.gvk);
      entry.parameters = item.params.map(parameter);
      paths[item.path] = entry;
    }
  }
  return {
    swagger: '2.0',
    info: OPENAPI_INFO,
    paths,
    definitions: schemasFor(defs, '#/definitions/', 'siblings'),
  };
}
