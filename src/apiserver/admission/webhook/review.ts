// AdmissionReview v1 (admission.k8s.io/v1): the request a webhook receives and the checks its
// answer must pass (upstream's webhook/request: CreateV1AdmissionReview, VerifyAdmissionResponse).
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import type { AdmissionRequest } from '../types.js';

export interface ReviewResponse {
  uid: string;
  allowed: boolean;
  status?: { code?: number; message?: string; reason?: string; status?: string; details?: unknown };
  patch?: string;
  patchType?: string;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

const OPTIONS_KIND = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions' } as const;

function withTypeMeta(obj: KubeObject | undefined, req: AdmissionRequest): KubeObject | null {
  if (!obj) return null;
  const apiVersion = req.group ? `${req.group}/${req.version}` : req.version;
  // subresource writes (status) carry the parent object; its kind is the request's kind
  return { ...obj, apiVersion: obj.apiVersion ?? apiVersion, kind: obj.kind ?? req.kind };
}

/**
 * The AdmissionReview of a request; `requested` is the request as the client made it when req
 * is its conversion to an equivalent version (matchPolicy Equivalent).
 */
export function admissionReview(
  req: AdmissionRequest,
  uid: string,
  requested: Pick<AdmissionRequest, 'group' | 'version' | 'resource' | 'kind'> = req,
): object {
  const resource = { group: req.group, version: req.version, resource: req.resource };
  const kind = { group: req.group, version: req.version, kind: req.kind };
  const requestResource = {
    group: requested.group,
    version: requested.version,
    resource: requested.resource,
  };
  const requestKind = { group: requested.group, version: requested.version, kind: requested.kind };
  const user: Record<string, unknown> = { username: req.user.name };
  if (req.user.uid) user.uid = req.user.uid;
  if (req.user.groups.length) user.groups = req.user.groups;
  if (req.user.extra && Object.keys(req.user.extra).length) user.extra = req.user.extra;
  const r: Record<string, unknown> = {
    uid,
    kind,
    resource,
    requestKind,
    requestResource,
  };
  if (req.subresource) {
    r.subResource = req.subresource;
    r.requestSubResource = req.subresource;
  }
  if (req.name) r.name = req.name;
  if (req.namespace) r.namespace = req.namespace;
  r.operation = req.operation;
  r.userInfo = user;
  r.object = withTypeMeta(req.object, req);
  r.oldObject = withTypeMeta(req.oldObject, req);
  r.dryRun = req.dryRun;
  const optionsKind = OPTIONS_KIND[req.operation as keyof typeof OPTIONS_KIND];
  if (optionsKind) {
    const opts: Record<string, unknown> = { kind: optionsKind, apiVersion: 'meta.k8s.io/v1' };
    if (req.operation !== 'DELETE' && req.ctx.fieldManager) opts.fieldManager = req.ctx.fieldManager;
    if (req.dryRun) opts.dryRun = ['All'];
    r.options = opts;
  }
  return { kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1', request: r };
}

/** The review's response, or throws with upstream's "received invalid webhook response" reasons. */
export function verifyResponse(answer: unknown, uid: string, mutating: boolean): ReviewResponse {
  if (!isRecord(answer) || answer.apiVersion !== 'admission.k8s.io/v1' || answer.kind !== 'AdmissionReview') {
    const gvk = isRecord(answer)
      ? `${String(answer.apiVersion ?? '')}, Kind=${String(answer.kind ?? '')}`
      : '/, Kind=';
    throw new Error(`expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${gvk}`);
  }
  const resp = answer.response;
  if (!isRecord(resp)) throw new Error('webhook response was absent');
  if (resp.uid !== uid) throw new Error(`expected response.uid="${uid}", got "${String(resp.uid ?? '')}"`);
  const patch = resp.patch;
  const patchType = resp.patchType;
  if (!mutating && (patch !== undefined || patchType !== undefined))
    throw new Error('validating webhook may not return response.patch or response.patchType');
  if (patch !== undefined && patchType === undefined)
    throw new Error('webhook returned response.patch but not response.patchType');
  if (patchType !== undefined && patch === undefined)
    throw new Error('webhook returned response.patchType but not response.patch');
  if (patchType !== undefined && patchType !== 'JSONPatch')
    throw new Error(`webhook returned invalid response.patchType of "${String(patchType)}"`);
  return resp as unknown as ReviewResponse;
}
