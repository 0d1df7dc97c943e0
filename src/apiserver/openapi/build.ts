// OpenAPI v2 (/openapi/v2) and v3 (/openapi/v3/<group-version>) documents, generated from our
// type definitions (src/api/schema) and the resource table.
import { createHash } from 'node:crypto';
import type { Definitions, PropSchema } from '../../api/schema/dsl.js';
import type { ResourceStrategy } from '../registry/strategy.js';
import { pathItemsOf, type Operation, type Param, type PathItem } from './paths.js';

const INFO = { title: 'Kubernetes', version: 'v1.31.0' };

function listDefinitionOf(st: ResourceStrategy): string {
  return `${st.definition}List`;
}

/** Copies a schema, rewriting $ref to `prefix + name`; refs that carry a description are wrapped in allOf as upstream does. */
function rewrite(s: PropSchema, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref') continue;
    if (k === 'items' || k === 'additionalProperties') out[k] = rewrite(v as PropSchema, prefix);
    else if (k === 'properties')
      out[k] = Object.fromEntries(
        Object.entries(v as Record<string, PropSchema>).map(([n, p]) => [n, rewrite(p, prefix)]),
      );
    else out[k] = v;
  }
  if (s.$ref) {
    const ref = { $ref: prefix + s.$ref };
    if (Object.keys(out).length === 0) return ref;
    return { allOf: [ref], ...out };
  }
  return out;
}

function definitionsFor(defs: Definitions, prefix: string, names?: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(defs)) if (!names || names.has(name)) out[name] = rewrite(d, prefix);
  return out;
}

/** Every definition reachable from the given roots. */
function reachable(defs: Definitions, roots: string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (s: PropSchema | undefined) => {
    if (!s) return;
    if (s.$ref && !seen.has(s.$ref)) {
      seen.add(s.$ref);
      visit(defs[s.$ref]);
    }
    visit(s.items);
    visit(s.additionalProperties);
    for (const p of Object.values((s as { properties?: Record<string, PropSchema> }).properties ?? {}))
      visit(p);
  };
  for (const r of roots) visit({ $ref: r });
  return seen;
}

function v2Param(p: Param): object {
  return {
    uniqueItems: true,
    type: p.type,
    description: p.description,
    name: p.name,
    in: p.in,
    ...(p.required ? { required: true } : {}),
  };
}

function v2Operation(op: Operation, gvk: PathItem['gvk']): object {
  const o: Record<string, unknown> = {
    description: op.description,
    consumes: op.consumes ?? ['*/*'],
    produces: ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'],
    schemes: ['https'],
    operationId: op.operationId,
    responses: {
      '200': { description: 'OK', schema: { $ref: `#/definitions/${op.response}` } },
      '401': { description: 'Unauthorized' },
    },
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': gvk,
  };
  const params = op.params.map(v2Param);
  if (op.body)
    params.unshift({
      name: 'body',
      in: 'body',
      required: true,
      schema: { $ref: `#/definitions/${op.body}` },
    });
  if (params.length) o.parameters = params;
  return o;
}

export function buildOpenAPIV2(strategies: ResourceStrategy[], defs: Definitions): object {
  const paths: Record<string, unknown> = {};
  for (const st of strategies) {
    for (const item of pathItemsOf(st, listDefinitionOf(st))) {
      const entry: Record<string, unknown> = {};
      for (const op of item.operations) entry[op.method] = v2Operation(op, item.gvk);
      entry.parameters = item.params.map(v2Param);
      paths[item.path] = entry;
    }
  }
  return { swagger: '2.0', info: INFO, paths, definitions: definitionsFor(defs, '#/definitions/') };
}

function v3Param(p: Param): object {
  return {
    name: p.name,
    in: p.in,
    description: p.description,
    ...(p.required ? { required: true } : {}),
    schema: { type: p.type, uniqueItems: true },
  };
}

function v3Operation(op: Operation, gvk: PathItem['gvk']): object {
  const ref = (name: string) => ({ schema: { $ref: `#/components/schemas/${name}` } });
  const o: Record<string, unknown> = {
    description: op.description,
    operationId: op.operationId,
    responses: {
      '200': {
        description: 'OK',
        content: { 'application/json': ref(op.response), 'application/yaml': ref(op.response) },
      },
      '401': { description: 'Unauthorized' },
    },
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': gvk,
  };
  if (op.params.length) o.parameters = op.params.map(v3Param);
  if (op.body) {
    const types = op.consumes ?? ['*/*'];
    o.requestBody = { content: Object.fromEntries(types.map((t) => [t, ref(op.body!)])), required: true };
  }
  return o;
}

export interface OpenAPIV3 {
  /** /openapi/v3 */
  index: { paths: Record<string, { serverRelativeURL: string }> };
  /** 'api/v1' | 'apis/apps/v1' → document (JSON text) */
  docs: Map<string, string>;
}

export function buildOpenAPIV3(strategies: ResourceStrategy[], defs: Definitions): OpenAPIV3 {
  const byGV = new Map<string, ResourceStrategy[]>();
  for (const st of strategies) {
    const key = st.group ? `apis/${st.group}/${st.version}` : `api/${st.version}`;
    byGV.set(key, [...(byGV.get(key) ?? []), st]);
  }
  const docs = new Map<string, string>();
  const index: OpenAPIV3['index'] = { paths: {} };
  for (const [key, sts] of byGV) {
    const paths: Record<string, unknown> = {};
    const roots = [
      'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
      'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
      'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
    ];
    for (const st of sts) {
      roots.push(st.definition, listDefinitionOf(st));
      if (st.scale) roots.push('io.k8s.api.autoscaling.v1.Scale');
      for (const item of pathItemsOf(st, listDefinitionOf(st))) {
        const entry: Record<string, unknown> = {};
        for (const op of item.operations) entry[op.method] = v3Operation(op, item.gvk);
        entry.parameters = item.params.map(v3Param);
        paths[item.path] = entry;
      }
    }
    const doc = JSON.stringify({
      openapi: '3.0.0',
      info: INFO,
      paths,
      components: { schemas: definitionsFor(defs, '#/components/schemas/', reachable(defs, roots)) },
    });
    docs.set(key, doc);
    const hash = createHash('sha512').update(doc).digest('hex').toUpperCase();
    index.paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { index, docs };
}
