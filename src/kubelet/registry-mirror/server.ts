// A read-only OCI distribution (registry v2) server on loopback, serving the node's images as
// containerd's mirror for docker.io, registry.k8s.io and k8ts.io. With it, imagePullPolicy
// Always behaves as upstream with a registry: the kubelet asks, the "registry" answers with the
// image's current manifest, and a pull of an image the node does not have fails as it would
// upstream (the mirror says 404, containerd then tries the real registry).
// Routes (distribution spec "pull" category): GET /v2/, GET|HEAD /v2/<name>/manifests/<ref>,
// GET|HEAD /v2/<name>/blobs/<digest>; ?ns=<registry> is how containerd tells a mirror which
// registry a request is for (docker.io when absent).
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { logger } from '../../util/log.js';
import { DIGEST_RE, type ImageSource } from './source.js';

const log = logger('registry-mirror');
const API_HEADER = { 'Docker-Distribution-API-Version': 'registry/2.0' };
// distribution spec: <name> is path components of [a-z0-9]+([._-][a-z0-9]+)* joined by '/'
const NAME_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;

type ErrorCode =
  'NAME_INVALID' | 'MANIFEST_UNKNOWN' | 'BLOB_UNKNOWN' | 'UNSUPPORTED' | 'DIGEST_INVALID' | 'TAG_INVALID';
const MESSAGES: Record<ErrorCode, string> = {
  NAME_INVALID: 'invalid repository name',
  MANIFEST_UNKNOWN: 'manifest unknown',
  BLOB_UNKNOWN: 'blob unknown to registry',
  UNSUPPORTED: 'The operation is unsupported.',
  DIGEST_INVALID: 'provided digest did not match uploaded content',
  TAG_INVALID: 'manifest tag did not match URI',
};

function sendError(res: ServerResponse, status: number, code: ErrorCode, detail?: unknown): void {
  const body = JSON.stringify({ errors: [{ code, message: MESSAGES[code], detail: detail ?? null }] });
  res.writeHead(status, {
    ...API_HEADER,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

export interface RegistryMirror {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startRegistryMirror(
  source: ImageSource,
  opts: { host?: string; port?: number } = {},
): Promise<RegistryMirror> {
  const server: Server = createServer((req, res) => {
    handle(source, req, res).catch((err: Error) => {
      log.warn('request failed', { url: req.url, error: err.message });
      if (!res.headersSent) res.writeHead(500, API_HEADER);
      res.end();
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(source: ImageSource, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://mirror');
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'UNSUPPORTED');
  if (url.pathname === '/v2/' || url.pathname === '/v2') {
    res.writeHead(200, { ...API_HEADER, 'Content-Type': 'application/json', 'Content-Length': 2 });
    return void res.end(req.method === 'HEAD' ? undefined : '{}');
  }
  const m = url.pathname.match(/^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/);
  if (!m) return sendError(res, 404, 'UNSUPPORTED');
  const [, name, kind, reference] = m;
  if (!NAME_RE.test(name)) return sendError(res, 400, 'NAME_INVALID', { name });
  const registry = url.searchParams.get('ns') ?? 'docker.io';
  if (kind === 'manifests') {
    if (!DIGEST_RE.test(reference) && !TAG_RE.test(reference))
      return sendError(res, 400, 'TAG_INVALID', { tag: reference });
    const desc = await source.resolve(registry, name, reference);
    const path = desc && source.blobPath(desc.digest);
    if (!desc || !path) return sendError(res, 404, 'MANIFEST_UNKNOWN', { name, reference });
    return sendFile(req, res, path, desc.size, {
      'Content-Type': desc.mediaType,
      'Docker-Content-Digest': desc.digest,
    });
  }
  if (!DIGEST_RE.test(reference)) return sendError(res, 400, 'DIGEST_INVALID', { digest: reference });
  const path = source.blobPath(reference);
  if (!path) return sendError(res, 404, 'BLOB_UNKNOWN', { digest: reference });
  sendFile(req, res, path, statSync(path).size, {
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': reference,
  });
}

function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  size: number,
  headers: Record<string, string>,
): void {
  res.writeHead(200, { ...API_HEADER, ...headers, 'Content-Length': size });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(path)
    .on('error', () => res.destroy())
    .pipe(res);
}
