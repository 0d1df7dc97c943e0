// managedFields on every write, and the server-side apply verb.
import { StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { definitions } from '../../api/schema/index.js';
import { serverSideApply, updateManagedFields } from '../../api/managed/index.js';
import type { RequestContext } from './context.js';
import { timestamp } from './meta.js';
import type { ResourceCall } from './resource-handler.js';
import type { WriteSubresource } from '../registry/strategy.js';

/** Records the request's manager as owner of what it changed (operation Update). */
export function recordManagedFields(
  old: KubeObject | undefined,
  next: KubeObject,
  ctx: RequestContext,
  target: { apiVersion: string; definitionName: string; subresource?: string },
  now: Date,
): void {
  const { managedFields: _drop, ...meta } = next.metadata;
  const entries = updateManagedFields(
    old,
    { ...next, metadata: meta },
    {
      manager: ctx.fieldManager,
      time: timestamp(now),
      definitions,
      ...target,
    },
  );
  if (entries.length) next.metadata.managedFields = entries;
  else delete next.metadata.managedFields;
}

/** PATCH with application/apply-patch+yaml: create or merge, with ownership and conflicts. */
export async function applyServerSide(
  call: ResourceCall,
  applied: KubeObject,
  force: boolean,
  subresource: WriteSubresource | undefined,
): Promise<KubeObject> {
  const { store, info, ctx } = call;
  const opts = {
    manager: ctx.fieldManager,
    apiVersion: store.apiVersion,
    time: timestamp(new Date()),
    definitionName: store.strategy.definition,
    definitions,
  };
  if (subresource) Object.assign(opts, { subresource });
  try {
    return await store.update(
      info.namespace,
      info.name!,
      ctx,
      (live) => serverSideApply(live, applied, force, opts),
      {
        subresource,
        retry: true,
        keepManagedFields: true,
      },
    );
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 404 && err.reason === 'NotFound' && !subresource))
      throw err;
  }
  const created = serverSideApply(undefined, applied, force, opts);
  return store.create(created, ctx, { keepManagedFields: true });
}
