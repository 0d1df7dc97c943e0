// pods/binding (core/v1 Binding): how the scheduler places a pod. As upstream's BindingREST:
// the Binding names the pod (metadata.name, optional uid/resourceVersion preconditions) and
// the node (target); the pod gets spec.nodeName once, the Binding's annotations, and the
// PodScheduled=True condition. Answers a Status Success with code 201.
import { badRequest, conflict, methodNotSupported, StatusError } from '../../api/errors.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import { baseHeaders, header, readBody, send } from '../http/io.js';
import { bodyTypeOf } from '../http/negotiate.js';
import type { CustomHandlers } from './custom.js';
import { parseDocument } from './decode.js';
import { timestamp } from './meta.js';
import type { ResourceCall } from './resource-handler.js';

type Obj = Record<string, unknown>;

export interface BindingRequest {
  name: string;
  uid?: string;
  resourceVersion?: string;
  annotations: Record<string, string>;
  target: { kind: string; name: string };
}

/** Reads a Binding body; kind and apiVersion are checked as the decoder does. */
export function parseBinding(doc: unknown): BindingRequest {
  if (!isRecord(doc)) throw badRequest("couldn't get version/kind; json parse error: expected an object");
  if (doc.kind !== undefined && doc.kind !== '' && doc.kind !== 'Binding')
    throw badRequest(`the kind in the data (${String(doc.kind)}) does not match the expected kind (Binding)`);
  if (doc.apiVersion !== undefined && doc.apiVersion !== '' && doc.apiVersion !== 'v1')
    throw badRequest(
      `the API version in the data (${String(doc.apiVersion)}) does not match the expected API version (v1)`,
    );
  const meta: Obj = isRecord(doc.metadata) ? doc.metadata : {};
  const target: Obj = isRecord(doc.target) ? doc.target : {};
  const annotations: Record<string, string> = {};
  if (isRecord(meta.annotations))
    for (const [k, v] of Object.entries(meta.annotations)) if (typeof v === 'string') annotations[k] = v;
  const out: BindingRequest = {
    name: typeof meta.name === 'string' ? meta.name : '',
    annotations,
    target: {
      kind: typeof target.kind === 'string' ? target.kind : '',
      name: typeof target.name === 'string' ? target.name : '',
    },
  };
  if (typeof meta.uid === 'string' && meta.uid) out.uid = meta.uid;
  if (typeof meta.resourceVersion === 'string' && meta.resourceVersion)
    out.resourceVersion = meta.resourceVersion;
  return out;
}

/** upstream's ValidatePodBinding, as its aggregate error text */
export function validateBinding(b: BindingRequest): string[] {
  const errs: string[] = [];
  if (b.target.kind !== '' && b.target.kind !== 'Node')
    errs.push(`target.kind: Unsupported value: "${b.target.kind}": supported values: "Node", "<empty>"`);
  if (b.target.name === '') errs.push('target.name: Required value');
  return errs;
}

/** The pod as the binding leaves it, or the Conflict upstream answers. */
export function bindPod(pod: KubeObject, b: BindingRequest, now: Date): KubeObject {
  const name = pod.metadata.name ?? '';
  const refuse = (why: string) => conflict('', 'pods/binding', name, why);
  if (b.uid && b.uid !== pod.metadata.uid)
    throw conflict(
      '',
      'pods',
      name,
      `Precondition failed: UID in precondition: ${b.uid}, UID in object meta: ${pod.metadata.uid ?? ''}`,
    );
  if (b.resourceVersion && b.resourceVersion !== pod.metadata.resourceVersion)
    throw conflict(
      '',
      'pods',
      name,
      `Precondition failed: ResourceVersion in precondition: ${b.resourceVersion}, ResourceVersion in object meta: ${pod.metadata.resourceVersion ?? ''}`,
    );
  if (pod.metadata.deletionTimestamp)
    throw refuse(`pod ${name} is being deleted, cannot be assigned to a host`);
  const spec: Obj = isRecord(pod.spec) ? pod.spec : (pod.spec = {});
  if (typeof spec.nodeName === 'string' && spec.nodeName !== '')
    throw refuse(`pod ${name} is already assigned to node "${spec.nodeName}"`);
  spec.nodeName = b.target.name;
  if (Object.keys(b.annotations).length)
    pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...b.annotations };
  const status: Obj = isRecord(pod.status) ? pod.status : (pod.status = {});
  const conditions = Array.isArray(status.conditions) ? (status.conditions as Obj[]) : [];
  const scheduled: Obj = { type: 'PodScheduled', status: 'True', lastProbeTime: null };
  const i = conditions.findIndex((c) => c.type === 'PodScheduled');
  // upstream's UpdatePodCondition: the transition time moves only when the status changes
  if (i >= 0) {
    const old = conditions[i];
    scheduled.lastTransitionTime = old.status === 'True' ? (old.lastTransitionTime ?? null) : timestamp(now);
    conditions[i] = scheduled;
  } else {
    scheduled.lastTransitionTime = timestamp(now);
    conditions.push(scheduled);
  }
  status.conditions = conditions;
  return pod;
}

async function handleBinding(call: ResourceCall): Promise<boolean> {
  const { info, store, ctx } = call;
  if (info.verb !== 'create') throw methodNotSupported('', 'pods/binding', info.verb);
  const bt = bodyTypeOf(header(call.req, 'content-type'));
  const b = parseBinding(parseDocument(await readBody(call.req), bt === 'yaml'));
  if (b.name !== info.name) throw badRequest('name in URL does not match name in Binding object');
  const errs = validateBinding(b);
  if (errs.length)
    // upstream returns the aggregate as a plain error, which the server answers as a 500
    throw new StatusError(500, 'InternalError', errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
  const now = new Date();
  if (ctx.dryRun) bindPod(await store.get(info.namespace, info.name), b, now);
  else
    await store.update(info.namespace, info.name, ctx, (pod) => bindPod(pod, b, now), {
      raw: true,
      retry: true,
    });
  const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  send(call.res, 201, JSON.stringify(status), baseHeaders());
  return false;
}

export function registerBinding(custom: CustomHandlers): void {
  custom.register('', 'pods', 'binding', handleBinding);
}
