// HTTP verbs on a resource collection or object, dispatched to the generic store.
import { badRequest, methodNotSupported, notFoundPath, StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { isRecord } from '../../api/types.js';
import { header, readBody, send, baseHeaders, type Req, type Res } from '../http/io.js';
import { bodyTypeOf, negotiateOutput } from '../http/negotiate.js';
import { decodeProtobufDeleteOptions } from './protobuf-decode.js';
import { isTrue, type ResourceRequest } from '../http/request-info.js';
import type { RequestContext } from './context.js';
import { checkNamespace, decodeObject, parseDocument, validateFields } from './decode.js';
import { patchObject } from './patch.js';
import { contentTypeOf, renderList, renderObject } from './render.js';
import { selectionFor } from './selection.js';
import { getScale, updateScale } from './scale.js';
import type { DeleteOptions, ResourceStore } from './store.js';
import { serveWatch } from './watch.js';
import type { CustomHandlers } from './custom.js';

export interface ResourceCall {
  req: Req;
  res: Res;
  info: ResourceRequest;
  query: URLSearchParams;
  store: ResourceStore;
  ctx: RequestContext;
  /** Called when a long-running response (watch) ends. */
  onStreamEnd: () => void;
  /** Handlers registered for non-stored resources and special subresources. */
  custom?: CustomHandlers;
  /** The store of another resource (preferred version), e.g. pods for a binding. */
  lookup: (group: string, resource: string) => ResourceStore | undefined;
}

export { respond };

function parseRV(v: string | null): number {
  if (v === null || v === '' || v === '0') return 0;
  if (!/^\d+$/.test(v)) throw badRequest(`invalid resource version: ${v}`);
  return Number(v);
}

function respond(call: ResourceCall, status: number, obj: KubeObject): void {
  const choice = negotiateOutput(header(call.req, 'accept'), false);
  const body = renderObject(call.store, obj, choice, call.query);
  const headers: Record<string, string | string[]> = baseHeaders(contentTypeOf(choice));
  if (call.ctx.warnings.length)
    headers['Warning'] = call.ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  send(call.res, status, body, headers);
}

/** Returns true when the response is a stream that stays open (watch). */
export async function handleResource(call: ResourceCall): Promise<boolean> {
  const { info, store } = call;
  const st = store.strategy;
  const verbs = st.verbs ?? [
    'create',
    'delete',
    'deletecollection',
    'get',
    'list',
    'patch',
    'update',
    'watch',
  ];
  if (info.subresource) return handleSubresource(call);
  const custom = call.custom?.get(st.group, st.resource);
  if (custom) return custom(call);
  const verb = info.verb === 'connect' ? undefined : info.verb;
  if (!verb || !verbs.includes(verb as (typeof verbs)[number])) {
    throw methodNotSupported(st.group, st.resource, verbLabel(info.verb));
  }
  switch (verb) {
    case 'get':
      respond(call, 200, await store.get(info.namespace, info.name!));
      return false;
    case 'list':
      await list(call);
      return false;
    case 'watch':
      watch(call);
      return true;
    case 'create':
      await create(call);
      return false;
    case 'update':
      await update(call);
      return false;
    case 'patch':
      respond(call, 200, await patchObject(call, 'main'));
      return false;
    case 'delete':
      await remove(call);
      return false;
    case 'deletecollection':
      await deleteCollection(call);
      return false;
  }
  return false;
}

function verbLabel(v: string): string {
  return v === 'update' ? 'update' : v;
}

async function list(call: ResourceCall): Promise<void> {
  const { store, query, info } = call;
  const choice = negotiateOutput(header(call.req, 'accept'), true);
  const selection = selectionFor(store.strategy, store.prefix, info.namespace, query, (o) => store.view(o));
  const limit = query.get('limit');
  const rv = query.get('resourceVersion');
  if (rv !== null && rv !== '') parseRV(rv);
  const opts: Parameters<typeof store.cache.list>[0] = { ...selection };
  if (rv !== null) opts.resourceVersion = rv;
  const match = query.get('resourceVersionMatch');
  if (match === 'Exact' || match === 'NotOlderThan') opts.resourceVersionMatch = match;
  else if (match)
    throw badRequest(
      `resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`,
    );
  if (limit && Number(limit) > 0) opts.limit = Number(limit);
  const cont = query.get('continue');
  if (cont) opts.continueToken = cont;
  const result = await store.cache.list(opts);
  const meta: { resourceVersion: string; continue?: string; remainingItemCount?: number } = {
    resourceVersion: String(result.revision),
  };
  if (result.continueToken) meta.continue = result.continueToken;
  if (result.remainingItemCount !== undefined) meta.remainingItemCount = result.remainingItemCount;
  send(
    call.res,
    200,
    renderList(store, result.items, meta, choice, query),
    baseHeaders(contentTypeOf(choice)),
  );
}

function watch(call: ResourceCall): void {
  const { store, query, info } = call;
  const choice = negotiateOutput(header(call.req, 'accept'), false);
  const selection = selectionFor(store.strategy, store.prefix, info.namespace, query, (o) => store.view(o));
  if (info.name) {
    const byName = selection.matches;
    const name = info.name;
    selection.matches = (o) => o.metadata.name === name && (!byName || byName(o));
  }
  const timeout = query.get('timeoutSeconds');
  serveWatch(
    call.res,
    store,
    {
      fromRevision: parseRV(query.get('resourceVersion')),
      selection,
      choice,
      bookmarks: isTrue(query.get('allowWatchBookmarks')),
      timeoutSeconds: timeout !== null && /^\d+$/.test(timeout) ? Number(timeout) : undefined,
      includeObject: query.get('includeObject'),
    },
    call.onStreamEnd,
  );
}

async function create(call: ResourceCall): Promise<void> {
  const { store, info, ctx } = call;
  const obj = decodeObject(await readBody(call.req), header(call.req, 'content-type'), store.strategy);
  checkNamespace(obj, store.strategy, info.namespace);
  validateFields(obj, store.strategy, ctx);
  respond(call, 201, await store.create(obj, ctx));
}

async function update(call: ResourceCall): Promise<void> {
  const { store, info, ctx } = call;
  const obj = decodeObject(await readBody(call.req), header(call.req, 'content-type'), store.strategy);
  checkNamespace(obj, store.strategy, info.namespace);
  if (obj.metadata.name !== info.name) {
    throw badRequest(
      `the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${info.name})`,
    );
  }
  validateFields(obj, store.strategy, ctx);
  const subresource = info.subresource === 'status' ? 'status' : undefined;
  respond(call, 200, await store.update(info.namespace, info.name!, ctx, () => obj, { subresource }));
}

async function deleteOptions(call: ResourceCall): Promise<DeleteOptions> {
  const opts: DeleteOptions = {};
  const raw = await readBody(call.req);
  if (raw.length > 0) {
    const body =
      bodyTypeOf(header(call.req, 'content-type')) === 'protobuf'
        ? decodeProtobufDeleteOptions(raw)
        : parseDocument(raw, false);
    if (!isRecord(body)) throw badRequest('DeleteOptions must be an object');
    if (typeof body.gracePeriodSeconds === 'number') opts.gracePeriodSeconds = body.gracePeriodSeconds;
    if (typeof body.propagationPolicy === 'string')
      opts.propagationPolicy = body.propagationPolicy as DeleteOptions['propagationPolicy'];
    if (body.orphanDependents === true) opts.propagationPolicy = 'Orphan';
    if (isRecord(body.preconditions)) {
      const p = body.preconditions;
      opts.preconditions = {};
      if (typeof p.uid === 'string') opts.preconditions.uid = p.uid;
      if (typeof p.resourceVersion === 'string') opts.preconditions.resourceVersion = p.resourceVersion;
    }
  }
  const gp = call.query.get('gracePeriodSeconds');
  if (gp !== null) {
    if (!/^-?\d+$/.test(gp)) throw badRequest(`invalid gracePeriodSeconds: ${gp}`);
    opts.gracePeriodSeconds = Number(gp);
  }
  const pp = call.query.get('propagationPolicy');
  if (pp) opts.propagationPolicy = pp as DeleteOptions['propagationPolicy'];
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw badRequest(
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"`,
    );
  }
  if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 0;
  return opts;
}

