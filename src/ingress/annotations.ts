// The ingress-nginx annotations (prefix nginx.ingress.kubernetes.io/) the controller honours,
// parsed per Ingress into one LocationConfig (pure: no I/O). As in ingress-nginx, a value that
// does not parse is ignored (the default applies) and reported once as a problem, which the
// controller logs and records as a Warning event; the one exception is an unparsable
// allow/deny source range, which ingress-nginx turns into a denied location (503), failing
// closed.
import { isIP } from 'node:net';
import type { ExternalAuth } from './extauth.js';
import type { RateLimits } from './ratelimit.js';

export const PREFIX = 'nginx.ingress.kubernetes.io/';

export interface Cors {
  /** '*' or the allowed origins (exact, or `*.` one-label wildcards) */
  origins: string[];
  methods: string;
  headers: string;
  credentials: boolean;
  exposeHeaders: string;
  maxAge: number;
}

export interface Cidr {
  /** 4 or 6 */
  family: number;
  bytes: Buffer;
  bits: number;
}

export interface LocationConfig {
  rewriteTarget: string;
  useRegex: boolean;
  appRoot: string;
  sslRedirect: boolean;
  forceSslRedirect: boolean;
  redirect?: { url: string; code: number };
  backendProtocol: 'HTTP' | 'HTTPS';
  /** bytes; 0 = no limit */
  bodyLimit: number;
  allow: Cidr[];
  deny: Cidr[];
  /** why the location answers 503 (ingress-nginx's LocationDenied) */
  denied?: string;
  cors?: Cors;
  upstreamVhost: string;
  xForwardedPrefix: string;
  canary?: Canary;
  /** auth-type basic: whose Secret the controller resolves into a PasswordFile */
  auth?: BasicAuth;
  /** auth-url: the external authentication service asked before proxying */
  externalAuth?: ExternalAuth;
  /** limit-rps / limit-rpm / limit-connections; the zone is named when the table is built */
  limits?: RateLimits;
}

export interface BasicAuth {
  /** namespace/name of the Secret */
  secret: string;
  /** auth-file: key `auth` holds htpasswd lines; auth-map: key = user, value = password hash */
  secretType: 'auth-file' | 'auth-map';
  /** auth-realm, '' when not set (nginx then sends `Basic realm=""`) */
  realm: string;
}

/** limit-burst-multiplier's default in ingress-nginx */
export const DEFAULT_BURST_MULTIPLIER = 5;

/** An Ingress marked canary: its paths are alternates of the same host/path of a main Ingress. */
export interface Canary {
  header: string;
  headerValue: string;
  cookie: string;
  weight: number;
  weightTotal: number;
}

/** ingress-nginx's ConfigMap default proxy-body-size: 1m. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export function defaultConfig(): LocationConfig {
  return {
    rewriteTarget: '',
    useRegex: false,
    appRoot: '',
    sslRedirect: true,
    forceSslRedirect: false,
    backendProtocol: 'HTTP',
    bodyLimit: DEFAULT_BODY_LIMIT,
    allow: [],
    deny: [],
    upstreamVhost: '',
    xForwardedPrefix: '',
  };
}

const CORS_DEFAULTS = {
  methods: 'GET, PUT, POST, DELETE, PATCH, OPTIONS',
  headers:
    'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Authorization',
  maxAge: 1728000,
};

/** nginx's size syntax (client_max_body_size): a number with an optional k/m/g suffix. */
export function parseSize(v: string): number | undefined {
  const m = /^(\d+)([bkmg]?)$/i.exec(v.trim());
  if (!m) return undefined;
  const mult = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase()] ?? 1;
  return Number(m[1]) * mult;
}

export function parseCidr(v: string): Cidr | undefined {
  const [addr, len, extra] = v.trim().split('/');
  if (extra !== undefined) return undefined;
  const family = isIP(addr);
  if (!family) return undefined;
  const max = family === 4 ? 32 : 128;
  const bits = len === undefined ? max : /^\d+$/.test(len) ? Number(len) : NaN;
  if (!(bits >= 0 && bits <= max)) return undefined;
  return { family, bytes: ipBytes(addr, family), bits };
}

