// The answers nginx itself gives (ingress-nginx serves them for redirects, 401, 403, 404, 413,
// 502, 503): the status line's reason phrase and nginx's built-in HTML page, CRLF line ends, text/html.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

export const REASONS: Record<number, string> = {
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  305: 'Use Proxy',
  306: 'Switch Proxy',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Request Entity Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
};

/** Where nginx's page title differs from the status line's reason phrase. */
const PAGE_TITLES: Record<number, string> = { 401: 'Authorization Required' };

/** nginx's page for a status, e.g. `<html>\r\n<head><title>404 Not Found</title></head>…`. */
export function nginxPage(status: number): string {
  const title = `${status} ${PAGE_TITLES[status] ?? REASONS[status] ?? ''}`.trim();
  return (
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n` +
    `<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  );
}

/** Status, headers and body of one of nginx's own answers (no body for 304 and HEAD). */
export function pageHead(
  status: number,
  headers: OutgoingHttpHeaders = {},
  head = false,
): { reason: string; headers: OutgoingHttpHeaders; body: string } {
  const body = status === 304 || status === 204 ? '' : nginxPage(status);
  return {
    reason: REASONS[status] ?? '',
    headers: { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body), ...headers },
    body: head ? '' : body,
  };
}

/** HTTP/2 has no reason phrase and no connection-level headers. */
export function isHttp2(res: ServerResponse): boolean {
  return res.req?.httpVersionMajor === 2;
}

/** Ends a response that cannot be answered any more (an HTTP/2 response has only its stream). */
export function abort(res: ServerResponse): void {
  const r = res as unknown as { destroy?: () => void; stream?: { destroy(): void } };
  if (typeof r.destroy === 'function') r.destroy();
  else r.stream?.destroy();
}

export function sendPage(
  res: ServerResponse,
  status: number,
  headers: OutgoingHttpHeaders = {},
  method = 'GET',
): void {
  if (res.headersSent) return abort(res);
  const p = pageHead(status, headers, method === 'HEAD');
  if (isHttp2(res)) {
    delete p.headers.connection;
    res.writeHead(status, p.headers);
  } else res.writeHead(status, p.reason, p.headers);
  res.end(p.body);
}

/** The same answer written on a raw socket (an Upgrade request that is not forwarded). */
export function rawPage(status: number, headers: OutgoingHttpHeaders = {}): string {
  const p = pageHead(status, headers);
  const lines = [`HTTP/1.1 ${status} ${p.reason}`];
  for (const [k, v] of Object.entries(p.headers)) lines.push(`${k}: ${String(v)}`);
  lines.push('connection: close');
  return lines.join('\r\n') + '\r\n\r\n' + p.body;
}
