// The slice of Node's HTTP/1.1 and HTTP/2 compatibility objects the API server uses, so one
// handler serves both protocols.
import type { Status } from '../../api/errors.js';
import { internalError, StatusError } from '../../api/errors.js';
import { requestEntityTooLarge } from '../../api/errors.js';

export interface Req extends AsyncIterable<Buffer> {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface Res {
  statusCode: number;
  headersSent: boolean;
  writeHead(status: number, headers?: Record<string, string | string[]>): unknown;
  setHeader(name: string, value: string | string[]): unknown;
  write(chunk: string | Uint8Array): boolean;
  end(chunk?: string | Uint8Array): unknown;
  on(event: 'close' | 'drain', listener: () => void): unknown;
  once(event: 'close' | 'drain', listener: () => void): unknown;
  removeListener(event: 'close' | 'drain', listener: () => void): unknown;
  readonly writableLength?: number;
  /** HTTP/1.1 holds headers back until the first body write; a watch must answer at once. */
  flushHeaders?(): void;
}

export function header(req: Req, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** upstream's --max-request-body-bytes default */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: Req, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const declared = Number(header(req, 'content-length') ?? '0');
  if (declared > limit) throw requestEntityTooLarge(limit);
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw requestEntityTooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function baseHeaders(contentType = 'application/json'): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Cache-Control': 'no-cache, private',
    // Audit-Id is set once per request by the audit record (src/apiserver/audit/request.ts)
  };
}

export function send(
  res: Res,
  status: number,
  body: string | Uint8Array,
  headers: Record<string, string | string[]>,
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

export function sendStatus(res: Res, err: unknown, extra: Record<string, string | string[]> = {}): number {
  const se = err instanceof StatusError ? err : internalError(err);
  const status: Status = se.toStatus();
  const headers = { ...baseHeaders(), ...extra };
  if (se.details?.retryAfterSeconds) headers['Retry-After'] = String(se.details.retryAfterSeconds);
  send(res, se.code, JSON.stringify(status) + '\n', headers);
  return se.code;
}