async function remove(call: ResourceCall): Promise<void> {
  const { store, info, ctx } = call;
  const opts = await deleteOptions(call);
  const { object, deleted } = await store.delete(info.namespace, info.name!, ctx, opts);
  if (deleted && !store.strategy.returnDeletedObject) {
    const st = store.strategy;
    const details: Record<string, string> = { name: object.metadata.name ?? '' };
    if (st.group) details.group = st.group;
    details.kind = st.resource;
    if (object.metadata.uid) details.uid = object.metadata.uid;
    const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
    send(call.res, 200, JSON.stringify(status), baseHeaders());
    return;
  }
  respond(call, 200, object);
}

async function deleteCollection(call: ResourceCall): Promise<void> {
  const { store, info, ctx, query } = call;
  const opts = await deleteOptions(call);
  const selection = selectionFor(store.strategy, store.prefix, info.namespace, query, (o) => store.view(o));
  const { items, revision } = await store.cache.list({ ...selection, resourceVersion: '' });
  const out: KubeObject[] = [];
  for (const item of items) {
    try {
      const r = await store.delete(item.obj.metadata.namespace, item.obj.metadata.name!, ctx, opts);
      out.push(r.object);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }
  const st = store.strategy;
  const body = {
    kind: `${st.kind}List`,
    apiVersion: store.apiVersion,
    metadata: { resourceVersion: String(revision) },
    items: out,
  };
  send(call.res, 200, JSON.stringify(body), baseHeaders());
}

async function handleSubresource(call: ResourceCall): Promise<boolean> {
  const { info, store, ctx } = call;
  const st = store.strategy;
  const sub = info.subresource!;
  const custom = call.custom?.get(st.group, st.resource, sub);
  if (custom) return custom(call);
  if (sub === 'status' && st.status) {
    if (info.verb === 'get') respond(call, 200, await store.get(info.namespace, info.name!));
    else if (info.verb === 'update') await update(call);
    else if (info.verb === 'patch') respond(call, 200, await patchObject(call, 'status'));
    else throw methodNotSupported(st.group, `${st.resource}/status`, info.verb);
    return false;
  }
  if (sub === 'scale' && st.scale) {
    if (info.verb === 'get') respond(call, 200, await getScale(store, info.namespace, info.name!));
    else if (info.verb === 'update' || info.verb === 'patch')
      respond(call, 200, await updateScale(call, ctx));
    else throw methodNotSupported(st.group, `${st.resource}/scale`, info.verb);
    return false;
  }
  if (sub === 'finalize' && st.resource === 'namespaces' && info.verb === 'update') {
    await update({ ...call, info: { ...info, subresource: undefined } });
    return false;
  }
  throw notFoundPath();
}
