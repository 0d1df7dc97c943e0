// The kubelet API's routes: one table, one line per endpoint. A route's handler gets the
// parsed path parameters and either a response (plain requests) or the raw socket (upgrade
// requests: exec, attach, port-forward). Authentication and authorization happen before.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Pod, PodRuntime } from '../runtime/types.js';
import { serveAttach, serveExec } from './exec.js';
import { serveContainerLogs } from './container-logs.js';
import { servePortForward, serveResourceMetrics, serveStatsSummary } from './extra-routes.js';

/** What every handler may use of its kubelet. */
export interface KubeletServerContext {
  nodeName: string;
  runtime: PodRuntime;
  /** A pod bound to this node, by namespace and name (the kubelet's pod manager). */
  pod(namespace: string, name: string): Pod | undefined;
  /** Every pod bound to this node. */
  pods(): Pod[];
}

export interface RouteCall {
  ctx: KubeletServerContext;
  req: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Set for plain requests. */
  res?: ServerResponse;
  /** Set for upgrade requests (the connection is the handler's). */
  upgrade?: { socket: Duplex; head: Buffer };
}

export type RouteHandler = (call: RouteCall) => void | Promise<void>;

interface Route {
  methods: string[];
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

function route(methods: string[], path: string, handler: RouteHandler): Route {
  const names: string[] = [];
  const pattern = new RegExp(
    `^${path.replace(/\/:(\w+)/g, (_m, n: string) => {
      names.push(n);
      return '/([^/]+)';
    })}$`,
  );
  return { methods, pattern, names, handler };
}

function healthz(call: RouteCall): void {
  call.res!.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('ok');
}

function podList(call: RouteCall): void {
  const body = JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: call.ctx.pods() });
  call.res!.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
}

const GET = ['GET'];
const STREAM = ['GET', 'POST'];

/** The kubelet API. */
export const ROUTES: Route[] = [
  route(GET, '/healthz', healthz),
  route(GET, '/pods', podList),
  route(GET, '/containerLogs/:namespace/:pod/:container', serveContainerLogs),
  route(STREAM, '/exec/:namespace/:pod/:container', serveExec),
  route(STREAM, '/exec/:namespace/:pod/:uid/:container', serveExec),
  route(STREAM, '/attach/:namespace/:pod/:container', serveAttach),
  route(STREAM, '/attach/:namespace/:pod/:uid/:container', serveAttach),
  route(STREAM, '/portForward/:namespace/:pod', servePortForward),
  route(STREAM, '/portForward/:namespace/:pod/:uid', servePortForward),
  route(GET, '/metrics/resource', serveResourceMetrics),
  route(GET, '/stats/summary', serveStatsSummary),
];

export function match(
  method: string,
  path: string,
): { handler: RouteHandler; params: Record<string, string> } | 'method' | undefined {
  let wrongMethod = false;
  for (const r of ROUTES) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    if (!r.methods.includes(method)) {
      wrongMethod = true;
      continue;
    }
    const params: Record<string, string> = {};
    r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
    return { handler: r.handler, params };
  }
  return wrongMethod ? 'method' : undefined;
}
