// The operations of each resource, for OpenAPI path items (v2 and v3 encode this one model).
// kubectl reads three things from them: the x-kubernetes-group-version-kind of each PATCH
// operation, the `fieldValidation` query parameter among that operation's own parameters (then
// it leaves field validation to the server; see cli-runtime's QueryParamVerifierV3), and the
// schemas the responses point to.
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
  /** x-kubernetes-action: get, list, post, put, patch, delete, deletecollection, watch, watchlist. */
  action: string;
  description: string;
  params: Param[];
  /** Definition name of the request body, if any. */
  body?: string;
  /** Definition name of the 200 response. */
  response: string;
  /** Extra success codes upstream lists (201 Created, 202 Accepted). */
  alsoReturns?: ('201' | '202')[];
  /** Request media types; absent means any. */
  consumes?: string[];
  /** A stream of watch events rather than one document. */
  streams?: boolean;
}

export interface PathItem {
  path: string;
  /** Parameters shared by every operation of the path (name, namespace, pretty). */
  params: Param[];
  operations: Operation[];
  gvk: { group: string; version: string; kind: string };
}

export const STATUS_DEFINITION = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
export const DELETE_OPTIONS_DEFINITION = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
export const PATCH_DEFINITION = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
export const WATCH_EVENT_DEFINITION = 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent';
export const SCALE_DEFINITION = 'io.k8s.api.autoscaling.v1.Scale';

const PATCH_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

/** Custom resources take no strategic merge patch; kubectl reads this to pick its patch type. */
const patchTypesOf = (st: ResourceStrategy) =>
  st.noStrategicMerge ? PATCH_TYPES.filter((t) => !t.includes('strategic')) : PATCH_TYPES;

const query = (name: string, description: string, type: Param['type'] = 'string'): Param => ({
  name,
  in: 'query',
  description,
  type,
});
const pathParam = (name: string, description: string): Param => ({
  name,
  in: 'path',
  description,
  required: true,
  type: 'string',
});

const DRY_RUN = query('dryRun', 'When All, the request is validated and admitted but nothing is stored.');
const FIELD_MANAGER = query(
  'fieldManager',
  'Name of the actor making the change, recorded in managedFields.',
);
const FIELD_VALIDATION = query(
  'fieldValidation',
  'What the server does with unknown or duplicate fields in the body: Ignore, Warn (the default) or Strict.',
);
const FORCE = query('force', 'On apply, take ownership of fields other managers own.', 'boolean');
const WRITE_PARAMS = [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION];
const PATCH_PARAMS = [...WRITE_PARAMS, FORCE];
const DELETE_PARAMS = [
  DRY_RUN,
  query('gracePeriodSeconds', 'Seconds to wait before the object is deleted; 0 deletes at once.', 'integer'),
  query('orphanDependents', 'Deprecated: use propagationPolicy.', 'boolean'),
  query('propagationPolicy', 'What happens to dependents: Orphan, Background or Foreground.'),
];
const LIST_PARAMS = [
  query('allowWatchBookmarks', 'Ask for BOOKMARK events on a watch.', 'boolean'),
  query('continue', 'Token from a previous page, to get the next one.'),
  query('fieldSelector', 'Only objects whose fields match, e.g. metadata.name=x.'),
  query('labelSelector', 'Only objects whose labels match, e.g. app=web.'),
  query('limit', 'At most this many items; the rest follow through continue.', 'integer'),
  query('resourceVersion', 'Read at, or stream changes after, this resource version.'),
  query('resourceVersionMatch', 'How resourceVersion applies to a list: Exact or NotOlderThan.'),
  query('sendInitialEvents', 'Start a watch with the current objects as ADDED events.', 'boolean'),
  query('timeoutSeconds', 'End the call after this many seconds.', 'integer'),
  query('watch', 'Stream changes instead of returning a list.', 'boolean'),
];
const PRETTY = query('pretty', "If 'true', the output is pretty printed.");
const NAMESPACE = pathParam('namespace', 'object name and auth scope, such as for teams and projects');

function gvPrefix(st: ResourceStrategy): string {
  return st.group ? `/apis/${st.group}/${st.version}` : `/api/${st.version}`;
}

/** Upstream's operation ids, e.g. listAppsV1NamespacedDeployment, patchCoreV1NamespaceStatus. */
function operationId(
  verb: string,
  st: ResourceStrategy,
  scope: 'namespaced' | 'cluster' | 'all',
  suffix = '',
): string {
  const upper = (s: string) => s.replace(/^\w/, (c) => c.toUpperCase());
  const group = st.group
    ? upper(st.group.replace(/\.k8s\.io$/, '').replace(/\.(\w)/g, (_m, c: string) => c.toUpperCase()))
    : 'Core';
  const scopeWord = scope === 'namespaced' ? 'Namespaced' : '';
  const allSuffix = scope === 'all' ? 'ForAllNamespaces' : '';
  return `${verb}${group}${upper(st.version)}${scopeWord}${st.kind}${suffix}${allSuffix}`;
}

