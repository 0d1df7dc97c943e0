// A small HTTP/2 client with the admin certificate, for benchmarks (one session, many streams,
// as client-go does).
import { connect, type ClientHttp2Session } from 'node:http2';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Creds {
  ca: string;
  cert: string;
  key: string;
  server: string;
}

export function credsFromKubeconfig(path: string): Creds {
  const cfg = readFileSync(path, 'utf8');
  const field = (name: string) =>
    Buffer.from(new RegExp(`${name}: (\\S+)`).exec(cfg)![1], 'base64').toString();
  return {
    ca: field('certificate-authority-data'),
    cert: field('client-certificate-data'),
    key: field('client-key-data'),
    server: /server: (\S+)/.exec(cfg)![1],
  };
}

export function session(c: Creds): ClientHttp2Session {
  return connect(c.server, { ca: c.ca, cert: c.cert, key: c.key });
}

export function call(
  s: ClientHttp2Session,
  method: string,
  path: string,
  body?: unknown,
  accept = 'application/json',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = s.request({ ':method': method, ':path': path, 'content-type': 'application/json', accept });
    let data = '';
    let status = 0;
    req.setEncoding('utf8');
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (d: string) => (data += d));
    req.on('end', () => resolve({ status, body: data }));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** `k8ts server` arguments of an API-only bench server: loopback, a fresh data dir, quiet logs. */
export function benchServerArgs(dir: string, port: number, kubeconfig: string): string[] {
  return [
    'server',
    ...['--data-dir', join(dir, 'data'), '--bind-address', '127.0.0.1'],
    ...['--https-listen-port', String(port), '--write-kubeconfig', kubeconfig],
    ...['--disable-agent', '--log-level', 'warn'],
  ];
}
