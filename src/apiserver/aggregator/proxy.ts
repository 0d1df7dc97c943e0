// The aggregator's proxy (kube-aggregator's proxyHandler): requests under /apis/<group>/<version>
// of an APIService backed by a Service go to the extension API server, after authentication and
// authorization here, with the requesting user in X-Remote-User / X-Remote-Group /
// X-Remote-Extra-* and the front-proxy client certificate. An APIService that is not Available
// answers 503 "service unavailable", as upstream.
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import type { KubeObject } from '../../api/types.js';
import type { ObjectGetter } from '../admission/webhook/resolve.js';
import type { UserInfo } from '../endpoints/context.js';
import type { ResourceStore } from '../endpoints/store.js';
import type { Req, Res } from '../http/io.js';
import { availableCondition, specOf } from '../registry/apiregistration/apiservices.js';
import type { FrontProxyPKI } from './front-proxy.js';
import { remoteTarget } from './remote.js';

export type ProxyHandler = (req: Req, res: Res, user: UserInfo) => Promise<void>;

/** Headers not forwarded: hop-by-hop ones (RFC 7230 §6.1), credentials and identity headers. */
const DROPPED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
  'authorization',
]);

function plain(res: Res, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(`${text}\n`);
}

function forwardedHeaders(req: Req, user: UserInfo): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.startsWith(':') || DROPPED.has(k) || k.startsWith('x-remote-') || v === undefined) continue;
    out[k] = v;
  }
  out['X-Remote-User'] = user.name;
  if (user.groups.length) out['X-Remote-Group'] = user.groups;
  for (const [key, values] of Object.entries(user.extra ?? {}))
    out[`X-Remote-Extra-${encodeURIComponent(key)}`] = values;
  return out;
}

function forward(apiService: KubeObject, req: Req, res: Res, user: UserInfo, deps: ProxyDeps): Promise<void> {
  return remoteTarget(apiService, deps.get, deps.pki).then(
    (t) =>
      new Promise<void>((resolve) => {
        const out = request(
          {
            ...t.tls,
            host: t.host,
            port: t.port,
            method: req.method,
            path: req.url,
            headers: forwardedHeaders(req, user),
          },
          (upstream: IncomingMessage) => {
            const h: Record<string, string | string[]> = {};
            for (const [k, v] of Object.entries(upstream.headers))
              if (!DROPPED.has(k) && v !== undefined) h[k] = v;
            res.writeHead(upstream.statusCode ?? 502, h);
            (res as Res & { flushHeaders?: () => void }).flushHeaders?.();
            upstream.on('data', (d: Buffer) => res.write(d));
            upstream.on('end', () => {
              res.end();
              resolve();
            });
            upstream.on('error', () => {
              res.end();
              resolve();
            });
          },
        );
        // a client that goes away (a watch ended) ends the upstream request too
        res.once('close', () => out.destroy());
        out.on('error', (err) => {
          if (!res.headersSent) plain(res, 503, `Error trying to reach service: '${err.message}'`);
          else res.end();
          resolve();
        });
        const body = req as Req & NodeJS.ReadableStream;
        if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') out.end();
        else body.pipe(out);
      }),
    (err: unknown) => plain(res, 503, `Error trying to reach service: '${(err as Error).message}'`),
  );
}

export interface ProxyDeps {
  apiservices: ResourceStore;
  get: ObjectGetter;
  pki: FrontProxyPKI;
}

/** The APIService a path belongs to when an extension server serves it, else undefined. */
export function remoteAPIServiceFor(path: string, apiservices: ResourceStore): KubeObject | undefined {
  const m = /^\/apis\/([^/]+)\/([^/]+)(\/|$)/.exec(path);
  if (!m) return undefined;
  const o = apiservices.cache.get(apiservices.key(undefined, `${m[2]}.${m[1]}`))?.obj;
  return o && specOf(o).service ? o : undefined;
}

/** A handler for requests under a remote APIService's group version, or undefined for other paths. */
export function routeToRemote(path: string, deps: ProxyDeps): ProxyHandler | undefined {
  const apiService = remoteAPIServiceFor(path, deps.apiservices);
  if (!apiService) return undefined;
  return async (req, res, user) => {
    if (availableCondition(apiService)?.status !== 'True') return plain(res, 503, 'service unavailable');
    await forward(apiService, req, res, user, deps);
  };
}
