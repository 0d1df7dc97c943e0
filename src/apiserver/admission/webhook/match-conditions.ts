// A webhook's matchConditions (upstream's admission/plugin/webhook/matchconditions): CEL
// expressions over `object`, `oldObject` and `request` (the AdmissionRequest); the webhook is
// called only when all are true. Any false skips the webhook, whatever else failed; errors
// without a false follow failurePolicy: Fail refuses the request with Forbidden (as upstream's
// dispatcher), Ignore skips the webhook. `authorizer` checks are answered by the server's
// authorizer (src/apiserver/cel/authorizer.ts).
import { StatusError } from '../../../api/errors.js';
import type { Authorizer } from '../../auth/types.js';
import { AuthorizationSession, authorizerValue, withAuthorization } from '../../cel/authorizer.js';
import { compileExpression, CompileError, type Compiled } from '../../cel/compile.js';
import { toCel } from '../../cel/values.js';
import type { AdmissionRequest } from '../types.js';
import type { Webhook } from './types.js';

export interface MatchCondition {
  name: string;
  expression: string;
}

const VARIABLES = { object: undefined, oldObject: undefined, request: undefined, authorizer: undefined };
/** kube-apiserver's RuntimeCELCostBudgetMatchConditions. */
const MATCH_CONDITIONS_BUDGET = 7_000_000;

const cache = new Map<string, Compiled | CompileError>();
function compiled(expression: string): Compiled | CompileError {
  let c = cache.get(expression);
  if (!c) {
    try {
      c = compileExpression(expression, { variables: VARIABLES, result: 'bool' });
    } catch (e) {
      if (!(e instanceof CompileError)) throw e;
      c = e;
    }
    if (cache.size > 1000) cache.clear();
    cache.set(expression, c);
  }
  return c;
}

/** Compile errors of a configuration's conditions (for the registry's validation). */
export function matchConditionError(expression: string): string | undefined {
  const c = compiled(expression);
  return c instanceof CompileError ? c.message : undefined;
}

/** `request` as CEL sees it; `requested` is the client's request when req is converted to an equivalent version. */
export function requestValue(
  req: AdmissionRequest,
  requested: Pick<AdmissionRequest, 'group' | 'version' | 'resource' | 'kind'> = req,
): Record<string, unknown> {
  const user: Record<string, unknown> = { username: req.user.name, groups: req.user.groups };
  if (req.user.uid) user.uid = req.user.uid;
  if (req.user.extra) user.extra = req.user.extra;
  const kind = { group: req.group, version: req.version, kind: req.kind };
  const resource = { group: req.group, version: req.version, resource: req.resource };
  return {
    kind,
    resource,
    subResource: req.subresource ?? '',
    requestKind: { group: requested.group, version: requested.version, kind: requested.kind },
    requestResource: { group: requested.group, version: requested.version, resource: requested.resource },
    requestSubResource: req.subresource ?? '',
    name: req.name ?? '',
    namespace: req.namespace ?? '',
    operation: req.operation,
    userInfo: user,
    dryRun: req.dryRun,
  };
}

/** True when the webhook should be called; throws Forbidden when failurePolicy Fail meets an error. */
export async function matchConditionsAllow(
  w: Webhook & { matchConditions?: MatchCondition[] },
  req: AdmissionRequest,
  authorizer: Authorizer,
  requested: AdmissionRequest = req,
): Promise<boolean> {
  const conditions = w.matchConditions ?? [];
  if (!conditions.length) return true;
  const bindings = {
    object: req.operation === 'DELETE' ? null : toCel(req.object ?? null, undefined),
    oldObject: toCel(req.oldObject ?? null, undefined),
    request: toCel(requestValue(req, requested), undefined),
    authorizer: authorizerValue(req.user, requested),
  };
  const session = new AuthorizationSession(authorizer);
  return withAuthorization(session, () => evaluateConditions(w, req, conditions, bindings));
}

function evaluateConditions(
  w: Webhook,
  req: AdmissionRequest,
  conditions: MatchCondition[],
  bindings: Record<string, unknown>,
): boolean {
  const errors: string[] = [];
  let budget = MATCH_CONDITIONS_BUDGET;
  for (const mc of conditions) {
    const c = compiled(mc.expression);
    if (c instanceof CompileError) {
      errors.push(`expression '${mc.expression}' resulted in error: ${c.message}`);
      continue;
    }
    const r = c.run(bindings, Math.min(budget, 1_000_000));
    budget -= r.cost;
    if (r.error !== undefined) errors.push(`expression '${mc.expression}' resulted in error: ${r.error}`);
    else if (r.value === false) return false;
    else if (r.value !== true)
      errors.push(`expression '${mc.expression}' resulted in error: no such overload`);
  }
  if (!errors.length) return true;
  if (w.failurePolicy === 'Ignore') return false;
  const message = errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
  const gr = req.group ? `${req.resource}.${req.group}` : req.resource;
  const text = req.name ? `${gr} "${req.name}" is forbidden: ${message}` : `${gr} is forbidden: ${message}`;
  throw new StatusError(403, 'Forbidden', text, {
    group: req.group,
    kind: req.resource,
    ...(req.name ? { name: req.name } : {}),
  });
}
