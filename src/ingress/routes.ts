// The route table an Ingress controller serves, built from Ingress objects alone (pure: no
// I/O), and the matching a request goes through, as the Ingress API (networking.k8s.io/v1)
// and ingress-nginx define it:
// - the Host header picks one server: an exact host first, else a `*.example.com` wildcard
//   (which stands for exactly one DNS label), else the rules that name no host;
// - inside it, an Exact path, else the longest matching Prefix path (element-wise: `/foo`
//   matches `/foo`, `/foo/` and `/foo/bar`, never `/foobar`; a trailing slash is ignored);
//   ImplementationSpecific is treated as Prefix;
// - nothing matched: the defaultBackend of the Ingress that defined the host, else the oldest
//   Ingress's spec.defaultBackend, else the controller's 404 page.
// As in ingress-nginx, a request never falls through from a named host to the host-less rules.
// When two Ingresses define the same host, path and type, the older one (creationTimestamp,
// then namespace/name) wins.
// With ingress-nginx's use-regex or rewrite-target annotation on any Ingress of a host, every
// path of that host is a case-insensitive regular expression anchored at the start (nginx's
// `location ~* "^path"`), tried longest path first, first match wins.
import type { KubeObject } from '../api/types.js';
import { defaultConfig, parseAnnotations, type LocationConfig } from './annotations.js';

export type BackendRef =
  | { kind: 'service'; namespace: string; name: string; port: { number?: number; name?: string } }
  | { kind: 'resource'; namespace: string; apiGroup?: string; resourceKind: string; name: string };

export interface Route {
  /** namespace/name of the Ingress this route came from */
  ingress: string;
  backend: BackendRef;
  /** the annotations of that Ingress */
  config: LocationConfig;
  /** the rule's path as written (a regular expression on regex hosts) */
  path: string;
  /** a canary Ingress's alternate for this host and path */
  canary?: Route;
}

interface RegexRoute extends Route {
  pattern: RegExp;
}

interface PrefixRoute extends Route {
  /** the path without trailing slashes ('' for '/') */
  prefix: string;
}

/** The paths of one host (or of the host-less rules). */
export class Server {
  readonly exact = new Map<string, Route>();
  /** longest prefix first */
  readonly prefixes: PrefixRoute[] = [];
  /** set when the host's paths are regular expressions */
  regex: RegexRoute[] | undefined;
  /** the app-root annotation of the oldest Ingress of this host that sets one */
  appRoot = '';
  fallback: Route | undefined;

  match(path: string): Route | undefined {
    if (this.regex) return this.regex.find((r) => r.pattern.test(path)) ?? this.fallback;
    const exact = this.exact.get(path);
    if (exact) return exact;
    for (const p of this.prefixes)
      if (p.prefix === '' || path === p.prefix || path.startsWith(p.prefix + '/')) return p;
    return this.fallback;
  }

  addPath(type: string, path: string, route: Route): string | undefined {
    if (this.regex) {
      if (this.regex.some((r) => r.path === path)) return;
      try {
        this.regex.push({ ...route, pattern: new RegExp('^' + path, 'i') });
      } catch (err) {
        return `path ${JSON.stringify(path)} is not a valid regular expression: ${(err as Error).message}`;
      }
      return;
    }
    if (type === 'Exact') {
      if (!this.exact.has(path)) this.exact.set(path, route);
      return;
    }
    const prefix = path.replace(/\/+$/, '');
    if (this.prefixes.some((p) => p.prefix === prefix)) return;
    this.prefixes.push({ ...route, prefix });
  }

  /** The route defined for exactly this path (and type), for a canary to attach to. */
  routeFor(type: string, path: string): Route | undefined {
    if (this.regex) return this.regex.find((r) => r.path === path);
    if (type === 'Exact') return this.exact.get(path);
    const prefix = path.replace(/\/+$/, '');
    return this.prefixes.find((p) => p.prefix === prefix);
  }

  /** Longest prefix first; called once the table is built (a stable sort keeps age order). */
  sortPrefixes(): void {
    this.regex?.sort((a, b) => b.path.length - a.path.length);
    this.prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
  }
}

export interface TlsEntry {
  /** namespace/name of the kubernetes.io/tls Secret; '' = none named (the default certificate) */
  secret: string;
  ingress: string;
}

