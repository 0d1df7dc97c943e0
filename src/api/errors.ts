// metav1.Status errors with upstream's reasons, codes and message texts (kubectl prints them
// verbatim, e.g. `Error from server (NotFound): configmaps "x" not found`). Every error that
// leaves the API server is made here.
import { groupResource } from './types.js';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'InternalError'
  | 'Timeout'
  | 'ServiceUnavailable';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    const s: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) s.details = this.details;
    return s;
  }
}

function details(group: string, resource: string, name?: string): StatusDetails {
  const d: StatusDetails = {};
  if (name !== undefined && name !== '') d.name = name;
  if (group) d.group = group;
  d.kind = resource;
  return d;
}

export function notFound(group: string, resource: string, name: string): StatusError {
  return new StatusError(
    404,
    'NotFound',
    `${groupResource(group, resource)} "${name}" not found`,
    details(group, resource, name),
  );
}

export function alreadyExists(group: string, resource: string, name: string): StatusError {
  return new StatusError(
    409,
    'AlreadyExists',
    `${groupResource(group, resource)} "${name}" already exists`,
    details(group, resource, name),
  );
}

/** Optimistic-concurrency failure: the precondition resourceVersion is stale. */
export function conflict(group: string, resource: string, name: string, why: string): StatusError {
  return new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${groupResource(group, resource)} "${name}": ${why}`,
    details(group, resource, name),
  );
}

export const OBJECT_MODIFIED =
  'the object has been modified; please apply your changes to the latest version and try again';

/** 422 with one cause per field error; `causes` are already-formatted field errors. */
export function invalid(
  group: string,
  kind: string,
  name: string,
  causes: { type: string; field: string; message: string; text: string }[],
): StatusError {
  const texts = causes.map((c) => c.text);
  const aggregate = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
  const d: StatusDetails = {};
  if (name) d.name = name;
  if (group) d.group = group;
  d.kind = kind;
  d.causes = causes.map((c) => ({ reason: c.type, message: c.message, field: c.field }));
  return new StatusError(422, 'Invalid', `${kind} "${name}" is invalid: ${aggregate}`, d);
}

/** A path the server does not serve (upstream's generic 404 text). */
export function notFoundPath(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

export function forbidden(message: string, group = '', resource = '', name = ''): StatusError {
  return new StatusError(403, 'Forbidden', message, details(group, resource, name));
}

export function methodNotSupported(group: string, resource: string, verb: string): StatusError {
  return new StatusError(
    405,
    'MethodNotAllowed',
    `${verb} is not supported on resources of kind "${groupResource(group, resource)}"`,
    details(group, resource),
  );
}

export function notAcceptable(message: string): StatusError {
  return new StatusError(406, 'NotAcceptable', message);
}

export function unsupportedMediaType(accepted: string[]): StatusError {
  return new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

export function requestEntityTooLarge(limit: number): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

/** A watch or list asked for a revision that compaction has removed. */
export function expired(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

export function gone(message: string): StatusError {
  return new StatusError(410, 'Gone', message);
}

export function internalError(err: unknown): StatusError {
  const msg = err instanceof Error ? err.message : String(err);
  return new StatusError(500, 'InternalError', `Internal error occurred: ${msg}`, {
    causes: [{ message: msg }],
  });
}

export function timeout(message: string): StatusError {
  return new StatusError(504, 'Timeout', message);
}

export function tooManyRequests(message: string, retryAfterSeconds: number): StatusError {
  return new StatusError(429, 'TooManyRequests', message, { retryAfterSeconds });
}
