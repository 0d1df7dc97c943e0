// One request's audit record (upstream's audit filters: WithAudit, WithFailedAuthenticationAudit
// and the response-writer decorator), driven by four calls from the request path: received()
// after authentication, authorized(), failed() on an error response, complete() when done.
import { randomUUID } from 'node:crypto';
import type { Status } from '../../api/errors.js';
import type { Authorizer } from '../auth/types.js';
import type { UserInfo } from '../endpoints/context.js';
import { header, type Req, type Res } from '../http/io.js';
import { parseResourcePath, type ResourceRequest } from '../http/request-info.js';
import { atStage, microTime, nowMicros, type AuditEvent, type ObjectReference } from './event.js';
import {
  atLeast,
  evaluatePolicy,
  type AuditAttributes,
  type Level,
  type Policy,
  type RequestAuditConfig,
} from './policy.js';

/** Bodies larger than this are not copied into events (upstream logs them; we protect memory). */
const MAX_CAPTURED_BYTES = 4 * 1024 * 1024;
const BODY_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
const HTTP_VERBS: Record<string, string> = {
  GET: 'get',
  HEAD: 'get',
  POST: 'post',
  PUT: 'put',
  PATCH: 'patch',
  DELETE: 'delete',
};

/** The requestor behind an impersonated request (set by impersonation, read here). */
const requestors = new WeakMap<object, UserInfo>();
export function noteRequestor(req: object, requestor: UserInfo): void {
  requestors.set(req, requestor);
}

export interface RequestAudit {
  /** The auditID, also sent as the Audit-Id response header. */
  readonly id: string;
  /**
   * After authentication. The answer is whether the RequestReceived event was stored; false only
   * in blocking-strict mode, where the request must then fail (sendAuditRejection).
   */
  received(user: UserInfo | undefined): boolean | Promise<boolean>;
  authorized(decision: string, reason: string): void;
  /** audit.AddAuditAnnotation: an admission plugin's note on the event (e.g. PodSecurity's). */
  annotate(key: string, value: string): void;
  /** authorizer, with each decision recorded through authorized(). */
  authorizer(authorizer: Authorizer): Authorizer;
  /** The request to read the body from (copied when the level records it). */
  request<R extends Req>(req: R): R;
  failed(status: Status, panic: boolean): void;
  complete(code: number): void;
}

export type Emit = (ev: AuditEvent) => boolean | Promise<boolean>;

function auditUser(u: UserInfo): AuditEvent['impersonatedUser'] {
  const out: NonNullable<AuditEvent['impersonatedUser']> = { username: u.name };
  if (u.uid) out.uid = u.uid;
  if (u.groups?.length) out.groups = u.groups;
  if (u.extra && Object.keys(u.extra).length) out.extra = u.extra;
  return out;
}

function sourceIPs(req: Req & { socket?: unknown }): string[] {
  const ips: string[] = [];
  for (const part of (header(req, 'x-forwarded-for') ?? '').split(','))
    if (part.trim()) ips.push(part.trim());
  const real = header(req, 'x-real-ip')?.trim();
  if (!ips.length && real) ips.push(real);
  const remote = (req.socket as { remoteAddress?: string } | undefined)?.remoteAddress?.replace(
    /^::ffff:/,
    '',
  );
  if (remote && ips[ips.length - 1] !== remote) ips.push(remote);
  return ips;
}

/** upstream's getAuthMethods: what a request that failed authentication tried. */
function authMethods(req: Req & { socket?: unknown }, query: URLSearchParams): string {
  const methods: string[] = [];
  const auth = (header(req, 'authorization') ?? '').trim();
  if (/^basic /i.test(auth)) methods.push('basic');
  const parts = auth.split(' ');
  if (parts.length > 1 && parts[0].toLowerCase() === 'bearer') methods.push('bearer');
  if (query.get('access_token')?.trim()) methods.push('access_token');
  const socket = req.socket as { getPeerCertificate?: () => { raw?: Buffer } } | undefined;
  if (socket?.getPeerCertificate?.()?.raw) methods.push('x509');
  return methods.length
    ? `Authentication failed, attempted: ${methods.join(', ')}`
    : 'Authentication failed, no credentials provided';
}

