// GET/PUT/PATCH .../pods/<name>/ephemeralcontainers (what `kubectl debug` patches): a Pod in and
// out, of which only spec.ephemeralContainers is written (the generic store narrows the write;
// the pod strategy validates it as upstream's ephemeral-containers strategy does).
import { badRequest, methodNotSupported } from '../../../api/errors.js';
import { header, readBody } from '../../http/io.js';
import { checkNamespace, decodeObject, validateFields } from '../../endpoints/decode.js';
import type { CustomHandlers } from '../../endpoints/custom.js';
import { respond, type ResourceCall } from '../../endpoints/resource-handler.js';
import { patchObject } from '../../endpoints/patch.js';

const SUBRESOURCE = 'ephemeralcontainers';

async function ephemeralContainers(call: ResourceCall): Promise<boolean> {
  const { info, store, ctx } = call;
  const name = info.name!;
  if (info.verb === 'get') {
    respond(call, 200, await store.get(info.namespace, name));
    return false;
  }
  if (info.verb === 'patch') {
    respond(call, 200, await patchObject(call, SUBRESOURCE));
    return false;
  }
  if (info.verb !== 'update') throw methodNotSupported('', `pods/${SUBRESOURCE}`, info.verb);
  const obj = decodeObject(await readBody(call.req), header(call.req, 'content-type'), store.strategy);
  checkNamespace(obj, store.strategy, info.namespace);
  if (obj.metadata.name !== name)
    throw badRequest(
      `the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${name})`,
    );
  validateFields(obj, store.strategy, ctx);
  const updated = await store.update(info.namespace, name, ctx, () => obj, { subresource: SUBRESOURCE });
  respond(call, 200, updated);
  return false;
}

export function registerEphemeralContainers(custom: CustomHandlers): void {
  custom.register('', 'pods', SUBRESOURCE, ephemeralContainers);
}
