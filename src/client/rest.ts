// The REST client every component uses to reach the API server (client-go's rest.Interface):
// one HTTP/2 session per server, JSON bodies, Status errors turned back into StatusErrors.
import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { readFileSync } from 'node:fs';
import { parse as parseYAML } from 'yaml';
import { StatusError, type Status } from '../api/errors.js';

export interface ClientConfig {
  server: string;
  ca: string;
  cert?: string;
  key?: string;
  token?: string;
  /** A bearer token file read again every minute (in-cluster: the projected token is rotated). */
  tokenFile?: string;
  userAgent?: string;
}

/** Where the kubelet mounts a pod's service account token, CA and namespace (kube-api-access-*). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * client-go's rest.InClusterConfig: the API server at KUBERNETES_SERVICE_HOST:PORT (the
 * `kubernetes` Service, which the kubelet puts in every container's environment), trusted
 * with the mounted kube-root-ca, authenticated with the mounted service account token.
 */
export function inClusterConfig(
  userAgent = 'k8ts',
  env = process.env,
  dir = SERVICE_ACCOUNT_DIR,
): ClientConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port)
    throw new Error(
      'unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined',
    );
  const tokenFile = `${dir}/token`;
  readFileSync(tokenFile); // fail now, with the path in the error, rather than at the first request
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readFileSync(`${dir}/ca.crt`, 'utf8'),
    tokenFile,
    userAgent,
  };
}

interface KubeconfigFile {
  'current-context'?: string;
  clusters?: {
    name: string;
    cluster: { server: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string };
  }[];
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  users?: {
    name: string;
    user: {
      'client-certificate-data'?: string;
      'client-key-data'?: string;
      'client-certificate'?: string;
      'client-key'?: string;
      token?: string;
    };
  }[];
}

/** Reads a kubeconfig file's current context. */
export function loadKubeconfig(path: string, userAgent = 'k8ts'): ClientConfig {
  const cfg = parseYAML(readFileSync(path, 'utf8')) as KubeconfigFile;
  const ctxName = cfg['current-context'];
  const ctx = cfg.contexts?.find((c) => c.name === ctxName)?.context ?? cfg.contexts?.[0]?.context;
  const cluster = cfg.clusters?.find((c) => c.name === ctx?.cluster)?.cluster;
  const user = cfg.users?.find((u) => u.name === ctx?.user)?.user;
  if (!cluster) throw new Error(`kubeconfig ${path}: no cluster for the current context`);
  const b64 = (s?: string) => (s ? Buffer.from(s, 'base64').toString() : undefined);
  const file = (p?: string) => (p ? readFileSync(p, 'utf8') : undefined);
  const out: ClientConfig = {
    server: cluster.server,
    ca: b64(cluster['certificate-authority-data']) ?? file(cluster['certificate-authority']) ?? '',
    userAgent,
  };
  const cert = b64(user?.['client-certificate-data']) ?? file(user?.['client-certificate']);
  const key = b64(user?.['client-key-data']) ?? file(user?.['client-key']);
  if (cert) out.cert = cert;
  if (key) out.key = key;
  if (user?.token) out.token = user.token;
  return out;
}

export class RestClient {
  private session: ClientHttp2Session | undefined;
  private closed = false;
  private fileToken: { value: string; readAt: number } | undefined;

  constructor(readonly config: ClientConfig) {}

  private bearerToken(): string | undefined {
    if (!this.config.tokenFile) return this.config.token;
    const now = Date.now();
    if (!this.fileToken || now - this.fileToken.readAt > 60_000) {
      try {
        this.fileToken = { value: readFileSync(this.config.tokenFile, 'utf8').trim(), readAt: now };
      } catch {
        // keep the last token read: the kubelet rewrites the file, it is not gone for good
        if (!this.fileToken) return this.config.token;
      }
    }
    return this.fileToken!.value;
  }

  private getSession(): ClientHttp2Session {
    if (this.closed) throw new Error('client closed');
    if (!this.session || this.session.closed || this.session.destroyed) {
      const s = connect(this.config.server, {
        ca: this.config.ca,
        cert: this.config.cert,
        key: this.config.key,
        // MB: big watches (every pod of a cluster) must not exhaust Node's 10 MB default
        maxSessionMemory: 256,
      });
      s.on('error', () => s.destroy());
      s.on('goaway', () => s.close());
      this.session = s;
    }
    return this.session;
  }

  /** Opens a request stream; the caller reads it (used for watches). */
  stream(method: string, path: string, body?: unknown, contentType = 'application/json'): ClientHttp2Stream {
    const headers: Record<string, string> = {
      [constants.HTTP2_HEADER_METHOD]: method,
      [constants.HTTP2_HEADER_PATH]: path,
      accept: 'application/json',
      'user-agent': this.config.userAgent ?? 'k8ts',
    };
    const token = this.bearerToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = contentType;
    // node ends DELETE streams at once unless told otherwise; DeleteOptions travel in the body
    const req = this.getSession().request(headers, { endStream: body === undefined });
    req.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
    return req;
  }

  /** A request with a JSON answer; non-2xx answers throw the server's Status as a StatusError. */
  async request<T = unknown>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const req = this.stream(method, path, body, contentType);
    return new Promise<T>((resolve, reject) => {
      let status = 0;
      const chunks: Buffer[] = [];
      req.on('response', (h) => (status = Number(h[constants.HTTP2_HEADER_STATUS])));
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('error', reject);
      // a stream can close without an answer or an error (its connection dropped, e.g. through
      // a load balancer whose server died): the request fails rather than waiting forever
      req.on('close', () => {
        if (!req.readableEnded) reject(new Error(`connection closed before the answer to ${method} ${path}`));
      });
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        if (status >= 200 && status < 300) return resolve(parsed as T);
        const st = parsed as Partial<Status> | undefined;
        reject(
          new StatusError(
            st?.code ?? status,
            st?.reason ?? 'InternalError',
            st?.message ?? text,
            st?.details,
          ),
        );
      });
    });
  }

  /**
   * Renewed client credentials (the kubelet's rotated certificate): new requests open a new
   * connection with them; streams open on the old one (watches) finish there.
   */
  setClientCertificate(certPem: string, keyPem: string): void {
    this.config.cert = certPem;
    this.config.key = keyPem;
    const old = this.session;
    this.session = undefined;
    old?.close();
  }

  close(): void {
    this.closed = true;
    this.session?.close();
  }
}
