// The request path of the API server: authentication, then non-resource endpoints (health,
// version, metrics, discovery, OpenAPI) or a resource request for the generic store.
import { serveHealth, type HealthCheck } from './health.js';
import { rootPaths, rootPathsBody } from './root-paths.js';
import { notFoundPath, StatusError, unauthorized, internalError } from '../api/errors.js';
import { logger } from '../util/log.js';
import { ValueTooLargeError } from '../storage/types.js';
import { isPublicPath } from './auth/x509.js';
import { forbiddenError } from './auth/forbidden.js';
import type { AuthorizationAttributes, Authorizer, RequestAuthenticator } from './auth/types.js';
import type { FieldValidation, RequestContext, UserInfo } from './endpoints/context.js';
import type { CustomHandlers } from './endpoints/custom.js';
import { handleResource } from './endpoints/resource-handler.js';
import type { ResourceStore } from './endpoints/store.js';
import { baseHeaders, header, send, sendStatus, type Req, type Res } from './http/io.js';
import { isTrue, parseResourcePath } from './http/request-info.js';
import type { Metrics } from './metrics.js';
import { sendAuditRejection, type Auditor } from './audit/index.js';
import type { Admission, ShutdownSequence } from './shutdown.js';

const log = logger('apiserver');

export interface ServedDocument {
  status: number;
  contentType: string;
  body: string | Uint8Array;
  headers?: Record<string, string>;
}

/** Discovery and OpenAPI documents, answered by path and Accept header. */
export interface DocumentServer {
  serve(path: string, accept: string | undefined, query: URLSearchParams): ServedDocument | undefined;
}

export interface HandlerDeps {
  stores: Map<string, ResourceStore>;
  documents: DocumentServer;
  metrics: Metrics;
  version: Record<string, string>;
  /** The checks of /healthz, /livez and /readyz (health.ts). */
  health: Record<'healthz' | 'livez' | 'readyz', HealthCheck[]>;
  /** Graceful termination: in-flight requests and watches are tracked here (shutdown.ts). */
  shutdown: ShutdownSequence;
  authenticator: RequestAuthenticator;
  authorizer: Authorizer;
  /** Non-stored resources and special subresources. */
  custom: CustomHandlers;
  /** The preferred store of a resource by group and plural name. */
  lookup: (group: string, resource: string) => ResourceStore | undefined;
  /** Audit logging: one record per request (begin → received → authorized → complete). */
  audit: Auditor;
  /** API aggregation: the proxy for paths an extension API server serves (aggregator/). */
  aggregator?: (path: string) => ((req: Req, res: Res, user: UserInfo) => Promise<void>) | undefined;
}

/** Non-resource requests are authorized by path with the HTTP method as verb, as upstream. */
function nonResourceAttributes(user: UserInfo, method: string, path: string): AuthorizationAttributes {
  const verbs: Record<string, string> = {
    GET: 'get',
    HEAD: 'get',
    POST: 'post',
    PUT: 'put',
    PATCH: 'patch',
    DELETE: 'delete',
  };
  return {
    user,
    verb: verbs[method] ?? method.toLowerCase(),
    resourceRequest: false,
    group: '',
    version: '',
    resource: '',
    subresource: '',
    namespace: '',
    name: '',
    path,
  };
}

async function authorize(authorizer: Authorizer, attrs: AuthorizationAttributes): Promise<void> {
  const { decision, reason } = await authorizer.authorize(attrs);
  if (decision !== 'allow') throw forbiddenError(attrs, reason);
}

export function storeKey(group: string, version: string, resource: string): string {
  return `${group}/${version}/${resource}`;
}

function fieldValidationOf(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  return v === 'Strict' || v === 'Warn' || v === 'Ignore' ? v : 'Warn';
}

/** The manager name of a request without ?fieldManager: the User-Agent up to its first '/'. */
function defaultManager(userAgent: string): string {
  const name = userAgent.split('/')[0] ?? '';
  return name.slice(0, 128) || 'unknown';
}

// long-running requests as upstream's LongRunningRequestCheck sees them: the shutdown drain
// does not wait for them (watches are ended instead)
const LONG_RUNNING_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy', 'log']);

function isLongRunning(info: ReturnType<typeof parseResourcePath>): boolean {
  if (!info) return false;
  return (
    info.verb === 'watch' || info.verb === 'proxy' || LONG_RUNNING_SUBRESOURCES.has(info.subresource ?? '')
  );
}

/** A request refused during shutdown (429 or 503), before authentication as upstream's filters. */
function sendRejection(req: Req, res: Res, r: Extract<Admission, { kind: 'reject' }>): void {
  const h2 = (req as { httpVersionMajor?: number }).httpVersionMajor === 2;
  const headers = { ...r.headers };
  if (h2 && headers.Connection) {
    // HTTP/2 forbids Connection headers; as Go's net/http2, "close" means GOAWAY once idle
    delete headers.Connection;
    const session = (req as { stream?: { session?: { close(): void } } }).stream?.session;
    res.once('close', () => session?.close());
  }
  send(res, r.status, r.body, headers);
}

