// The operations of each resource, for OpenAPI path items (both v2 and v3 use this shape
// before their own encodings). kubectl reads three things from them: the
// x-kubernetes-group-version-kind of the PATCH operation, the `fieldValidation` query
// parameter on it (then it leaves field validation to the server), and the schemas.
import type { ResourceStrategy } from '../registry/strategy.js';
import { ALL_VERBS } from '../registry/strategy.js';

export interface Param {
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  type: 'string' | 'boolean' | 'integer';
}

export interface Operation {
  method: 'get' | 'put' | 'post' | 'patch' | 'delete';
  operationId: string;
  action: string;
  description: string;
  params: Param[];
  /** Definition name of the request body, if any. */
  body?: string;
  /** Definition name of the 200 response. */
  response: string;
  consumes?: string[];
}

export interface PathItem {
  path: string;
  params: Param[];
  operations: Operation[];
  gvk: { group: string; version: string; kind: string };
}

const q = (name: string, description: string, type: Param['type'] = 'string'): Param => ({
  name,
  in: 'query',
  description,
  type,
});
const p = (name: string, description: string): Param => ({
  name,
  in: 'path',
  description,
  required: true,
  type: 'string',
});

const WRITE_PARAMS = [
  q('dryRun', 'When set to All, the request is validated and admitted but nothing is stored.'),
  q('fieldManager', 'Name of the actor making the change, recorded in managedFields.'),
  q('fieldValidation', 'How unknown or duplicate fields are treated: Ignore, Warn (the default) or Strict.'),
];
const LIST_PARAMS = [
  q('allowWatchBookmarks', 'Ask for BOOKMARK events on a watch.', 'boolean'),
  q('continue', 'Token from a previous page to get the next one.'),
  q('fieldSelector', 'Only objects whose fields match, e.g. metadata.name=x.'),
  q('labelSelector', 'Only objects whose labels match, e.g. app=web.'),
  q('limit', 'At most this many items; more follow through continue.', 'integer'),
  q('resourceVersion', 'Read at (or stream changes after) this resource version.'),
  q('resourceVersionMatch', 'How resourceVersion applies to a list: Exact or NotOlderThan.'),
  q('timeoutSeconds', 'End a watch after this many seconds.', 'integer'),
  q('watch', 'Stream changes instead of returning a list.', 'boolean'),
];

const lowerFirst = (s: string) => s;
const camel = (kind: string) => kind;

function gvPrefix(st: ResourceStrategy): string {
  return st.group ? `/apis/${st.group}/${st.version}` : `/api/${st.version}`;
}

function opId(verb: string, st: ResourceStrategy, namespaced: boolean, suffix = ''): string {
  const gv = st.group
    ? st.group
        .replace(/\.k8s\.io$/, '')
        .replace(/\.(\w)/g, (_m, c: string) => c.toUpperCase())
        .replace(/^\w/, (c) => c.toUpperCase()) + st.version.replace(/^\w/, (c) => c.toUpperCase())
    : 'CoreV1';
  return `${verb}${gv}${namespaced ? 'Namespaced' : ''}${camel(st.kind)}${suffix}`;
}

