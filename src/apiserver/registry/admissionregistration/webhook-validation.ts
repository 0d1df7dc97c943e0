// Defaults and validation of webhook configurations (upstream's
// pkg/apis/admissionregistration/v1 defaults.go and validation/validation.go, v1 rules).
import { labelKeyErrors, labelValueErrors } from '../../../api/selectors/index.js';
import type { LabelSelectorObject } from '../../../api/selectors/index.js';
import { matchConditionError, type MatchCondition } from '../../admission/webhook/match-conditions.js';
import type { RuleWithOperations, Webhook } from '../../admission/webhook/types.js';
import { ensureObject, setDefault } from '../define.js';
import {
  duplicate,
  fieldErrors,
  forbidden,
  invalidValue,
  isDNS1123Subdomain,
  notSupported,
  required,
  Printed,
  type FieldError,
} from '../validation.js';

/** A list as Go's %#v prints it in upstream's messages, e.g. []string{"*", "apps"}. */
const goList = (type: string, list: string[]) =>
  new Printed(`[]${type}{${list.map((v) => JSON.stringify(v)).join(', ')}}`);

const FAILURE_POLICIES = ['Fail', 'Ignore'];
const MATCH_POLICIES = ['Equivalent', 'Exact'];
const SIDE_EFFECTS = ['None', 'NoneOnDryRun'];
const REVIEW_VERSIONS = ['v1', 'v1beta1'];
const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
const SCOPES = ['*', 'Cluster', 'Namespaced'];
const REINVOCATION = ['IfNeeded', 'Never'];

type Record_ = Record<string, unknown>;

/** SetDefaults_ValidatingWebhook / SetDefaults_MutatingWebhook / SetDefaults_Rule / ServiceReference. */
export function defaultWebhooks(cfg: Record_, mutating: boolean): void {
  if (!Array.isArray(cfg.webhooks)) return;
  for (const w of cfg.webhooks as Record_[]) {
    if (!w || typeof w !== 'object') continue;
    setDefault(w, 'failurePolicy', 'Fail');
    setDefault(w, 'matchPolicy', 'Equivalent');
    setDefault(w, 'namespaceSelector', {});
    setDefault(w, 'objectSelector', {});
    setDefault(w, 'timeoutSeconds', 10);
    if (mutating) setDefault(w, 'reinvocationPolicy', 'Never');
    const cc = ensureObject<Record_>(w, 'clientConfig');
    if (cc.service && typeof cc.service === 'object') setDefault(cc.service as Record_, 'port', 443);
    for (const r of Array.isArray(w.rules) ? (w.rules as Record_[]) : []) setDefault(r, 'scope', '*');
  }
}

function validateSelector(sel: LabelSelectorObject | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) {
    errs.push(...fieldErrors(`${path}.matchLabels`, k, labelKeyErrors(k)));
    errs.push(...fieldErrors(`${path}.matchLabels`, v, labelValueErrors(v)));
  }
  (sel?.matchExpressions ?? []).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const op = e.operator;
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(op))
      errs.push(notSupported(`${p}.operator`, op, ['In', 'NotIn', 'Exists', 'DoesNotExist']));
    else if ((op === 'In' || op === 'NotIn') && !e.values?.length)
      errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    else if ((op === 'Exists' || op === 'DoesNotExist') && e.values?.length)
      errs.push(
        forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
      );
    errs.push(...fieldErrors(`${p}.key`, e.key, labelKeyErrors(e.key)));
  });
  return errs;
}

function validateResources(resources: string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!resources.length) return [required(path)];
  // '*' covers every resource: a subresource form beside it is redundant
  const hasAll = resources.includes('*');
  const hasAllAll = resources.includes('*/*');
  const seen = new Set<string>();
  resources.forEach((r, i) => {
    const p = `${path}[${i}]`;
    if (r === '') {
      errs.push(required(p));
      return;
    }
    if (seen.has(r)) errs.push(duplicate(p, r));
    seen.add(r);
    const [res, sub, ...rest] = r.split('/');
    if (rest.length) errs.push(invalidValue(p, r, 'may only contain a single slash'));
    if (hasAllAll && r !== '*/*')
      errs.push(invalidValue(p, r, "if '*/*' is present, must not specify other resources"));
    if (hasAll && r !== '*' && sub === undefined)
      errs.push(
        invalidValue(p, r, "if '*' is present, must not specify other resources without subresources"),
      );
    if (sub !== undefined && (res === '' || sub === ''))
      errs.push(invalidValue(p, r, 'resource and subresource must be non-empty'));
  });
  return errs;
}

