// What a server gives to servers that join it, before they have any credentials (k3s's
// /cacerts and /v1-k3s/server-bootstrap):
//   GET /cacerts                    the cluster CA bundle, unauthenticated; the joiner checks
//                                   its sha256 against the hash in its token (CA pinning)
//   GET /v1-k8ts/server-bootstrap   Basic auth server:<secret>; the shared keys as JSON
import { timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { logger } from '../util/log.js';
import type { JoinToken } from './join-token.js';

const log = logger('server-bootstrap');

export const BOOTSTRAP_PATH = '/v1-k8ts/server-bootstrap';

/** The files a joining server needs, keyed by their path relative to the data dir. */
export interface BootstrapBundle {
  files: Record<string, string>;
  /** The name of the EncryptionConfiguration among `files`, when the cluster encrypts at rest. */
  encryptionConfig?: string;
  /** Client URLs of the etcd members, for the joiner's MemberAdd. */
  etcdClientURLs: string[];
}

export interface BootstrapSource {
  token: JoinToken;
  /** data-dir-relative path -> absolute path of each file to share. */
  files: Record<string, string>;
  encryptionConfig?: string;
  etcdClientURLs: () => Promise<string[]>;
}

export type PreRoute = (req: Http2ServerRequest, res: Http2ServerResponse) => boolean;

function secretMatches(header: string | undefined, token: JoinToken): boolean {
  const m = /^Basic (.+)$/.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(Buffer.from(m[1]!, 'base64').toString('utf8'));
  const want = Buffer.from(`server:${token.secret}`);
  return given.length === want.length && timingSafeEqual(given, want);
}

function reply(
  res: Http2ServerResponse,
  status: number,
  body: string,
  type = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, { 'Content-Type': type });
  res.end(body);
}

/** /cacerts, served by every server (agents pin it with their join token's hash). */
export function caCertsRoute(caFile: string): PreRoute {
  return (req, res) => {
    if ((req.url ?? '/').split('?')[0] !== '/cacerts' || req.method !== 'GET') return false;
    reply(res, 200, readFileSync(caFile, 'utf8'));
    return true;
  };
}

export function bootstrapRoutes(src: BootstrapSource): PreRoute {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== BOOTSTRAP_PATH) return false;
    if (!secretMatches(req.headers.authorization, src.token)) {
      log.warn('refused a server bootstrap request: wrong token', { remote: req.socket?.remoteAddress });
      reply(res, 401, "Unauthorized: the join token is not this cluster's server token\n");
      return true;
    }
    void (async () => {
      const files: Record<string, string> = {};
      for (const [rel, abs] of Object.entries(src.files))
        if (existsSync(abs)) files[rel] = readFileSync(abs, 'utf8');
      const bundle: BootstrapBundle = {
        files,
        encryptionConfig: src.encryptionConfig,
        etcdClientURLs: await src.etcdClientURLs(),
      };
      reply(res, 200, JSON.stringify(bundle), 'application/json');
    })().catch((err: unknown) => reply(res, 500, `bootstrap failed: ${String(err)}\n`));
    return true;
  };
}
