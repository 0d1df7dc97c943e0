// External authentication (auth-url), as ingress-nginx renders it into nginx's auth_request:
// before a request is proxied, a bodiless subrequest (GET unless auth-method says otherwise)
// carrying the client's headers plus X-Original-URL, X-Original-Method, X-Sent-From,
// X-Real-IP, X-Forwarded-For and X-Auth-Request-Redirect goes to the auth URL. A 2xx answer
// lets the request through (with the auth-response-headers copied from that answer onto it);
// 401 and 403 are returned to the client (401 carries the service's WWW-Authenticate, or
// becomes a 302 to auth-signin with `rd=<the original URL>`); any other answer, or a service
// that cannot be reached, is a 500.
import { request, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ForwardContext } from './forward.js';
import { upstreamAgent } from './forward.js';

export interface ExternalAuth {
  url: string;
  /** auth-method; '' = nginx's subrequest GET without the X-Original-URI / X-Scheme headers */
  method: string;
  /** auth-signin: where a 401 is redirected to, '' = none */
  signin: string;
  /** auth-signin-redirect-param, default rd */
  redirectParam: string;
  /** auth-response-headers: copied from the auth answer onto the proxied request */
  responseHeaders: string[];
  /** auth-request-redirect: the X-Auth-Request-Redirect value, '' = the request URI */
  requestRedirect: string;
}

export type ExternalVerdict =
  { ok: true; headers: Record<string, string> } | { ok: false; status: number; headers: OutgoingHttpHeaders };

/** ingress-nginx's auth-signin Location: `rd=<scheme>://<host><escaped request URI>` added. */
export function signinLocation(a: ExternalAuth, scheme: string, host: string, uri: string): string {
  const escaped = Buffer.from(uri)
    .toString('latin1')
    .replace(/[^A-Za-z0-9\-_.~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
  let query: URLSearchParams;
  try {
    query = new URL(a.signin).searchParams;
  } catch {
    query = new URLSearchParams();
  }
  if ([...query.keys()].length === 0) return `${a.signin}?${a.redirectParam}=${scheme}://${host}${escaped}`;
  if (query.get(a.redirectParam)) return a.signin;
  return `${a.signin}&${a.redirectParam}=${scheme}://${host}${escaped}`;
}

const DROP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'te']);

/** Asks the auth service about a request. Never rejects. */
export function checkExternal(
  a: ExternalAuth,
  req: IncomingMessage,
  ctx: ForwardContext,
  timeoutMs = 60_000,
): Promise<ExternalVerdict> {
  const target = new URL(a.url);
  const uri = req.url ?? '/';
  const client = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
  const headers: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined && !DROP.has(k) && !k.startsWith(':') && k !== 'x-forwarded-proto') headers[k] = v;
  Object.assign(headers, {
    host: target.host,
    'x-original-url': `${ctx.scheme}://${req.headers.host ?? ''}${uri}`,
    'x-original-method': req.method ?? 'GET',
    'x-sent-from': 'nginx-ingress-controller',
    'x-real-ip': client,
    'x-forwarded-for': client,
    'x-auth-request-redirect': a.requestRedirect || uri,
  });
  if (a.method) {
    headers['x-original-uri'] = uri;
    headers['x-scheme'] = ctx.scheme;
  }
  const options = {
    method: a.method || 'GET',
    host: target.hostname.replace(/^\[|\]$/g, ''),
    port: target.port || (target.protocol === 'https:' ? 443 : 80),
    path: target.pathname + target.search,
    headers,
    timeout: timeoutMs,
  };
  return new Promise((resolve) => {
    const up =
      target.protocol === 'https:'
        ? httpsRequest({ ...options, rejectUnauthorized: false, agent: false })
        : request({ ...options, agent: upstreamAgent });
    const fail = () => resolve({ ok: false, status: 500, headers: {} });
    up.on('timeout', () => up.destroy(new Error('auth request timed out')));
    up.on('error', fail);
    up.on('response', (answer) => {
      answer.resume();
      const code = answer.statusCode ?? 500;
      if (code >= 200 && code < 300) {
        const copied: Record<string, string> = {};
        for (const h of a.responseHeaders) {
          const v = answer.headers[h.toLowerCase()];
          copied[h.toLowerCase()] = Array.isArray(v) ? v.join(', ') : (v ?? '');
        }
        return resolve({ ok: true, headers: copied });
      }
      if (code === 401 && a.signin)
        return resolve({
          ok: false,
          status: 302,
          headers: { location: signinLocation(a, ctx.scheme, req.headers.host ?? '', uri) },
        });
      if (code === 401) {
        const challenge = answer.headers['www-authenticate'];
        return resolve({
          ok: false,
          status: 401,
          headers: challenge ? { 'www-authenticate': challenge } : {},
        });
      }
      if (code === 403) return resolve({ ok: false, status: 403, headers: {} });
      fail();
    });
    up.end();
  });
}