function ipBytes(addr: string, family: number): Buffer {
  if (family === 4) return Buffer.from(addr.split('.').map(Number));
  let a = addr;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (v4) {
    const b = v4[1].split('.').map(Number);
    a =
      a.slice(0, -v4[1].length) + `${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const groups = tail !== undefined ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return out;
}

/** Whether a client address (as node reports it, maybe ::ffff:-mapped) is inside a range. */
export function inCidr(client: string, c: Cidr): boolean {
  let addr = client;
  let family = isIP(addr);
  if (family === 6 && c.family === 4 && /^::ffff:\d/i.test(addr)) {
    addr = addr.slice(7);
    family = 4;
  }
  if (family !== c.family) return false;
  const b = ipBytes(addr, family);
  const full = Math.floor(c.bits / 8);
  if (!b.subarray(0, full).equals(c.bytes.subarray(0, full))) return false;
  const rest = c.bits % 8;
  if (!rest) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (b[full] & mask) === (c.bytes[full] & mask);
}

function isAbsoluteUrl(v: string): boolean {
  try {
    return new URL(v).protocol !== '';
  } catch {
    return false;
  }
}

/** The config of an Ingress's locations and the annotation values it ignored. */
export function parseAnnotations(
  annotations: Record<string, string> | undefined,
  namespace = 'default',
): {
  config: LocationConfig;
  problems: string[];
} {
  const c = defaultConfig();
  const problems: string[] = [];
  const a = annotations ?? {};
  const get = (name: string): string | undefined => a[PREFIX + name];
  const bad = (name: string, why: string) =>
    problems.push(`annotation ${PREFIX}${name} ignored: ${why} (value "${get(name)}")`);
  const bool = (name: string, dflt: boolean): boolean => {
    const v = get(name);
    if (v === undefined) return dflt;
    if (/^(1|t|true)$/i.test(v.trim())) return true;
    if (/^(0|f|false)$/i.test(v.trim())) return false;
    bad(name, 'not a boolean');
    return dflt;
  };
  const int = (name: string): number | undefined => {
    const v = get(name);
    if (v === undefined) return undefined;
    if (/^-?\d+$/.test(v.trim())) return Number(v.trim());
    bad(name, 'not an integer');
    return undefined;
  };

  c.rewriteTarget = get('rewrite-target') ?? '';
  c.useRegex = bool('use-regex', false);
  const appRoot = get('app-root');
  if (appRoot !== undefined) {
    if (appRoot.startsWith('/') && !/\s/.test(appRoot)) c.appRoot = appRoot;
    else bad('app-root', 'not an absolute path');
  }
  c.sslRedirect = bool('ssl-redirect', true);
  c.forceSslRedirect = bool('force-ssl-redirect', false);

  // temporal-redirect wins over permanent-redirect, as in ingress-nginx's redirect parser
  const temporal = get('temporal-redirect');
  const permanent = get('permanent-redirect');
  if (temporal !== undefined) {
    if (isAbsoluteUrl(temporal)) c.redirect = { url: temporal, code: 302 };
    else bad('temporal-redirect', 'url scheme is empty');
  }
  if (!c.redirect && permanent !== undefined) {
    if (isAbsoluteUrl(permanent)) {
      let code = int('permanent-redirect-code') ?? 301;
      // outside 300..308 ingress-nginx falls back to 301
      if (code < 300 || code > 308) code = 301;
      c.redirect = { url: permanent, code };
    } else bad('permanent-redirect', 'url scheme is empty');
  }

  const proto = get('backend-protocol');
  if (proto !== undefined) {
    const p = proto.trim().toUpperCase();
    if (p === 'HTTP' || p === 'HTTPS') c.backendProtocol = p;
    else if (['GRPC', 'GRPCS', 'FCGI', 'AUTO_HTTP'].includes(p))
      bad('backend-protocol', `${p} is not supported by the k8ts ingress controller, using HTTP`);
    else bad('backend-protocol', 'invalid backend protocol, using HTTP');
  }

  const size = get('proxy-body-size');
  if (size !== undefined) {
    const n = parseSize(size);
    if (n === undefined) bad('proxy-body-size', 'not an nginx size');
    else c.bodyLimit = n;
  }

  for (const [names, into] of [
    [['allowlist-source-range', 'whitelist-source-range'], c.allow],
    [['denylist-source-range'], c.deny],
  ] as const) {
    const name = names.find((n) => get(n) !== undefined);
    if (!name) continue;
    for (const part of get(name)!.split(',')) {
      if (!part.trim()) continue;
      const cidr = parseCidr(part);
      if (cidr) into.push(cidr);
      else
        c.denied = `the annotation ${PREFIX}${name} does not contain a valid IP address or network: ${part.trim()}`;
    }
  }
  const authDenied = parseAuth(get, namespace, c) ?? parseExternalAuth(get, c);
  if (authDenied && !c.denied) c.denied = authDenied;
  if (c.denied) problems.push(c.denied);
  parseLimits(get, int, c, problems);

  if (bool('enable-cors', false)) {
    const originList = (get('cors-allow-origin') ?? '*')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const origins = originList.includes('*') || !originList.length ? ['*'] : originList;
    const maxAge = int('cors-max-age');
    c.cors = {
      origins,
      methods: get('cors-allow-methods') ?? CORS_DEFAULTS.methods,
      headers: get('cors-allow-headers') ?? CORS_DEFAULTS.headers,
      credentials: bool('cors-allow-credentials', true),
      exposeHeaders: get('cors-expose-headers') ?? '',
      maxAge: maxAge ?? CORS_DEFAULTS.maxAge,
    };
  }
  if (bool('canary', false)) {
    const total = int('canary-weight-total') ?? 100;
    const weightTotal = total > 0 ? total : 100;
    const weight = int('canary-weight') ?? 0;
    c.canary = {
      header: get('canary-by-header') ?? '',
      headerValue: get('canary-by-header-value') ?? '',
      cookie: get('canary-by-cookie') ?? '',
      weight: Math.max(0, Math.min(weight, weightTotal)),
      weightTotal,
    };
  }
  c.upstreamVhost = get('upstream-vhost') ?? '';
  c.xForwardedPrefix = get('x-forwarded-prefix') ?? '';
  return { config: c, problems };
}

type Getter = (name: string) => string | undefined;

/**
 * auth-type / auth-secret / auth-secret-type / auth-realm, with ingress-nginx's reasons for
 * denying the location (503) when they do not describe a usable Secret. Cross-namespace
 * Secrets are refused, as allow-cross-namespace-resources' default (false since ingress-nginx
 * v1.12) does.
 */
function parseAuth(get: Getter, namespace: string, c: LocationConfig): string | undefined {
  const type = get('auth-type');
  if (type === undefined) return undefined;
  const t = type.trim();
  if (t === 'digest') return 'digest authentication is not supported by the k8ts ingress controller';
  if (t !== 'basic') return 'invalid authentication type';
  const secretType = (get('auth-secret-type') ?? 'auth-file').trim();
  const secret = get('auth-secret')?.trim();
  if (!secret) return 'error reading secret name from annotation: ingress rule without annotations';
  const parts = secret.split('/');
  if (parts.length > 2 || parts.some((p) => !p))
    return `error reading secret name from annotation: unexpected key format: "${secret}"`;
  const [ns, name] = parts.length === 2 ? parts : [namespace, parts[0]];
  if (ns !== namespace) return 'cross namespace usage of secrets is not allowed';
  if (secretType !== 'auth-file' && secretType !== 'auth-map')
    return "invalid auth-secret-type in annotation, must be 'auth-file' or 'auth-map'";
  c.auth = { secret: `${ns}/${name}`, secretType, realm: get('auth-realm') ?? '' };
  return undefined;
}

/** auth-url and its companions; like ingress-nginx, a bad URL, method or header list denies. */
function parseExternalAuth(get: Getter, c: LocationConfig): string | undefined {
  const raw = get('auth-url')?.trim();
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `could not parse auth-url annotation: ${raw} is not a valid URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `could not parse auth-url annotation: ${raw} is not a valid URL`;
  const method = (get('auth-method') ?? '').trim();
  if (method && !/^(GET|HEAD|POST|PUT|PATCH|DELETE|CONNECT|OPTIONS|TRACE)$/.test(method))
    return 'invalid HTTP method';
  const responseHeaders = (get('auth-response-headers') ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  if (responseHeaders.some((h) => !/^[A-Za-z0-9-]+$/.test(h))) return 'invalid headers list';
  c.externalAuth = {
    url: raw,
    method,
    signin: (get('auth-signin') ?? '').trim(),
    redirectParam: (get('auth-signin-redirect-param') ?? '').trim() || 'rd',
    responseHeaders,
    requestRedirect: (get('auth-request-redirect') ?? '').trim(),
  };
  return undefined;
}

/**
 * limit-rps / limit-rpm / limit-connections / limit-burst-multiplier / limit-whitelist. As in
 * ingress-nginx, a whitelist entry that does not parse drops the limits of the Ingress.
 */
function parseLimits(
  get: Getter,
  int: (name: string) => number | undefined,
  c: LocationConfig,
  problems: string[],
): void {
  const count = (name: string): number => {
    const n = int(name) ?? 0;
    if (n >= 0) return n;
    problems.push(`annotation ${PREFIX}${name} ignored: negative (value "${get(name)}")`);
    return 0;
  };
  const rps = count('limit-rps');
  const rpm = count('limit-rpm');
  const connections = count('limit-connections');
  if (!rps && !rpm && !connections) return;
  const m = int('limit-burst-multiplier');
  let multiplier = m ?? DEFAULT_BURST_MULTIPLIER;
  if (multiplier < 0) {
    count('limit-burst-multiplier');
    multiplier = DEFAULT_BURST_MULTIPLIER;
  }
  const whitelist: Cidr[] = [];
  for (const part of (get('limit-whitelist') ?? '').split(',')) {
    if (!part.trim()) continue;
    const cidr = parseCidr(part);
    if (!cidr) {
      problems.push(
        `annotation ${PREFIX}limit-whitelist: invalid IP address or network ${JSON.stringify(part.trim())}, rate limits not applied`,
      );
      return;
    }
    whitelist.push(cidr);
  }
  c.limits = { zone: '', rps, rpm, connections, burstMultiplier: multiplier, whitelist };
}

/** The value of Access-Control-Allow-Origin for a request's Origin, undefined when not allowed. */
export function corsOrigin(cors: Cors, origin: string | undefined): string | undefined {
  if (cors.origins[0] === '*') return '*';
  if (!origin) return undefined;
  const o = origin.toLowerCase();
  for (const allowed of cors.origins) {
    const al = allowed.toLowerCase();
    const star = al.indexOf('://*.');
    if (star >= 0) {
      const scheme = al.slice(0, star + 3);
      const suffix = al.slice(star + 4);
      if (o.startsWith(scheme) && o.endsWith(suffix)) {
        const label = o.slice(scheme.length, o.length - suffix.length);
        if (label && !label.includes('.') && !label.includes('/')) return origin;
      }
    } else if (o === al) return origin;
  }
  return undefined;
}

/** The CORS headers ingress-nginx adds to a response (and to the preflight's 204). */
export function corsHeaders(cors: Cors, allowOrigin: string): Record<string, string> {
  const h: Record<string, string> = { 'access-control-allow-origin': allowOrigin };
  if (cors.credentials) h['access-control-allow-credentials'] = 'true';
  h['access-control-allow-methods'] = cors.methods;
  h['access-control-allow-headers'] = cors.headers;
  if (cors.exposeHeaders) h['access-control-expose-headers'] = cors.exposeHeaders;
  h['access-control-max-age'] = String(cors.maxAge);
  return h;
}

/**
 * Whether a request goes to the canary, in ingress-nginx's order: canary-by-header (its value,
 * or "always"/"never"), then canary-by-cookie ("always"/"never"), then canary-weight.
 */
export function toCanary(
  c: Canary,
  headers: Record<string, string | string[] | undefined>,
  random: () => number = Math.random,
): boolean {
  if (c.header) {
    const v = headers[c.header.toLowerCase()];
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined) {
      if (c.headerValue) {
        if (value === c.headerValue) return true;
      } else if (value === 'always') return true;
      else if (value === 'never') return false;
    }
  }
  if (c.cookie) {
    const cookies = String(headers.cookie ?? '').split(';');
    for (const kv of cookies) {
      const [k, ...rest] = kv.trim().split('=');
      if (k !== c.cookie) continue;
      const value = rest.join('=');
      if (value === 'always') return true;
      if (value === 'never') return false;
    }
  }
  return c.weight > 0 && random() * c.weightTotal < c.weight;
}
