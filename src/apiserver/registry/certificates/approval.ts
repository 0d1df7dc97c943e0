// GET/PUT/PATCH .../certificatesigningrequests/<name>/approval (what `kubectl certificate approve|deny`
// calls): an update that changes status.conditions only; the strategy's approval rules apply
// (Approved and Denied mutually exclusive, no removal, True status only).
import { badRequest, methodNotSupported } from '../../../api/errors.js';
import { header, readBody } from '../../http/io.js';
import { decodeObject, validateFields } from '../../endpoints/decode.js';
import type { CustomHandlers } from '../../endpoints/custom.js';
import { respond, type ResourceCall } from '../../endpoints/resource-handler.js';
import { patchObject } from '../../endpoints/patch.js';

const GROUP = 'certificates.k8s.io';
const RESOURCE = 'certificatesigningrequests';

async function approval(call: ResourceCall): Promise<boolean> {
  const { info, store, ctx } = call;
  const name = info.name!;
  if (info.verb === 'get') {
    respond(call, 200, await store.get(undefined, name));
    return false;
  }
  if (info.verb === 'patch') {
    respond(call, 200, await patchObject(call, 'approval'));
    return false;
  }
  if (info.verb !== 'update') throw methodNotSupported(GROUP, `${RESOURCE}/approval`, info.verb);
  const obj = decodeObject(await readBody(call.req), header(call.req, 'content-type'), store.strategy);
  if (obj.metadata.name !== name)
    throw badRequest(
      `the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${name})`,
    );
  validateFields(obj, store.strategy, ctx);
  respond(call, 200, await store.update(undefined, name, ctx, () => obj, { subresource: 'approval' }));
  return false;
}

export function registerCSRApproval(custom: CustomHandlers): void {
  custom.register(GROUP, RESOURCE, 'approval', approval);
}
