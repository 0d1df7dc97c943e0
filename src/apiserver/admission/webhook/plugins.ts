// The MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins (upstream's
// admission/plugin/webhook/{mutating,validating}): each write a webhook configuration's rules
// and selectors match is sent to that webhook as an AdmissionReview; its answer may refuse the
// write, add warnings and (mutating) patch the object. Configurations are read from the watch
// cache on every request, so a new webhook takes effect as soon as it is stored.
import { randomUUID } from 'node:crypto';
import { StatusError, type StatusReason } from '../../../api/errors.js';
import { applyJsonPatch } from '../../../api/patch/index.js';
import { groupResource, type KubeObject } from '../../../api/types.js';
import { logger } from '../../../util/log.js';
import { getObject, listObjects } from '../lookup.js';
import type { AdmissionDeps, AdmissionPlugin, AdmissionRequest } from '../types.js';
import { postJSON } from './call.js';
import { isExemptResource, namespaceSelectorMatches, objectSelectorMatches, rulesMatch } from './matching.js';
import { matchConditionsAllow } from './match-conditions.js';
import { resolveTarget } from './resolve.js';
import { admissionReview, verifyResponse, type ReviewResponse } from './review.js';
import type { Webhook } from './types.js';

const log = logger('admission-webhook');
const GROUP = 'admissionregistration.k8s.io';

/** A failure to reach or understand a webhook (upstream's ErrCallingWebhook). */
class CallingWebhookError extends Error {
  constructor(webhook: string, reason: string) {
    super(`failed calling webhook "${webhook}": ${reason}`);
  }
}

/** Every webhook of every configuration, configurations sorted by name as upstream orders them. */
async function webhooksOf(deps: AdmissionDeps, resource: string): Promise<Webhook[]> {
  const configs = await listObjects(deps, GROUP, resource);
  configs.sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
  return configs.flatMap((c) => (Array.isArray(c.webhooks) ? (c.webhooks as Webhook[]) : []));
}

async function shouldCall(deps: AdmissionDeps, w: Webhook, req: AdmissionRequest): Promise<boolean> {
  if (!rulesMatch(w, req) || !objectSelectorMatches(w, req)) return false;
  let nsMatches: boolean;
  try {
    nsMatches = await namespaceSelectorMatches(w, req, async (ns) => {
      const obj = await getObject(deps, '', 'namespaces', '', ns);
      return obj ? ((obj.metadata.labels ?? {}) as Record<string, string>) : undefined;
    });
  } catch (err) {
    throw new StatusError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`);
  }
  return nsMatches && matchConditionsAllow(w, req);
}

async function call(
  deps: AdmissionDeps,
  w: Webhook,
  req: AdmissionRequest,
  mutating: boolean,
): Promise<ReviewResponse> {
  const uid = randomUUID();
  const timeout = w.timeoutSeconds ?? 10;
  const caPem = w.clientConfig.caBundle
    ? Buffer.from(w.clientConfig.caBundle, 'base64').toString('utf8')
    : undefined;
  let answer: unknown;
  try {
    const target = await resolveTarget(w.clientConfig, timeout, (resource, ns, name) =>
      getObject(deps, '', resource, ns, name),
    );
    answer = await postJSON(target, admissionReview(req, uid), caPem, timeout * 1000);
  } catch (err) {
    throw new CallingWebhookError(w.name, `failed to call webhook: ${(err as Error).message}`);
  }
  try {
    return verifyResponse(answer, uid, mutating);
  } catch (err) {
    throw new CallingWebhookError(w.name, `received invalid webhook response: ${(err as Error).message}`);
  }
}

/** A refusal as upstream's webhookerrors.ToStatusErr words it. */
function denial(w: Webhook, resp: ReviewResponse): StatusError {
  const s = resp.status ?? {};
  const deniedBy = `admission webhook "${w.name}" denied the request`;
  const message = s.message
    ? `${deniedBy}: ${s.message}`
    : s.reason
      ? `${deniedBy}: ${s.reason}`
      : `${deniedBy} without explanation`;
  const code = typeof s.code === 'number' && s.code >= 400 ? s.code : 400;
  return new StatusError(code, (s.reason ?? '') as StatusReason, message);
}

/** Calls one webhook under its failurePolicy: undefined when a failure is ignored. */
async function callWithPolicy(
  deps: AdmissionDeps,
  w: Webhook,
  req: AdmissionRequest,
  mutating: boolean,
): Promise<ReviewResponse | undefined> {
  if (req.dryRun && w.sideEffects !== 'None' && w.sideEffects !== 'NoneOnDryRun')
    throw new StatusError(400, 'BadRequest', `admission webhook "${w.name}" does not support dry run`);
  try {
    return await call(deps, w, req, mutating);
  } catch (err) {
    if (!(err instanceof CallingWebhookError)) throw err;
    if (w.failurePolicy === 'Ignore') {
      log.warn('failed calling webhook, failing open', {
        webhook: w.name,
        resource: groupResource(req.group, req.resource),
        error: err.message,
      });
      return undefined;
    }
    throw new StatusError(500, 'InternalError', `Internal error occurred: ${err.message}`, {
      causes: [{ message: err.message }],
    });
  }
}

function replaceInPlace(target: KubeObject, next: KubeObject): void {
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, next);
}

/** Applies a mutating webhook's JSONPatch to the request's object; true if it changed anything. */
function applyPatch(w: Webhook, req: AdmissionRequest, resp: ReviewResponse): boolean {
  if (!resp.patch || !req.object) return false;
  let ops: unknown;
  try {
    ops = JSON.parse(Buffer.from(resp.patch, 'base64').toString('utf8'));
  } catch (err) {
    throw new StatusError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`);
  }
  const before = JSON.stringify(req.object);
  const next = applyJsonPatch(structuredClone(req.object), ops) as KubeObject;
  const after = JSON.stringify(next);
  if (after === before) return false;
  replaceInPlace(req.object, next);
  log.debug('webhook patched object', { webhook: w.name });
  return true;
}