function validateRule(r: RuleWithOperations, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ops = r.operations ?? [];
  if (!ops.length) errs.push(required(`${path}.operations`));
  if (ops.length > 1 && ops.includes('*'))
    errs.push(
      invalidValue(
        `${path}.operations`,
        goList('admissionregistration.OperationType', ops),
        "if '*' is present, must not specify other operations",
      ),
    );
  ops.forEach((op, i) => {
    if (!OPERATIONS.includes(op)) errs.push(notSupported(`${path}.operations[${i}]`, op, OPERATIONS));
  });
  for (const [field, list] of [
    ['apiGroups', r.apiGroups],
    ['apiVersions', r.apiVersions],
  ] as const) {
    if (!list?.length) errs.push(required(`${path}.${field}`));
    else if (list.length > 1 && list.includes('*'))
      errs.push(
        invalidValue(
          `${path}.${field}`,
          goList('string', [...list]),
          "if '*' is present, must not specify other " + field,
        ),
      );
  }
  (r.apiVersions ?? []).forEach((v, i) => {
    if (v === '') errs.push(required(`${path}.apiVersions[${i}]`));
  });
  errs.push(...validateResources(r.resources ?? [], `${path}.resources`));
  if (r.scope !== undefined && !SCOPES.includes(r.scope))
    errs.push(notSupported(`${path}.scope`, r.scope, SCOPES));
  return errs;
}

function validateURL(url: string, path: string): FieldError[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [invalidValue(path, url, 'host must be specified')];
  }
  const errs: FieldError[] = [];
  if (u.protocol !== 'https:') errs.push(invalidValue(path, url, "'https' is the only allowed URL scheme"));
  if (!u.hostname) errs.push(invalidValue(path, url, 'host must be specified'));
  if (u.username || u.password)
    errs.push(invalidValue(path, url, 'user information is not permitted in the URL'));
  if (url.includes('#')) errs.push(invalidValue(path, url, 'fragments are not permitted in the URL'));
  if (url.includes('?')) errs.push(invalidValue(path, url, 'query parameters are not permitted in the URL'));
  return errs;
}

function validateClientConfig(w: Webhook, path: string): FieldError[] {
  return validateWebhookClientConfig(w.clientConfig ?? {}, path);
}

/** upstream's webhook.ValidateWebhookURL/ValidateWebhookService (also used for CRD conversion webhooks). */
export function validateWebhookClientConfig(
  cc: NonNullable<Webhook['clientConfig']>,
  path: string,
): FieldError[] {
  if ((cc.url === undefined) === (cc.service === undefined))
    return [required(path, 'exactly one of url or service is required')];
  if (cc.url !== undefined) return validateURL(cc.url, `${path}.url`);
  const s = cc.service!;
  const sp = `${path}.service`;
  const errs: FieldError[] = [];
  if (!s.name) errs.push(required(`${sp}.name`, 'service name is required'));
  if (!s.namespace) errs.push(required(`${sp}.namespace`, 'service namespace is required'));
  if (s.path !== undefined) {
    if (s.path === '/') return errs;
    if (!s.path.startsWith('/')) errs.push(invalidValue(`${sp}.path`, s.path, "must start with a '/'"));
    else if (s.path.includes('//'))
      errs.push(invalidValue(`${sp}.path`, s.path, 'segment[1] may not be empty'));
  }
  const port = s.port ?? 443;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    errs.push(invalidValue(`${sp}.port`, port, 'port is not valid: must be between 1 and 65535, inclusive'));
  return errs;
}

function webhookNameErrors(name: string): string[] {
  const errs = isDNS1123Subdomain(name);
  if (name.split('.').length < 3)
    errs.push('should be a domain with at least three segments separated by dots');
  return errs;
}