function withoutManagedFields(obj: unknown): unknown {
  if (!obj || typeof obj !== 'object') return obj;
  const o = obj as { metadata?: { managedFields?: unknown }; items?: unknown[] };
  const out: Record<string, unknown> = { ...o };
  if (o.metadata?.managedFields !== undefined) {
    const { managedFields: _drop, ...rest } = o.metadata;
    out.metadata = rest;
  }
  if (Array.isArray(o.items)) out.items = o.items.map(withoutManagedFields);
  return out;
}

function parseJSON(chunks: Buffer[]): unknown {
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined; // protobuf or YAML bodies are not recorded
  }
}

export class ActiveRequestAudit implements RequestAudit {
  readonly id = randomUUID();
  private readonly receivedAt = nowMicros();
  private readonly url: URL;
  private readonly info: ResourceRequest | undefined;
  private config?: RequestAuditConfig;
  private event?: AuditEvent;
  private requestChunks?: Buffer[];
  private responseChunks?: Buffer[];
  private capturedBytes = 0;
  private status?: Status;
  private panicked = false;
  private done = false;
  /** the RequestReceived event was not stored: the request fails and records nothing more */
  private rejected = false;

  constructor(
    private readonly policy: Policy,
    private readonly emit: Emit,
    private readonly req: Req & { socket?: unknown },
    private readonly res: Res,
    private readonly observeLevel: (level: Level) => void = () => undefined,
  ) {
    res.setHeader('Audit-Id', this.id);
    this.url = new URL(req.url ?? '/', 'https://localhost');
    try {
      this.info = parseResourcePath(
        (req.method ?? 'GET').toUpperCase(),
        this.url.pathname,
        this.url.searchParams,
      );
    } catch {
      this.info = undefined; // a malformed path is audited as a non-resource request
    }
  }

  private get verb(): string {
    const m = (this.req.method ?? 'GET').toUpperCase();
    return this.info?.verb ?? HTTP_VERBS[m] ?? m.toLowerCase();
  }

  private attributes(user: UserInfo | undefined): AuditAttributes {
    const i = this.info;
    const a: AuditAttributes = {
      verb: this.verb,
      resourceRequest: !!i,
      group: i?.group ?? '',
      resource: i?.resource ?? '',
      subresource: i?.subresource ?? '',
      namespace: i?.namespace ?? '',
      name: i?.name ?? '',
      path: this.url.pathname,
    };
    if (user) a.user = { name: user.name, groups: user.groups ?? [] };
    return a;
  }

  private objectRef(): ObjectReference | undefined {
    const i = this.info;
    if (!i) return undefined;
    const ref: ObjectReference = { resource: i.resource };
    if (i.namespace) ref.namespace = i.namespace;
    if (i.name) ref.name = i.name;
    if (i.group) ref.apiGroup = i.group;
    ref.apiVersion = i.version;
    if (i.subresource) ref.subresource = i.subresource;
    return ref;
  }