function handleAnswer(w: Webhook, req: AdmissionRequest, resp: ReviewResponse | undefined): void {
  if (!resp) return;
  for (const warning of resp.warnings ?? []) if (warning) req.ctx.warnings.push(warning);
  if (!resp.allowed) throw denial(w, resp);
}

export function mutatingWebhookAdmission(deps: AdmissionDeps): AdmissionPlugin {
  return {
    name: 'MutatingAdmissionWebhook',
    async admit(req) {
      if (isExemptResource(req.group, req.resource)) return;
      const hooks = await webhooksOf(deps, 'mutatingwebhookconfigurations');
      if (!hooks.length) return;
      // reinvocationPolicy IfNeeded: a webhook called before a later webhook changed the
      // object is called once more after the first round (upstream's reinvocation)
      const stale = new Set<Webhook>();
      const invoked: Webhook[] = [];
      for (const w of hooks) {
        if (!(await shouldCall(deps, w, req))) continue;
        const resp = await callWithPolicy(deps, w, req, true);
        handleAnswer(w, req, resp);
        if (resp && applyPatch(w, req, resp)) for (const earlier of invoked) stale.add(earlier);
        invoked.push(w);
      }
      for (const w of invoked) {
        if (w.reinvocationPolicy !== 'IfNeeded' || !stale.has(w)) continue;
        if (!(await shouldCall(deps, w, req))) continue;
        const resp = await callWithPolicy(deps, w, req, true);
        handleAnswer(w, req, resp);
        if (resp) applyPatch(w, req, resp);
      }
    },
  };
}

export function validatingWebhookAdmission(deps: AdmissionDeps): AdmissionPlugin {
  return {
    name: 'ValidatingAdmissionWebhook',
    async validate(req) {
      if (isExemptResource(req.group, req.resource)) return;
      const hooks = await webhooksOf(deps, 'validatingwebhookconfigurations');
      if (!hooks.length) return;
      const matching: Webhook[] = [];
      for (const w of hooks) if (await shouldCall(deps, w, req)) matching.push(w);
      // upstream calls validating webhooks in parallel and reports the first failure in order
      const results = await Promise.allSettled(matching.map((w) => callWithPolicy(deps, w, req, false)));
      results.forEach((r, i) => {
        if (r.status === 'rejected') throw r.reason;
        handleAnswer(matching[i]!, req, r.value);
      });
    },
  };
}
