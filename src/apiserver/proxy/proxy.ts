// The proxy subresources (services/proxy, pods/proxy, nodes/proxy): the API server forwards the
// request to a service endpoint, a pod or a node's kubelet (HTTPS with the API server's
// kubelet-client certificate, e.g. /api/v1/nodes/<n>/proxy/stats/summary), as `kubectl proxy` users reach in-cluster HTTP servers (seed 004
// §3.6). Names carry an optional scheme and port as upstream: `[https:]name[:port]`. Errors
// are upstream's: 503 `no endpoints available for service "x"`, 503 `no service port 81 found
// for service "x"`, 400 for a pod without an IP.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { badRequest, notFound, StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { ResourceCall } from '../endpoints/resource-handler.js';
import type { CustomHandlers } from '../endpoints/custom.js';
import type { ApiServerParts } from '../extensions.js';
import { header, type Req, type Res } from '../http/io.js';
import { verificationFailure } from '../pod-streams/kubelet-tls.js';

const serviceUnavailable = (message: string) => new StatusError(503, 'ServiceUnavailable', message);

/** `[scheme:]name[:port]` (upstream's SplitSchemeNamePort). */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } | undefined {
  const parts = id.split(':');
  if (parts.length === 1) return { scheme: '', name: parts[0], port: '' };
  if (parts.length === 2) return { scheme: '', name: parts[0], port: parts[1] };
  if (parts.length === 3 && (parts[0] === 'http' || parts[0] === 'https'))
    return { scheme: parts[0], name: parts[1], port: parts[2] };
  return undefined;
}

interface Slice {
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[];
  ports?: { name?: string; port?: number }[];
}

/** A ready endpoint of the service port, picked at random as upstream does. */
async function serviceTarget(
  call: ResourceCall,
  id: string,
): Promise<{ scheme: string; host: string; port: number }> {
  const parsed = splitSchemeNamePort(id);
  if (!parsed || !parsed.name) throw badRequest(`invalid service request "${id}"`);
  const ns = call.info.namespace!;
  const services = call.lookup('', 'services')!;
  const svc = services.cache.get(services.key(ns, parsed.name))?.obj;
  if (!svc) throw notFound('', 'services', parsed.name);
  const ports = (svc.spec as { ports?: { name?: string; port: number }[] }).ports ?? [];
  let portName = parsed.port;
  if (/^\d+$/.test(portName)) {
    const p = ports.find((x) => x.port === Number(portName));
    if (!p) throw serviceUnavailable(`no service port ${portName} found for service "${parsed.name}"`);
    portName = p.name ?? '';
  }
  const slices = call.lookup('discovery.k8s.io', 'endpointslices')!;
  const candidates: { ip: string; port: number }[] = [];
  const listed = await slices.cache.list({ resourceVersion: '0', keyPrefix: `${slices.prefix}${ns}/` });
  for (const item of listed.items) {
    const s = item.obj as KubeObject & Slice;
    if (s.metadata.labels?.['kubernetes.io/service-name'] !== parsed.name) continue;
    const port = (s.ports ?? []).find((p) => (p.name ?? '') === portName)?.port;
    if (port === undefined) continue;
    for (const e of s.endpoints ?? [])
      if (e.conditions?.ready !== false && e.addresses[0]) candidates.push({ ip: e.addresses[0], port });
  }
  if (candidates.length === 0)
    throw serviceUnavailable(`no endpoints available for service "${parsed.name}"`);
  const pick = candidates[Math.floor(Math.random() * candidates.length)];
  return { scheme: parsed.scheme || 'http', host: pick.ip, port: pick.port };
}