export function createHandler(deps: HandlerDeps) {
  return async (req: Req & { socket?: unknown }, res: Res): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'https://localhost');
    // parsed once here: the drain needs to know long-running requests before serving them
    const info = parseResourcePath(method, url.pathname, url.searchParams);
    const admitted = deps.shutdown.admit(url.pathname, header(req, 'user-agent') ?? '', isLongRunning(info));
    if (admitted.kind === 'reject') return sendRejection(req, res, admitted);
    try {
      await serve(req, res, url, info);
    } finally {
      admitted.done();
    }
  };

  async function serve(
    req: Req & { socket?: unknown },
    res: Res,
    url: URL,
    info: ReturnType<typeof parseResourcePath>,
  ): Promise<void> {
    const started = process.hrtime.bigint();
    const path = url.pathname;
    const query = url.searchParams;
    let verb = (req.method ?? 'GET').toUpperCase();
    let resource = '';
    let group = '';
    let version = '';
    let subresource = '';
    let scope = 'cluster';
    let code = 200;
    let streaming = false;
    const audit = deps.audit.begin(req, res);
    const authorizer = audit.authorizer(deps.authorizer); // records the decision in the event
    try {
      const user = await deps.authenticator.authenticate(req);
      if (!(await audit.received(user))) {
        // blocking-strict: a request whose RequestReceived event was not stored fails (upstream's WithAudit)
        code = 500;
        deps.audit.rejected();
        return void sendAuditRejection(req, res);
      }
      if (!user && !isPublicPath(path)) throw unauthorized();
      if (user && !info) await authorize(authorizer, nonResourceAttributes(user, verb, path));
      const remote = user ? deps.aggregator?.(path) : undefined;
      if (remote && user) {
        // authorized here like any resource request, then proxied (kube-aggregator's chain)
        if (info)
          await authorize(authorizer, {
            user,
            verb: info.verb,
            resourceRequest: true,
            group: info.group,
            version: info.version,
            resource: info.resource,
            subresource: info.subresource ?? '',
            namespace: info.namespace ?? '',
            name: info.name ?? '',
            path,
          });
        return void (await remote(req, res, user));
      }

      const h = await serveHealth(deps.health, path, query);
      if (h)
        return void send(res, h.status, h.body, {
          'Content-Type': 'text/plain; charset=utf-8',
          'X-Content-Type-Options': 'nosniff',
        });
      if (path === '/version' || path === '/version/') {
        return void send(res, 200, JSON.stringify(deps.version, null, 2), baseHeaders());
      }
      if (path === '/metrics') {
        return void send(res, 200, deps.metrics.render(), {
          'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
        });
      }
      if (path === '/' || path === '/index.html') {
        const body = rootPathsBody(rootPaths(deps.documents, deps.health));
        return void send(res, 200, body, baseHeaders());
      }
      if (!info) {
        const doc = deps.documents.serve(path, header(req, 'accept'), query);
        if (!doc) throw notFoundPath();
        return void send(res, doc.status, doc.body, { ...baseHeaders(doc.contentType), ...doc.headers });
      }
      ({ group, version, resource } = info);
      subresource = info.subresource ?? '';
      verb = info.verb.toUpperCase();
      scope = info.name ? 'resource' : info.namespace ? 'namespace' : 'cluster';
      const store = deps.stores.get(storeKey(info.group, info.version, info.resource));
      if (!store) throw notFoundPath();
      if (!store.strategy.namespaced && info.namespace !== undefined) throw notFoundPath();
      await authorize(authorizer, {
        user: user!,
        verb: info.verb,
        resourceRequest: true,
        group,
        version,
        resource,
        subresource,
        namespace: info.namespace ?? '',
        name: info.name ?? '',
        path,
      });
      const ctx: RequestContext = {
        user: user!,
        dryRun: query.getAll('dryRun').includes('All'),
        fieldManager: query.get('fieldManager') ?? defaultManager(header(req, 'user-agent') ?? ''),
        fieldValidation: fieldValidationOf(query),
        userAgent: header(req, 'user-agent') ?? '',
        warnings: [],
        addAuditAnnotation: (key, value) => audit.annotate(key, value),
      };
      if (info.namespace !== undefined) ctx.namespace = info.namespace;
      if (info.verb === 'watch') deps.shutdown.trackWatch(res);
      streaming = await handleResource({
        req: audit.request(req),
        res,
        info,
        query,
        store,
        ctx,
        onStreamEnd: () => {
          deps.shutdown.untrackWatch(res);
          audit.complete(res.statusCode);
        },
        custom: deps.custom,
        lookup: deps.lookup,
      });
      code = res.statusCode;
    } catch (err) {
      if (!(err instanceof StatusError) && !(err instanceof ValueTooLargeError))
        log.error('request failed', { path, verb, error: String(err), stack: (err as Error)?.stack });
      const se =
        err instanceof StatusError
          ? err
          : err instanceof ValueTooLargeError
            ? new StatusError(413, 'RequestEntityTooLarge', `etcdserver: request is too large`)
            : internalError(err);
      code = se.code;
      audit.failed(se.toStatus(), !(err instanceof StatusError));
      try {
        sendStatus(res, se);
      } catch (sendErr) {
        // the response is unusable (e.g. a stream already half-written): drop the connection, not the server
        log.error('could not send error response', { path, error: String(sendErr) });
        (res as unknown as { destroy?: () => void }).destroy?.();
      }
      deps.shutdown.untrackWatch(res);
    } finally {
      if (!streaming) audit.complete(code);
      if (!streaming) {
        const labels = {
          verb: verb === 'GET' && !resource ? 'GET' : verb,
          group,
          version,
          resource,
          subresource,
          scope,
          component: 'apiserver',
          dry_run: isTrue(query.get('dryRun')) ? 'All' : '',
        };
        deps.metrics.requests.inc({ ...labels, code: String(code) });
        deps.metrics.requestDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      }
    }
  }
}