/** Path items for one resource: collection, object, status/scale, watch and all-namespaces paths. */
export function pathItemsOf(st: ResourceStrategy, listDefinition: string): PathItem[] {
  const verbs = new Set(st.verbs ?? ALL_VERBS);
  const scope = st.namespaced ? 'namespaced' : 'cluster';
  const scoped = st.namespaced ? '/namespaces/{namespace}' : '';
  const base = `${gvPrefix(st)}${scoped}/${st.resource}`;
  const nsParams = st.namespaced ? [NAMESPACE] : [];
  const gvk = { group: st.group, version: st.version, kind: st.kind };
  const def = st.definition;
  const items: PathItem[] = [];
  const push = (path: string, params: Param[], operations: Operation[], itemGvk = gvk) => {
    if (operations.length) items.push({ path, params, operations, gvk: itemGvk });
  };

  const collection: Operation[] = [];
  if (verbs.has('list'))
    collection.push({
      method: 'get',
      operationId: operationId('list', st, scope),
      action: 'list',
      description: `list or watch objects of kind ${st.kind}`,
      params: LIST_PARAMS,
      response: listDefinition,
    });
  if (verbs.has('create'))
    collection.push({
      method: 'post',
      operationId: operationId('create', st, scope),
      action: 'post',
      description: `create a ${st.kind}`,
      params: WRITE_PARAMS,
      body: def,
      response: def,
      alsoReturns: ['201', '202'],
    });
  if (verbs.has('deletecollection'))
    collection.push({
      method: 'delete',
      operationId: operationId('deletecollection', st, scope),
      action: 'deletecollection',
      description: `delete collection of ${st.kind}`,
      params: [
        ...DELETE_PARAMS,
        ...LIST_PARAMS.filter((x) => x.name !== 'watch' && x.name !== 'allowWatchBookmarks'),
      ],
      body: DELETE_OPTIONS_DEFINITION,
      response: STATUS_DEFINITION,
    });
  push(base, [...nsParams, PRETTY], collection);

  const objectParams = [pathParam('name', `name of the ${st.kind}`), ...nsParams, PRETTY];
  const object: Operation[] = [];
  if (verbs.has('get'))
    object.push({
      method: 'get',
      operationId: operationId('read', st, scope),
      action: 'get',
      description: `read the specified ${st.kind}`,
      params: [],
      response: def,
    });
  if (verbs.has('update'))
    object.push({
      method: 'put',
      operationId: operationId('replace', st, scope),
      action: 'put',
      description: `replace the specified ${st.kind}`,
      params: WRITE_PARAMS,
      body: def,
      response: def,
      alsoReturns: ['201'],
    });
  if (verbs.has('patch'))
    object.push({
      method: 'patch',
      operationId: operationId('patch', st, scope),
      action: 'patch',
      description: `partially update the specified ${st.kind}`,
      params: PATCH_PARAMS,
      body: PATCH_DEFINITION,
      response: def,
      alsoReturns: ['201'],
      consumes: patchTypesOf(st),
    });
  if (verbs.has('delete'))
    object.push({
      method: 'delete',
      operationId: operationId('delete', st, scope),
      action: 'delete',
      description: `delete a ${st.kind}`,
      params: DELETE_PARAMS,
      body: DELETE_OPTIONS_DEFINITION,
      response: STATUS_DEFINITION,
      alsoReturns: ['202'],
    });
  push(`${base}/{name}`, objectParams, object);

  // pods/ephemeralcontainers reads and writes Pods, as upstream lists it
  const ephemeral = st.group === '' && st.resource === 'pods';
  for (const sub of ['status', 'scale', 'ephemeralcontainers'] as const) {
    if (sub === 'status' ? !st.status : sub === 'scale' ? !st.scale : !ephemeral) continue;
    const subDef = sub === 'scale' ? SCALE_DEFINITION : def;
    const subGvk = sub === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : gvk;
    const suffix = sub === 'scale' ? 'Scale' : sub === 'status' ? 'Status' : 'Ephemeralcontainers';
    push(
      `${base}/{name}/${sub}`,
      objectParams,
      [
        {
          method: 'get',
          operationId: operationId('read', st, scope, suffix),
          action: 'get',
          description: `read ${sub} of the specified ${st.kind}`,
          params: [],
          response: subDef,
        },
        {
          method: 'put',
          operationId: operationId('replace', st, scope, suffix),
          action: 'put',
          description: `replace ${sub} of the specified ${st.kind}`,
          params: WRITE_PARAMS,
          body: subDef,
          response: subDef,
          alsoReturns: ['201'],
        },
        {
          method: 'patch',
          operationId: operationId('patch', st, scope, suffix),
          action: 'patch',
          description: `partially update ${sub} of the specified ${st.kind}`,
          params: PATCH_PARAMS,
          body: PATCH_DEFINITION,
          response: subDef,
          alsoReturns: ['201'],
          consumes: patchTypesOf(st),
        },
      ],
      subGvk,
    );
  }

  if (!verbs.has('watch')) return items;
  const watchPrefix = `${gvPrefix(st)}/watch${scoped}/${st.resource}`;
  const watch = (action: 'watch' | 'watchlist', opScope: typeof scope | 'all'): Operation => ({
    method: 'get',
    operationId: operationId('watch', st, opScope, action === 'watchlist' ? 'List' : ''),
    action,
    description:
      action === 'watch'
        ? `stream changes to one ${st.kind} (deprecated: list with watch=true and a metadata.name field selector)`
        : `stream changes to ${st.kind} objects (deprecated: list with watch=true)`,
    params: LIST_PARAMS,
    response: WATCH_EVENT_DEFINITION,
    streams: true,
  });
  push(watchPrefix, [...nsParams, PRETTY], [watch('watchlist', scope)]);
  push(`${watchPrefix}/{name}`, objectParams, [watch('watch', scope)]);
  if (st.namespaced && verbs.has('list')) {
    push(
      `${gvPrefix(st)}/${st.resource}`,
      [PRETTY],
      [
        {
          method: 'get',
          operationId: operationId('list', st, 'all'),
          action: 'list',
          description: `list or watch objects of kind ${st.kind} in every namespace`,
          params: LIST_PARAMS,
          response: listDefinition,
        },
      ],
    );
    push(`${gvPrefix(st)}/watch/${st.resource}`, [PRETTY], [watch('watchlist', 'all')]);
  }
  return items;
}