export class RouteTable {
  readonly exactHosts = new Map<string, Server>();
  /** keyed by the suffix after `*`, e.g. '.example.com' */
  readonly wildcardHosts = new Map<string, Server>();
  readonly noHost = new Server();
  defaultBackend: Route | undefined;
  /** TLS hosts (exact or `*.` wildcard) → the Secret holding their certificate */
  readonly tls = new Map<string, TlsEntry>();
  /** namespace/name of an Ingress → what in it was ignored (annotations, paths) */
  readonly problems = new Map<string, string[]>();
  /** namespace/name of an Ingress → its parsed annotations */
  readonly configs = new Map<string, LocationConfig>();

  /** The server a Host header selects. */
  server(host: string): Server {
    const h = normalizeHost(host);
    const exact = this.exactHosts.get(h);
    if (exact) return exact;
    const dot = h.indexOf('.');
    if (dot > 0) {
      const wild = this.wildcardHosts.get(h.slice(dot));
      if (wild) return wild;
    }
    return this.noHost;
  }

  /** The route of a request, undefined for the 404 default page. */
  match(host: string, path: string): Route | undefined {
    return this.server(host).match(path) ?? this.defaultBackend;
  }

  /** The TLS entry covering a host name (SNI or Host header), exact before wildcard. */
  tlsFor(host: string): TlsEntry | undefined {
    const h = normalizeHost(host);
    const exact = this.tls.get(h);
    if (exact) return exact;
    const dot = h.indexOf('.');
    return dot > 0 ? this.tls.get('*' + h.slice(dot)) : undefined;
  }
}

/** The host part of a Host header, lower-cased, without port or trailing dot. */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  return h.replace(/\.$/, '');
}

/**
 * The URI sent to the pod for a route: with rewrite-target, nginx's `rewrite "(?i)path"
 * target break`: when the path (unanchored) matches, the whole path becomes the target with
 * $1…$9 filled from the captures, and the query string is kept.
 */