/** Path items for one resource: collection and object (and status/scale where served). */
export function pathItemsOf(st: ResourceStrategy, listDefinition: string): PathItem[] {
  const verbs = new Set(st.verbs ?? ALL_VERBS);
  const base = gvPrefix(st) + (st.namespaced ? '/namespaces/{namespace}' : '');
  const nsParam = st.namespaced
    ? [p('namespace', 'object name and auth scope, such as for teams and projects')]
    : [];
  const pretty = q('pretty', "If 'true', then the output is pretty printed.");
  const gvk = { group: st.group, version: st.version, kind: st.kind };
  const items: PathItem[] = [];
  const collection: Operation[] = [];
  if (verbs.has('list'))
    collection.push({
      method: 'get',
      operationId: opId('list', st, st.namespaced),
      action: 'list',
      description: `list or watch objects of kind ${st.kind}`,
      params: LIST_PARAMS,
      response: listDefinition,
    });
  if (verbs.has('create'))
    collection.push({
      method: 'post',
      operationId: opId('create', st, st.namespaced),
      action: 'post',
      description: `create a ${st.kind}`,
      params: WRITE_PARAMS,
      body: st.definition,
      response: st.definition,
    });
  if (verbs.has('deletecollection'))
    collection.push({
      method: 'delete',
      operationId: opId('deletecollection', st, st.namespaced),
      action: 'deletecollection',
      description: `delete collection of ${st.kind}`,
      params: [
        ...LIST_PARAMS.filter((x) => x.name !== 'watch'),
        q('gracePeriodSeconds', 'Seconds before the objects are deleted.', 'integer'),
        q('propagationPolicy', 'Orphan, Background or Foreground.'),
      ],
      response: 'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
    });
  items.push({ path: `${base}/${st.resource}`, params: [...nsParam, pretty], operations: collection, gvk });
  const object: Operation[] = [];
  if (verbs.has('get'))
    object.push({
      method: 'get',
      operationId: opId('read', st, st.namespaced),
      action: 'get',
      description: `read the specified ${st.kind}`,
      params: [],
      response: st.definition,
    });
  if (verbs.has('update'))
    object.push({
      method: 'put',
      operationId: opId('replace', st, st.namespaced),
      action: 'put',
      description: `replace the specified ${st.kind}`,
      params: WRITE_PARAMS,
      body: st.definition,
      response: st.definition,
    });
  if (verbs.has('patch'))
    object.push({
      method: 'patch',
      operationId: opId('patch', st, st.namespaced),
      action: 'patch',
      description: `partially update the specified ${st.kind}`,
      params: [...WRITE_PARAMS, q('force', 'Take ownership of conflicting fields on apply.', 'boolean')],
      body: 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
      response: st.definition,
      consumes: [
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/strategic-merge-patch+json',
        'application/apply-patch+yaml',
      ],
    });
  if (verbs.has('delete'))
    object.push({
      method: 'delete',
      operationId: opId('delete', st, st.namespaced),
      action: 'delete',
      description: `delete a ${st.kind}`,
      params: [
        ...WRITE_PARAMS.slice(0, 1),
        q('gracePeriodSeconds', 'Seconds before the object is deleted.', 'integer'),
        q('propagationPolicy', 'Orphan, Background or Foreground.'),
      ],
      body: 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
      response: 'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
    });
  // kubectl looks for fieldValidation among the path item's own parameters
  const objectParams = [p('name', `name of the ${st.kind}`), ...nsParam, pretty, ...WRITE_PARAMS.slice(1, 3)];
  items.push({ path: `${base}/${st.resource}/{name}`, params: objectParams, operations: object, gvk });
  for (const sub of [st.status ? 'status' : '', st.scale ? 'scale' : ''].filter(Boolean)) {
    const def = sub === 'scale' ? 'io.k8s.api.autoscaling.v1.Scale' : st.definition;
    const subGvk = sub === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : gvk;
    const suffix = sub === 'scale' ? 'Scale' : 'Status';
    items.push({
      path: `${base}/${st.resource}/{name}/${sub}`,
      params: objectParams,
      gvk: subGvk,
      operations: [
        {
          method: 'get',
          operationId: opId('read', st, st.namespaced, suffix),
          action: 'get',
          description: `read ${sub} of the specified ${st.kind}`,
          params: [],
          response: def,
        },
        {
          method: 'put',
          operationId: opId('replace', st, st.namespaced, suffix),
          action: 'put',
          description: `replace ${sub} of the specified ${st.kind}`,
          params: WRITE_PARAMS,
          body: def,
          response: def,
        },
        {
          method: 'patch',
          operationId: opId('patch', st, st.namespaced, suffix),
          action: 'patch',
          description: `partially update ${sub} of the specified ${st.kind}`,
          params: [...WRITE_PARAMS, q('force', 'Take ownership of conflicting fields on apply.', 'boolean')],
          body: 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
          response: def,
          consumes: [
            'application/json-patch+json',
            'application/merge-patch+json',
            'application/strategic-merge-patch+json',
            'application/apply-patch+yaml',
          ],
        },
      ],
    });
  }
  void lowerFirst;
  return items;
}