function podTarget(call: ResourceCall, id: string): { scheme: string; host: string; port: number } {
  const parsed = splitSchemeNamePort(id);
  if (!parsed || !parsed.name) throw badRequest(`invalid pod request "${id}"`);
  const pods = call.lookup('', 'pods')!;
  const pod = pods.cache.get(pods.key(call.info.namespace, parsed.name))?.obj;
  if (!pod) throw notFound('', 'pods', parsed.name);
  const ip = (pod.status as { podIP?: string } | undefined)?.podIP;
  if (!ip) throw badRequest(`address not allowed`);
  let port = parsed.port ? Number(parsed.port) : NaN;
  if (!parsed.port) {
    // as upstream: the first declared container port, else the scheme's default
    const containers =
      (pod.spec as { containers?: { ports?: { containerPort: number }[] }[] }).containers ?? [];
    port =
      containers.flatMap((c) => c.ports ?? [])[0]?.containerPort ?? (parsed.scheme === 'https' ? 443 : 80);
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw badRequest(`invalid port "${parsed.port}"`);
  return { scheme: parsed.scheme || 'http', host: ip, port };
}

type Target = {
  scheme: string;
  host: string;
  port: number;
  /** nodes/proxy: the kubelet-client certificate, and --kubelet-certificate-authority's CA if set. */
  client?: { certPem: string; keyPem: string; ca?: string };
};

/** nodes/proxy: the node's kubelet (InternalIP, else Hostname; daemonEndpoints' port) by default. */
function nodeTarget(call: ResourceCall, id: string, client: Target['client']): Target {
  const parsed = splitSchemeNamePort(id);
  if (!parsed || !parsed.name) throw badRequest(`invalid node request "${id}"`);
  const nodes = call.lookup('', 'nodes')!;
  const node = nodes.cache.get(nodes.key(undefined, parsed.name))?.obj;
  if (!node) throw notFound('', 'nodes', parsed.name);
  const status = node.status as
    | {
        addresses?: { type: string; address: string }[];
        daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
      }
    | undefined;
  const addrs = status?.addresses ?? [];
  const host = (addrs.find((a) => a.type === 'InternalIP') ?? addrs.find((a) => a.type === 'Hostname'))
    ?.address;
  if (!host) throw badRequest(`no preferred addresses found; known addresses: []`);
  const port = parsed.port ? Number(parsed.port) : (status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 10250);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw badRequest(`invalid port "${parsed.port}"`);
  return { scheme: parsed.scheme || 'https', host, port, client };
}

/** Hop-by-hop headers a proxy must not forward (RFC 7230 §6.1), and HTTP/2 pseudo-headers. */
const HOP = new Set([
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

function forward(call: ResourceCall, target: Target): Promise<boolean> {
  const req = call.req as Req & NodeJS.ReadableStream;
  const res = call.res as Res;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.startsWith(':') || HOP.has(k) || v === undefined) continue;
    headers[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  const search = new URL(req.url ?? '/', 'http://x').search;
  const send = target.scheme === 'https' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const out = send(
      {
        host: target.host,
        port: target.port,
        method: req.method,
        path: `${call.info.proxyPath || '/'}${search}`,
        headers,
        // in-cluster servers present certificates of their own; upstream does not verify them
        // either, nor kubelets unless --kubelet-certificate-authority
        rejectUnauthorized: target.client?.ca !== undefined,
        ...(target.client ? { cert: target.client.certPem, key: target.client.keyPem } : {}),
        ...(target.client?.ca !== undefined ? { ca: target.client.ca } : {}),
        timeout: 30_000,
      },
      (upstream: IncomingMessage) => {
        const h: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(upstream.headers)) if (!HOP.has(k) && v !== undefined) h[k] = v;
        res.writeHead(upstream.statusCode ?? 502, h);
        upstream.on('data', (d: Buffer) => res.write(d));
        upstream.on('end', () => {
          res.end();
          resolve(false);
        });
        upstream.on('error', () => {
          res.end();
          resolve(false);
        });
      },
    );
    out.on('timeout', () => out.destroy(new Error('timeout')));
    out.on('error', (err) => {
      const tls = target.client?.ca !== undefined ? verificationFailure(err, target.host) : undefined;
      reject(
        serviceUnavailable(
          `error trying to reach service: ${tls ?? `dial tcp ${target.host}:${target.port}: ${err.message}`}`,
        ),
      );
    });
    if (header(req, 'content-length') === '0' || req.method === 'GET' || req.method === 'HEAD') out.end();
    else req.pipe(out);
  });
}

export function registerProxyHandlers(custom: CustomHandlers, parts: ApiServerParts): void {
  custom.register('', 'services', 'proxy', async (call) =>
    forward(call, await serviceTarget(call, call.info.name!)),
  );
  custom.register('', 'pods', 'proxy', (call) => forward(call, podTarget(call, call.info.name!)));
  custom.register('', 'nodes', 'proxy', (call) =>
    forward(
      call,
      nodeTarget(call, call.info.name!, {
        ...parts.pki.kubeletClient,
        ...(parts.kubeletCA !== undefined ? { ca: parts.kubeletCA } : {}),
      }),
    ),
  );
}
