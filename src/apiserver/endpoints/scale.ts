// The scale subresource: an autoscaling/v1 Scale view of spec.replicas / status.replicas.
import { badRequest, conflict, OBJECT_MODIFIED } from '../../api/errors.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import { definitions } from '../../api/schema/index.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../../api/patch/index.js';
import { header, readBody } from '../http/io.js';
import { bodyTypeOf } from '../http/negotiate.js';
import type { RequestContext } from './context.js';
import { parseDocument } from './decode.js';
import type { ResourceCall } from './resource-handler.js';
import type { ResourceStore } from './store.js';

const SCALE_DEFINITION = 'io.k8s.api.autoscaling.v1.Scale';

function at(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split('.').filter(Boolean)) {
    if (!isRecord(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function setAt(obj: KubeObject, path: string, value: unknown): void {
  const parts = path.split('.').filter(Boolean);
  let cur: Record<string, unknown> = obj;
  for (const part of parts.slice(0, -1)) {
    if (!isRecord(cur[part])) cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

export function scaleOf(store: ResourceStore, obj: KubeObject): KubeObject {
  const spec = store.strategy.scale!;
  const m = obj.metadata;
  const metadata: KubeObject['metadata'] = {
    name: m.name,
    namespace: m.namespace,
    uid: m.uid,
    resourceVersion: m.resourceVersion,
    creationTimestamp: m.creationTimestamp,
  };
  if (!store.strategy.namespaced) delete metadata.namespace;
  const status: Record<string, unknown> = { replicas: Number(at(obj, spec.statusReplicasPath) ?? 0) };
  const selector = spec.selector?.(obj);
  if (selector) status.selector = selector;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata,
    spec: { replicas: Number(at(obj, spec.specReplicasPath) ?? 0) },
    status,
  };
}

export async function getScale(
  store: ResourceStore,
  namespace: string | undefined,
  name: string,
): Promise<KubeObject> {
  return scaleOf(store, await store.get(namespace, name));
}

/** PUT or PATCH of a Scale: the new replicas are written into the parent object. */
export async function updateScale(call: ResourceCall, ctx: RequestContext): Promise<KubeObject> {
  const { store, info } = call;
  const spec = store.strategy.scale!;
  const raw = await readBody(call.req);
  const kind = bodyTypeOf(header(call.req, 'content-type'));
  const body = parseDocument(raw, kind === 'yaml');
  const updated = await store.update(
    info.namespace,
    info.name!,
    ctx,
    (current) => {
      const scale = scaleOf(store, current);
      let next: unknown;
      if (info.verb === 'update') next = body;
      else if (kind === 'json-patch') next = applyJsonPatch(scale, body);
      else if (kind === 'merge-patch') next = applyMergePatch(scale, body);
      else next = applyStrategicMergePatch(scale, body, SCALE_DEFINITION, definitions);
      if (!isRecord(next) || !isRecord(next.metadata)) throw badRequest('the body must be a Scale object');
      const wantRV = next.metadata.resourceVersion;
      if (typeof wantRV === 'string' && wantRV !== '' && wantRV !== current.metadata.resourceVersion) {
        throw conflict(store.strategy.group, store.strategy.resource, info.name!, OBJECT_MODIFIED);
      }
      const replicas = isRecord(next.spec) ? next.spec.replicas : undefined;
      const out = { ...current, metadata: { ...current.metadata } };
      delete out.metadata.resourceVersion;
      setAt(out, spec.specReplicasPath, typeof replicas === 'number' ? replicas : 0);
      return out;
    },
    { retry: info.verb === 'patch' },
  );
  return scaleOf(store, updated);
}
