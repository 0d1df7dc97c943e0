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
import { convertRequest, equivalentResources, type Equivalent } from './equivalent.js';
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
  return configs.flatMap((c) => {
    const hooks = Array.isArray(c.webhooks) ? (c.webhooks as Webhook[]) : [];
    for (const w of hooks) configurationOf.set(w, c.metadata.name ?? '');
    return hooks;
  });
}

/** The configuration each (cached) webhook came from, for the mutation audit annotation. */
const configurationOf = new WeakMap<Webhook, string>();

/**
 * upstream's mutation.webhook.admission.k8s.io/round_<r>_index_<i> annotation: which webhook
 * of which configuration was called in which round, and whether its patch changed the object.
 */
function annotateMutation(req: AdmissionRequest, round: number, index: number, w: Webhook, mutated: boolean) {
  const value = { configuration: configurationOf.get(w) ?? '', webhook: w.name, mutated };
  req.ctx.addAuditAnnotation?.(
    `mutation.webhook.admission.k8s.io/round_${round}_index_${index}`,
    JSON.stringify(value),
  );
}

/**
 * The request as the webhook is to see it (converted when only an equivalent version matches,
 * with matchPolicy Equivalent), or undefined when the webhook is not to be called.
 */
async function shouldCall(
  deps: AdmissionDeps,
  w: Webhook,
  req: AdmissionRequest,
): Promise<Invocation | undefined> {
  let invocation: Invocation | undefined;
  if (rulesMatch(w, req)) invocation = { req };
  else if (w.matchPolicy !== 'Exact') {
    for (const eq of await equivalentResources(deps, req)) {
      const versioned = convertRequest(req, eq);
      if (rulesMatch(w, versioned)) {
        invocation = { req: versioned, equivalent: eq };
        break;
      }
    }
  }
  if (!invocation || !objectSelectorMatches(w, req)) return undefined;
  let nsMatches: boolean;
  try {
    nsMatches = await namespaceSelectorMatches(w, req, async (ns) => {
      const obj = await getObject(deps, '', 'namespaces', '', ns);
      return obj ? ((obj.metadata.labels ?? {}) as Record<string, string>) : undefined;
    });
  } catch (err) {
    throw new StatusError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`);
  }
  if (!nsMatches || !(await matchConditionsAllow(w, invocation.req, deps.authorizer(), req)))
    return undefined;
  return invocation;
}

/** One call of a webhook: the request in the version its rules matched. */
interface Invocation {
  req: AdmissionRequest;
  /** Set when req is the client's request converted to an equivalent version. */
  equivalent?: Equivalent;
}

async function call(
  deps: AdmissionDeps,
  w: Webhook,
  inv: Invocation,
  original: AdmissionRequest,
  mutating: boolean,
): Promise<ReviewResponse> {
  const req = inv.req;
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
    answer = await postJSON(target, admissionReview(req, uid, original), caPem, timeout * 1000);
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
  inv: Invocation,
  req: AdmissionRequest,
  mutating: boolean,
): Promise<ReviewResponse | undefined> {
  if (req.dryRun && w.sideEffects !== 'None' && w.sideEffects !== 'NoneOnDryRun')
    throw new StatusError(400, 'BadRequest', `admission webhook "${w.name}" does not support dry run`);
  try {
    return await call(deps, w, inv, req, mutating);
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

/**
 * Applies a mutating webhook's JSONPatch to the object it saw (converted back to the request's
 * version for an equivalent match); true if it changed anything.
 */
function applyPatch(w: Webhook, inv: Invocation, req: AdmissionRequest, resp: ReviewResponse): boolean {
  if (!resp.patch) return false;
  let ops: unknown;
  try {
    ops = JSON.parse(Buffer.from(resp.patch, 'base64').toString('utf8'));
  } catch (err) {
    throw new StatusError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`);
  }
  if (Array.isArray(ops) && ops.length === 0) return false;
  const seen = inv.req.object;
  // a DELETE has no object to patch (upstream refuses a non-empty patch there)
  if (!seen || !req.object)
    throw new StatusError(
      500,
      'InternalError',
      `Internal error occurred: admission webhook "${w.name}" attempted to modify the object, which is not supported for this operation`,
    );
  const before = JSON.stringify(seen);
  const patched = applyJsonPatch(structuredClone(seen), ops) as KubeObject;
  if (JSON.stringify(patched) === before) return false;
  replaceInPlace(req.object, inv.equivalent ? inv.equivalent.fromVersion(patched) : patched);
  log.debug('webhook patched object', { webhook: w.name });
  return true;
}

function handleAnswer(w: Webhook, req: AdmissionRequest, resp: ReviewResponse | undefined): void {
  if (!resp) return;
  // upstream records the answer's audit annotations as "<webhook>/<key>", refused or not
  for (const [k, v] of Object.entries(resp.auditAnnotations ?? {}))
    if (typeof v === 'string') req.ctx.addAuditAnnotation?.(`${w.name}/${k}`, v);
  for (const warning of resp.warnings ?? []) if (warning) req.ctx.warnings.push(warning);
  if (!resp.allowed) throw denial(w, resp);
}

export function mutatingWebhookAdmission(deps: AdmissionDeps): AdmissionPlugin {
  return {
    name: 'MutatingAdmissionWebhook',
    admitsDelete: true,
    async admit(req) {
      if (isExemptResource(req.group, req.resource)) return;
      const hooks = await webhooksOf(deps, 'mutatingwebhookconfigurations');
      if (!hooks.length) return;
      // reinvocationPolicy IfNeeded: a webhook called before a later webhook changed the
      // object is called once more after the first round (upstream's reinvocation)
      /** Calls `w` if it matches, in `round` at `index`: undefined when skipped, else whether it patched. */
      const mutate = async (w: Webhook, round: number, index: number): Promise<boolean | undefined> => {
        const inv = await shouldCall(deps, w, req);
        if (!inv) return undefined;
        let mutated = false;
        try {
          const resp = await callWithPolicy(deps, w, inv, req, true);
          handleAnswer(w, req, resp);
          mutated = !!resp && applyPatch(w, inv, req, resp);
        } finally {
          annotateMutation(req, round, index, w, mutated);
        }
        return mutated;
      };
      const stale = new Set<Webhook>();
      const invoked: Webhook[] = [];
      for (const w of hooks) {
        const mutated = await mutate(w, 0, invoked.length);
        if (mutated === undefined) continue;
        if (mutated) for (const earlier of invoked) stale.add(earlier);
        invoked.push(w);
      }
      for (const [index, w] of invoked.entries()) {
        if (w.reinvocationPolicy === 'IfNeeded' && stale.has(w)) await mutate(w, 1, index);
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
      const matching: [Webhook, Invocation][] = [];
      for (const w of hooks) {
        const inv = await shouldCall(deps, w, req);
        if (inv) matching.push([w, inv]);
      }
      // upstream calls validating webhooks in parallel and reports the first failure in order
      const results = await Promise.allSettled(
        matching.map(([w, inv]) => callWithPolicy(deps, w, inv, req, false)),
      );
      results.forEach((r, i) => {
        if (r.status === 'rejected') throw r.reason;
        handleAnswer(matching[i]![0], req, r.value);
      });
    },
  };
}