export function rewrittenUrl(route: Route, url: string): string {
  const target = route.config.rewriteTarget;
  if (!target || target === route.path) return url;
  const path = requestPath(url);
  const q = url.search(/[?#]/);
  const query = q >= 0 ? url.slice(q) : '';
  let re: RegExp;
  try {
    re = new RegExp(route.path, 'i');
  } catch {
    return url;
  }
  const m = re.exec(path);
  if (!m) return url;
  const out = target.replace(/\$(\d)/g, (_, n: string) => m[Number(n)] ?? '');
  return (out.startsWith('/') ? out : '/' + out) + query;
}

/** The request path a route is matched on: no query string. */
export function requestPath(url: string): string {
  const q = url.search(/[?#]/);
  const p = q >= 0 ? url.slice(0, q) : url;
  return p.startsWith('/') ? p : '/' + p;
}

type Obj = Record<string, unknown>;

export function backendOf(namespace: string, b: unknown): BackendRef | undefined {
  const be = (b ?? {}) as { service?: { name?: string; port?: Obj }; resource?: Obj };
  if (be.service?.name) {
    const port = be.service.port ?? {};
    return {
      kind: 'service',
      namespace,
      name: be.service.name,
      port: {
        number: typeof port.number === 'number' ? port.number : undefined,
        name: typeof port.name === 'string' ? port.name : undefined,
      },
    };
  }
  if (be.resource)
    return {
      kind: 'resource',
      namespace,
      apiGroup: typeof be.resource.apiGroup === 'string' ? be.resource.apiGroup : undefined,
      resourceKind: String(be.resource.kind ?? ''),
      name: String(be.resource.name ?? ''),
    };
  return undefined;
}

export function ingressKey(i: KubeObject): string {
  return `${i.metadata.namespace}/${i.metadata.name}`;
}

/** Oldest first, then by namespace/name: the order conflicts are decided in. */
export function byAge(a: KubeObject, b: KubeObject): number {
  const t = (i: KubeObject) => Date.parse(i.metadata.creationTimestamp ?? '') || 0;
  return t(a) - t(b) || (ingressKey(a) < ingressKey(b) ? -1 : ingressKey(a) > ingressKey(b) ? 1 : 0);
}

interface IngressSpec {
  defaultBackend?: unknown;
  rules?: { host?: string; http?: { paths?: { path?: string; pathType?: string; backend?: unknown }[] } }[];
  tls?: { hosts?: string[]; secretName?: string }[];
}

/** Builds the table from the Ingresses this controller serves. */
export function buildRouteTable(ingresses: KubeObject[]): RouteTable {
  const table = new RouteTable();
  const sorted = [...ingresses].sort(byAge);
  const configs = table.configs;
  for (const ing of sorted) {
    const { config, problems } = parseAnnotations(ing.metadata.annotations, ing.metadata.namespace);
    // one zone per Ingress, shared by its paths (ingress-nginx names it ns_name_uid)
    if (config.limits) config.limits.zone = `${ingressKey(ing)}/${ing.metadata.uid ?? ''}`;
    configs.set(ingressKey(ing), config);
    if (problems.length) table.problems.set(ingressKey(ing), problems);
    // the regex mode is the host's, whichever Ingress asked for it (ingress-nginx's docs)
    if (config.useRegex || config.rewriteTarget)
      for (const rule of ((ing.spec ?? {}) as IngressSpec).rules ?? []) {
        const server = serverFor(table, rule.host);
        server.regex ??= [];
      }
  }
  const canaries: KubeObject[] = [];
  for (const ing of sorted) {
    const ns = ing.metadata.namespace ?? 'default';
    const key = ingressKey(ing);
    const config = configs.get(key) ?? defaultConfig();
    if (config.canary) {
      canaries.push(ing);
      continue;
    }
    const spec = (ing.spec ?? {}) as IngressSpec;
    const dflt = backendOf(ns, spec.defaultBackend);
    const fallback = dflt ? { ingress: key, backend: dflt, config, path: '/' } : undefined;
    if (fallback && !table.defaultBackend) table.defaultBackend = fallback;
    for (const rule of spec.rules ?? []) {
      const server = serverFor(table, rule.host);
      if (fallback && !server.fallback && rule.host) server.fallback = fallback;
      if (config.appRoot && !server.appRoot) server.appRoot = config.appRoot;
      for (const p of rule.http?.paths ?? []) {
        const backend = backendOf(ns, p.backend);
        if (!backend) continue;
        const type = p.pathType === 'Exact' ? 'Exact' : 'Prefix';
        const path = p.path || '/';
        const problem = server.addPath(type, path, { ingress: key, backend, config, path });
        if (problem) table.problems.set(key, [...(table.problems.get(key) ?? []), problem]);
      }
    }
    for (const t of spec.tls ?? []) {
      const secret = t.secretName ? `${ns}/${t.secretName}` : '';
      for (const h of t.hosts ?? []) {
        const host = h.toLowerCase();
        if (!table.tls.has(host)) table.tls.set(host, { secret, ingress: key });
      }
    }
  }
  for (const ing of canaries) attachCanary(table, ing, configs.get(ingressKey(ing)) ?? defaultConfig());
  for (const s of [table.noHost, ...table.exactHosts.values(), ...table.wildcardHosts.values()])
    s.sortPrefixes();
  return table;
}

/**
 * A canary Ingress serves nothing by itself: each of its paths becomes the alternate of the
 * main Ingress's route with the same host and path (the oldest canary wins); a path without
 * one is reported, as ingress-nginx does not serve it either.
 */
function attachCanary(table: RouteTable, ing: KubeObject, config: LocationConfig): void {
  const key = ingressKey(ing);
  const ns = ing.metadata.namespace ?? 'default';
  const spec = (ing.spec ?? {}) as IngressSpec;
  for (const rule of spec.rules ?? []) {
    const server = serverFor(table, rule.host);
    for (const p of rule.http?.paths ?? []) {
      const backend = backendOf(ns, p.backend);
      if (!backend) continue;
      const path = p.path || '/';
      const main = server.routeFor(p.pathType === 'Exact' ? 'Exact' : 'Prefix', path);
      if (!main) {
        const why = `canary path ${rule.host ?? ''}${path} has no main Ingress to attach to`;
        table.problems.set(key, [...(table.problems.get(key) ?? []), why]);
        continue;
      }
      main.canary ??= { ingress: key, backend, config, path };
    }
  }
}

function serverFor(table: RouteTable, host: string | undefined): Server {
  if (!host) return table.noHost;
  const h = host.toLowerCase();
  const [map, key] = h.startsWith('*.') ? [table.wildcardHosts, h.slice(1)] : [table.exactHosts, h];
  let s = map.get(key);
  if (!s) map.set(key, (s = new Server()));
  return s;
}
