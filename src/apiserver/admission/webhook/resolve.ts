// Where a webhook's clientConfig points: a URL as given, or a Service reference resolved to one
// of the Service's ready endpoints (upstream's endpoint service resolver, which kube-apiserver
// uses with --enable-aggregator-routing; its default resolves to the cluster IP and relies on
// kube-proxy, which a node-less k8ts does not have). TLS is verified against the name
// <service>.<namespace>.svc either way, as upstream does.
import type { KubeObject } from '../../../api/types.js';
import type { ServiceReference, WebhookClientConfig } from './types.js';

export interface Target {
  /** Host (IP or name) and port to connect to. */
  host: string;
  port: number;
  /** Name the serving certificate must carry (TLS SNI and verification). */
  serverName: string;
  /** Path (with any query) of the request. */
  path: string;
  /** The URL as upstream prints it in errors. */
  url: string;
}

/** Reads one object from the API server's caches (core group). */
export type ObjectGetter = (
  resource: string,
  namespace: string,
  name: string,
) => Promise<KubeObject | undefined>;

interface ServicePort {
  name?: string;
  port?: number;
  targetPort?: number | string;
}
interface EndpointSubset {
  addresses?: { ip: string }[];
  ports?: { name?: string; port: number }[];
}

/** A resolution failure, worded as upstream's service resolvers word it. */
export class ResolveError extends Error {}

/** A ready endpoint (IP and target port) behind a Service port, picked at random. */
export async function resolveService(
  ref: ServiceReference,
  get: ObjectGetter,
): Promise<{ host: string; port: number }> {
  const ns = ref.namespace ?? '';
  const name = ref.name ?? '';
  const port = ref.port ?? 443;
  const svc = await get('services', ns, name);
  if (!svc) throw new ResolveError(`service "${name}" not found`);
  const spec = (svc.spec ?? {}) as { type?: string; externalName?: string; ports?: ServicePort[] };
  if (spec.type === 'ExternalName' && spec.externalName) return { host: spec.externalName, port };
  const svcPort = (spec.ports ?? []).find((p) => p.port === port);
  if (!svcPort) throw new ResolveError(`no service port ${port} found for service "${name}"`);
  const ep = await get('endpoints', ns, name);
  for (const subset of (ep?.subsets ?? []) as EndpointSubset[]) {
    const epPort = (subset.ports ?? []).find((p) => (p.name ?? '') === (svcPort.name ?? ''));
    const addresses = subset.addresses ?? [];
    if (!epPort || !addresses.length) continue;
    const pick = addresses[Math.floor(Math.random() * addresses.length)]!;
    return { host: pick.ip, port: epPort.port };
  }
  throw new ResolveError(`no endpoints available for service "${name}"`);
}

/** The request target; `timeoutSeconds` goes into the URL's ?timeout= as upstream adds it. */
export async function resolveTarget(
  cc: WebhookClientConfig,
  timeoutSeconds: number,
  get: ObjectGetter,
): Promise<Target> {
  const query = `?timeout=${timeoutSeconds}s`;
  if (cc.url !== undefined) {
    const u = new URL(cc.url);
    const path = (u.pathname || '/') + query;
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return { host, port: Number(u.port || 443), serverName: host, path, url: `${cc.url}${query}` };
  }
  const ref = cc.service!;
  const serverName = `${ref.name}.${ref.namespace}.svc`;
  const port = ref.port ?? 443;
  const path = (ref.path ?? '') + query;
  const url = `https://${serverName}:${port}${path.startsWith('/') ? path : `/${path}`}`;
  const { host, port: epPort } = await resolveService(ref, get).catch((err: unknown) => {
    throw err instanceof ResolveError ? new ResolveError(`Post "${url}": ${err.message}`) : err;
  });
  return { host, port: epPort, serverName, path: path.startsWith('/') ? path : `/${path}`, url };
}
