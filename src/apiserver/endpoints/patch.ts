// PATCH: JSON patch, merge patch, strategic merge patch and server-side apply, on the main
// resource or its status subresource. Non-apply patches retry on a concurrent write, as
// upstream's GuaranteedUpdate does, unless the patch pins a resourceVersion.
import { badRequest, invalid, unsupportedMediaType } from '../../api/errors.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import { definitions } from '../../api/schema/index.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../../api/patch/index.js';
import { header, readBody } from '../http/io.js';
import { bodyTypeOf } from '../http/negotiate.js';
import { isTrue } from '../http/request-info.js';
import { applyServerSide } from './managed.js';
import { checkKind, checkNamespace, parseDocument, validateFields } from './decode.js';
import type { ResourceCall } from './resource-handler.js';
import type { WriteSubresource } from '../registry/strategy.js';

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

export async function patchObject(
  call: ResourceCall,
  target: 'main' | WriteSubresource,
): Promise<KubeObject> {
  const { store, info, ctx, query } = call;
  const st = store.strategy;
  const kind = bodyTypeOf(header(call.req, 'content-type'));
  if (
    kind !== 'json-patch' &&
    kind !== 'merge-patch' &&
    kind !== 'strategic-merge-patch' &&
    kind !== 'apply-patch'
  ) {
    throw unsupportedMediaType(PATCH_TYPES);
  }
  if (kind === 'strategic-merge-patch' && st.noStrategicMerge)
    throw unsupportedMediaType(PATCH_TYPES.filter((t) => !t.startsWith('application/strategic')));
  const raw = await readBody(call.req);
  const patch = parseDocument(raw, kind === 'apply-patch');
  const subresource = target === 'main' ? undefined : target;

  if (kind === 'apply-patch') {
    if (!query.get('fieldManager')) {
      throw invalid('meta.k8s.io', 'PatchOptions', '', [
        {
          type: 'FieldValueRequired',
          field: 'fieldManager',
          message: 'Required value: is required for apply patch',
          text: 'fieldManager: Required value: is required for apply patch',
        },
      ]);
    }
    if (!isRecord(patch)) throw badRequest('error decoding YAML: the apply configuration must be an object');
    const applied = checkKind(patch, st);
    checkNamespace(applied, st, info.namespace);
    if (applied.metadata.name !== undefined && applied.metadata.name !== info.name) {
      throw badRequest(
        `the name of the object (${applied.metadata.name}) does not match the name on the URL (${info.name})`,
      );
    }
    applied.metadata.name = info.name;
    validateFields(applied, st, ctx);
    return applyServerSide(call, applied, isTrue(query.get('force')), subresource);
  }

  if (kind === 'json-patch' ? !Array.isArray(patch) : !isRecord(patch)) {
    throw badRequest(
      kind === 'json-patch'
        ? `json: cannot unmarshal ${typeof patch} into Go value of type jsonpatch.Patch`
        : `json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`,
    );
  }
  const pinned =
    isRecord(patch) && isRecord(patch.metadata) && typeof patch.metadata.resourceVersion === 'string';
  return store.update(
    info.namespace,
    info.name!,
    ctx,
    (current) => {
      let doc: unknown;
      if (kind === 'json-patch') doc = applyJsonPatch(current, patch);
      else if (kind === 'merge-patch') doc = applyMergePatch(current, patch);
      else doc = applyStrategicMergePatch(current, patch, st.definition, definitions);
      if (!isRecord(doc)) throw badRequest('the patch produced something that is not an object');
      const next = checkKind(doc, st);
      checkNamespace(next, st, info.namespace);
      validateFields(next, st, ctx);
      return next;
    },
    { subresource, retry: !pinned },
  );
}
