// JSON answers of the authentication API handlers (their kinds are not the store's kind, so
// the store's renderer does not apply), and 422s worded as upstream's NewInvalid.
import { StatusError, type StatusDetails } from '../../../api/errors.js';
import { baseHeaders, send } from '../../http/io.js';
import type { ResourceCall } from '../../endpoints/resource-handler.js';
import { errorBody, errorText, type FieldError } from '../../registry/validation.js';

export function respondJSON(call: ResourceCall, status: number, obj: object): void {
  const headers: Record<string, string | string[]> = baseHeaders();
  if (call.ctx.warnings.length)
    headers['Warning'] = call.ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  send(call.res, status, JSON.stringify(obj), headers);
}

/** `<Kind>.<group> "<name>" is invalid: <errors>`, with details as upstream. */
export function invalidObject(group: string, kind: string, name: string, errs: FieldError[]): StatusError {
  const texts = errs.map(errorText);
  const aggregate = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
  const details: StatusDetails = {};
  if (name) details.name = name;
  details.group = group;
  details.kind = kind;
  details.causes = errs.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field }));
  return new StatusError(
    422,
    'Invalid',
    `${kind}.${group} ${JSON.stringify(name)} is invalid: ${aggregate}`,
    details,
  );
}