  received(user: UserInfo | undefined): boolean | Promise<boolean> {
    // without a user the request is either refused (401, audited as a failed authentication
    // in complete()) or anonymous on a public path (audited in complete())
    if (this.config || (!user && !this.done)) return true;
    const requestor = requestors.get(this.req);
    const actor = user ?? { name: 'system:anonymous', groups: ['system:unauthenticated'] };
    this.config = evaluatePolicy(this.policy, this.attributes(requestor ?? actor));
    this.observeLevel(this.config.level);
    if (this.config.level === 'None') return true;
    const ev: AuditEvent = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: this.config.level,
      auditID: this.id,
      stage: 'RequestReceived',
      requestURI: this.req.url ?? '/',
      verb: this.verb,
      user: auditUser(requestor ?? actor)!,
      sourceIPs: sourceIPs(this.req),
      requestReceivedTimestamp: microTime(this.receivedAt),
      stageTimestamp: microTime(this.receivedAt),
    };
    if (requestor && user) ev.impersonatedUser = auditUser(user);
    const ua = header(this.req, 'user-agent');
    if (ua) ev.userAgent = ua;
    const ref = this.objectRef();
    if (ref) ev.objectRef = ref;
    this.event = ev;
    const stored = this.stage('RequestReceived');
    if (this.info?.verb === 'watch') this.onHeaders();
    else {
      const capture = atLeast(this.config.level, 'RequestResponse') && !!this.info;
      // a backend that waited for this event (blocking modes) also holds the response's end
      const hold = typeof stored !== 'boolean';
      if (capture || hold) this.interceptResponse(capture, hold);
    }
    if (stored === true) return true;
    const reject = (ok: boolean) => {
      if (!ok) this.rejected = true;
      return ok;
    };
    return typeof stored === 'boolean' ? reject(stored) : stored.then(reject);
  }

  authorized(decision: string, reason: string): void {
    if (!this.event) return;
    this.event.annotations = {
      ...this.event.annotations,
      'authorization.k8s.io/decision': decision === 'allow' ? 'allow' : 'forbid',
      'authorization.k8s.io/reason': reason,
    };
  }

  annotate(key: string, value: string): void {
    if (this.event) this.event.annotations = { ...this.event.annotations, [key]: value };
  }

  authorizer(inner: Authorizer): Authorizer {
    return {
      authorize: async (attrs) => {
        const r = await inner.authorize(attrs);
        this.authorized(r.decision, r.reason);
        return r;
      },
    };
  }

  request<R extends Req>(req: R): R {
    const level = this.config?.level ?? 'None';
    const verb = this.info?.verb ?? '';
    const wanted =
      this.event &&
      BODY_VERBS.has(verb) &&
      (atLeast(level, 'Request') || (verb === 'create' && !this.event.objectRef?.name));
    if (!wanted) return req;
    this.requestChunks = [];
    const chunks = this.requestChunks;
    const iterate = () => req[Symbol.asyncIterator]();
    const keep = (chunk: Buffer) => this.capture(chunk) && chunks.push(chunk);
    // a view of req whose body iteration also keeps a copy; everything else is req's own
    return Object.assign(Object.create(req) as R, {
      async *[Symbol.asyncIterator]() {
        for await (const chunk of { [Symbol.asyncIterator]: iterate }) {
          keep(chunk);
          yield chunk;
        }
      },
    });
  }

  failed(status: Status, panic: boolean): void {
    this.status = status;
    this.panicked = panic;
  }

  complete(code: number): void {
    void this.finish(code);
  }

  /** The last event (ResponseComplete or Panic); the answer is whether it was stored. */
  private finish(code: number): boolean | Promise<boolean> {
    if (this.done) return true;
    this.done = true;
    if (this.rejected) return true; // upstream records nothing after a refused RequestReceived
    if (!this.config) {
      if (code === 401) {
        this.unauthenticated(code);
        return true;
      }
      void this.received(undefined); // failed before authentication finished
    }
    const ev = this.event;
    if (!ev) return true;
    ev.responseStatus = this.responseStatus(code);
    this.attachBodies(ev);
    return this.stage(this.panicked ? 'Panic' : 'ResponseComplete');
  }

  private responseStatus(code: number): NonNullable<AuditEvent['responseStatus']> {
    if (this.panicked)
      return {
        metadata: {},
        status: 'Failure',
        message: `APIServer panic'd: ${this.status?.message ?? ''}`,
        reason: 'InternalError',
        code: 500,
      };
    const s = this.status;
    if (!s) return { metadata: {}, code };
    const out: NonNullable<AuditEvent['responseStatus']> = { metadata: {} };
    if (s.status) out.status = s.status;
    if (s.message) out.message = s.message;
    if (s.reason) out.reason = s.reason;
    if (s.details) out.details = s.details;
    out.code = s.code ?? code;
    return out;
  }

  /** A request that failed authentication: one event, as upstream's failed-authentication audit. */
  private unauthenticated(code: number): void {
    this.config = evaluatePolicy(this.policy, this.attributes(undefined));
    this.observeLevel(this.config.level);
    if (this.config.level === 'None') return;
    const ev: AuditEvent = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: this.config.level,
      auditID: this.id,
      stage: 'ResponseStarted',
      requestURI: this.req.url ?? '/',
      verb: this.verb,
      user: {},
      sourceIPs: sourceIPs(this.req),
      responseStatus: { metadata: {}, message: authMethods(this.req, this.url.searchParams), code },
      requestReceivedTimestamp: microTime(this.receivedAt),
      stageTimestamp: microTime(this.receivedAt),
    };
    const ua = header(this.req, 'user-agent');
    if (ua) ev.userAgent = ua;
    const ref = this.objectRef();
    if (ref) ev.objectRef = ref;
    this.event = ev;
    void this.stage('ResponseStarted');
  }

  private stage(stage: AuditEvent['stage']): boolean | Promise<boolean> {
    if (!this.event || this.config!.omitStages.includes(stage)) return true;
    return this.emit(atStage(this.event, stage));
  }

  private capture(chunk: Buffer | Uint8Array | string): boolean {
    this.capturedBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    return this.capturedBytes <= MAX_CAPTURED_BYTES;
  }

  private attachBodies(ev: AuditEvent): void {
    const strip = this.config!.omitManagedFields ? withoutManagedFields : (o: unknown) => o;
    if (this.requestChunks?.length) {
      const obj = parseJSON(this.requestChunks) as
        { metadata?: { name?: string; namespace?: string } } | undefined;
      if (obj && ev.objectRef) {
        const { resource, namespace, name, ...rest } = ev.objectRef;
        // upstream fills a missing name/namespace from the request object; keep its field order
        ev.objectRef = {
          resource,
          ...(namespace || obj.metadata?.namespace
            ? { namespace: namespace || obj.metadata?.namespace }
            : {}),
          ...(name || obj.metadata?.name ? { name: name || obj.metadata?.name } : {}),
          ...rest,
        };
      }
      if (obj !== undefined && atLeast(ev.level, 'Request')) ev.requestObject = strip(obj);
    }
    if (this.responseChunks?.length && this.capturedBytes <= MAX_CAPTURED_BYTES) {
      const obj = parseJSON(this.responseChunks);
      if (obj !== undefined) ev.responseObject = strip(obj);
    }
  }

  /** ResponseStarted for long-running requests, when the headers go out. */
  private onHeaders(): void {
    const res = this.res;
    const writeHead = res.writeHead.bind(res);
    res.writeHead = (status: number, headers?: Record<string, string | string[]>) => {
      const r = writeHead(status, headers);
      if (this.event && !this.done) {
        this.event.responseStatus = { metadata: {}, code: status };
        void this.stage('ResponseStarted');
      }
      return r;
    };
  }

  /**
   * Copies the response body (RequestResponse) and, when `hold`, ends the response only once its
   * final event is written, as upstream's handler returns (and the response completes) only
   * after a blocking backend took the event.
   */
  private interceptResponse(capture: boolean, hold: boolean): void {
    const res = this.res;
    const chunks: Buffer[] | undefined = capture ? (this.responseChunks = []) : undefined;
    const keep = (c: string | Uint8Array | undefined) => {
      if (!chunks || c === undefined || !this.capture(c)) return;
      chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
    };
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    // HTTP/2's end(chunk) writes the chunk through this.write: copy it once
    let ending = false;
    const endNow = (chunk?: string | Uint8Array) => {
      ending = true;
      try {
        return end(chunk);
      } finally {
        ending = false;
      }
    };
    if (capture)
      res.write = (chunk: string | Uint8Array) => {
        if (!ending) keep(chunk);
        return write(chunk);
      };
    res.end = (chunk?: string | Uint8Array) => {
      keep(chunk);
      if (!hold || this.done) return endNow(chunk);
      const stored = this.finish(res.statusCode);
      if (typeof stored === 'boolean') return endNow(chunk);
      // a stream the client already closed may refuse the end: nothing left to tell anyone
      stored.then(() => endNow(chunk)).catch(() => undefined);
      return res;
    };
  }
}

/** Auditing off: only the Audit-Id header, which upstream sends either way. */
export class NoRequestAudit implements RequestAudit {
  readonly id = randomUUID();
  constructor(res: Res) {
    res.setHeader('Audit-Id', this.id);
  }
  received(): boolean {
    return true;
  }
  authorized(): void {}
  annotate(): void {}
  authorizer(inner: Authorizer): Authorizer {
    return inner;
  }
  request<R extends Req>(req: R): R {
    return req;
  }
  failed(): void {}
  complete(): void {}
}