/** Errors of one configuration's webhooks (validateMutatingWebhookConfiguration & co, v1 rules). */
export function validateWebhooks(webhooks: unknown, mutating: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const list = Array.isArray(webhooks) ? (webhooks as Webhook[]) : [];
  const names = new Set<string>();
  list.forEach((w, i) => {
    const p = `webhooks[${i}]`;
    if (!w.name) errs.push(required(`${p}.name`));
    else {
      errs.push(...fieldErrors(`${p}.name`, w.name, webhookNameErrors(w.name)));
      if (names.has(w.name)) errs.push(duplicate(`${p}.name`, w.name));
      names.add(w.name);
    }
    (w.rules ?? []).forEach((r, j) => errs.push(...validateRule(r, `${p}.rules[${j}]`)));
    if (w.failurePolicy !== undefined && !FAILURE_POLICIES.includes(w.failurePolicy))
      errs.push(notSupported(`${p}.failurePolicy`, w.failurePolicy, FAILURE_POLICIES));
    if (w.matchPolicy !== undefined && !MATCH_POLICIES.includes(w.matchPolicy))
      errs.push(notSupported(`${p}.matchPolicy`, w.matchPolicy, MATCH_POLICIES));
    if (w.sideEffects === undefined || w.sideEffects === '')
      errs.push(required(`${p}.sideEffects`, `must specify one of ${SIDE_EFFECTS.join(', ')}`));
    else if (!SIDE_EFFECTS.includes(w.sideEffects))
      errs.push(notSupported(`${p}.sideEffects`, w.sideEffects, SIDE_EFFECTS));
    const versions = w.admissionReviewVersions ?? [];
    if (!versions.length)
      errs.push(
        required(`${p}.admissionReviewVersions`, `must specify one of ${REVIEW_VERSIONS.join(', ')}`),
      );
    else if (!versions.some((v) => REVIEW_VERSIONS.includes(v)))
      errs.push(
        invalidValue(
          `${p}.admissionReviewVersions`,
          goList('string', versions),
          `must include at least one of ${REVIEW_VERSIONS.join(', ')}`,
        ),
      );
    if (w.timeoutSeconds !== undefined && (w.timeoutSeconds < 1 || w.timeoutSeconds > 30))
      errs.push(
        invalidValue(
          `${p}.timeoutSeconds`,
          w.timeoutSeconds,
          'the timeout value must be between 1 and 30 seconds',
        ),
      );
    errs.push(...validateSelector(w.namespaceSelector, `${p}.namespaceSelector`));
    errs.push(...validateSelector(w.objectSelector, `${p}.objectSelector`));
    errs.push(...validateClientConfig(w, `${p}.clientConfig`));
    if (mutating && w.reinvocationPolicy !== undefined && !REINVOCATION.includes(w.reinvocationPolicy))
      errs.push(notSupported(`${p}.reinvocationPolicy`, w.reinvocationPolicy, REINVOCATION));
    errs.push(
      ...validateMatchConditions(
        (w as { matchConditions?: unknown }).matchConditions,
        `${p}.matchConditions`,
      ),
    );
  });
  return errs;
}

/** Names required and unique, at most 64, expressions that compile (upstream's validateMatchConditions). */
function validateMatchConditions(conditions: unknown, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = Array.isArray(conditions) ? (conditions as MatchCondition[]) : [];
  if (list.length > 64)
    errs.push({
      type: 'FieldValueTooMany',
      field: p,
      value: list.length,
      detail: 'must have at most 64 items',
    });
  const names = new Set<string>();
  list.forEach((mc, i) => {
    const cp = `${p}[${i}]`;
    if (!mc.name) errs.push(required(`${cp}.name`));
    else if (names.has(mc.name)) errs.push(duplicate(`${cp}.name`, mc.name));
    else names.add(mc.name);
    if (!mc.expression) errs.push(required(`${cp}.expression`));
    else {
      const bad = matchConditionError(mc.expression);
      if (bad) errs.push(invalidValue(`${cp}.expression`, mc.expression, bad));
    }
  });
  return errs;
}
