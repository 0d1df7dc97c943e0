// One run of a probe handler, with upstream's outcomes and output texts (pkg/probe/{exec,http,
// tcp,grpc}): the texts end up in `Unhealthy` events, so they follow Go's error formatting
// ("dial tcp 10.1.2.3:80: connect: connection refused").
import * as grpc from '@grpc/grpc-js';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { HTTPHeader, ProbeOutcome } from './types.js';

/** upstream's maxRespBodyLength: only the first 10 KiB of a body is read. */
const MAX_BODY = 10 * 1024;
const MAX_REDIRECTS = 10;
export const PROBE_USER_AGENT = 'kube-probe/1.31';

/** Go's time.Duration text for whole seconds: 1s, 1m30s. */
export function goSeconds(s: number): string {
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : '0s'}`;
}

/** Go's net package text for a failed dial. */
export function dialError(addr: string, err: NodeJS.ErrnoException | 'timeout'): string {
  if (err === 'timeout') return `dial tcp ${addr}: i/o timeout`;
  const why: Record<string, string> = {
    ECONNREFUSED: 'connect: connection refused',
    EHOSTUNREACH: 'connect: no route to host',
    ENETUNREACH: 'connect: network is unreachable',
    ECONNRESET: 'read: connection reset by peer',
    ENOTFOUND: 'lookup failed: no such host',
  };
  return `dial tcp ${addr}: ${why[err.code ?? ''] ?? err.message}`;
}

export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** upstream's tcp.Probe: success once the connection opens within the timeout. */
export function tcpProbe(host: string, port: number, timeoutSeconds: number): Promise<ProbeOutcome> {
  const addr = hostPort(host, port);
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ result: 'failure', output: dialError(addr, 'timeout') });
    }, timeoutSeconds * 1000);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ result: 'success', output: '' });
    });
    sock.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ result: 'failure', output: dialError(addr, err) });
    });
  });
}

export interface HttpProbeTarget {
  url: URL;
  headers: HTTPHeader[];
  timeoutSeconds: number;
}

/** The URL upstream's prober builds (formatURL): path may carry a query. */
export function probeURL(scheme: string, host: string, port: number, path: string): URL {
  const p = path.startsWith('/') || path === '' ? path : `/${path}`;
  return new URL(`${scheme.toLowerCase()}://${hostPort(host, port)}${p}`);
}

interface HttpAnswer {
  status: number;
  location?: string;
  body: string;
}

function getOnce(url: URL, headers: HTTPHeader[], signal: AbortSignal): Promise<HttpAnswer> {
  const h: Record<string, string> = { 'User-Agent': PROBE_USER_AGENT, Accept: '*/*' };
  for (const { name, value } of headers) {
    // a user header replaces the default of the same name, case-insensitively as Go's Header.Set
    for (const k of Object.keys(h)) if (k.toLowerCase() === name.toLowerCase()) delete h[k];
    h[name] = value;
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method: 'GET', headers: h, signal, rejectUnauthorized: false },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          if (size < MAX_BODY) chunks.push(d.subarray(0, MAX_BODY - size));
          size += d.length;
          if (size >= MAX_BODY) res.destroy();
        });
        const done = () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * upstream's http.Probe: 200-399 succeed (a 3xx left unfollowed is a warning), redirects are
 * followed on the same host only (up to 10), anything else fails with the status code.
 */
export async function httpProbe(t: HttpProbeTarget): Promise<ProbeOutcome> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), t.timeoutSeconds * 1000);
  let url = t.url;
  const first = t.url.href;
  try {
    for (let hops = 0; ; hops++) {
      let res: HttpAnswer;
      try {
        res = await getOnce(url, t.headers, ctl.signal);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (ctl.signal.aborted)
          return {
            result: 'failure',
            output: `Get "${first}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
          };
        return { result: 'failure', output: `Get "${url.href}": ${dialError(url.host, e)}` };
      }
      const redirect = res.status >= 300 && res.status < 400 && res.location;
      if (redirect) {
        const next = new URL(res.location!, url);
        if (next.hostname === t.url.hostname) {
          if (hops + 1 >= MAX_REDIRECTS)
            return {
              result: 'failure',
              output: `Get "${next.href}": stopped after ${MAX_REDIRECTS} redirects`,
            };
          url = next;
          continue;
        }
      }
      if (res.status >= 200 && res.status < 400) {
        if (res.status >= 300)
          return { result: 'warning', output: `Probe terminated redirects, Response body: ${res.body}` };
        return { result: 'success', output: res.body };
      }
      return { result: 'failure', output: `HTTP probe failed with statuscode: ${res.status}` };
    }
  } finally {
    clearTimeout(timer);
  }
}

export interface ExecAnswer {
  exitCode: number;
  output: string;
}

/** The runtime's ExecSync: resolves with the exit code, rejects with 'timeout' past the deadline. */
export type ExecRunner = (cmd: string[], timeoutSeconds: number) => Promise<ExecAnswer | 'timeout'>;

/** upstream's exec.Probe with ExecProbeTimeout on (the default): a timeout is a failure. */
export async function execProbe(
  run: ExecRunner,
  cmd: string[],
  timeoutSeconds: number,
): Promise<ProbeOutcome> {
  const r = await run(cmd, timeoutSeconds);
  if (r === 'timeout') return { result: 'failure', output: `command ${goQuote(cmd.join(' '))} timed out` };
  return { result: r.exitCode === 0 ? 'success' : 'failure', output: r.output };
}

/** Go's %q for a plain string. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's codes.Code.String(): UNAVAILABLE → Unavailable, DEADLINE_EXCEEDED → DeadlineExceeded. */
export function goCodeName(code: grpc.status): string {
  const name = grpc.status[code] ?? String(code);
  return name === 'OK'
    ? 'OK'
    : name.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
}

const HEALTH_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** grpc.health.v1.HealthCheckRequest { string service = 1; } in protobuf wire format. */
export function encodeHealthRequest(service: string): Buffer {
  if (!service) return Buffer.alloc(0);
  const s = Buffer.from(service, 'utf8');
  const len: number[] = [];
  for (let n = s.length; ; n >>= 7) {
    if (n < 0x80) {
      len.push(n);
      break;
    }
    len.push((n & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from([0x0a, ...len]), s]);
}

/** The status enum of grpc.health.v1.HealthCheckResponse { ServingStatus status = 1; }. */
export function decodeHealthStatus(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const tag = b[i++];
    let v = 0;
    for (let shift = 0; i < b.length; shift += 7) {
      const byte = b[i++];
      v |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    if (tag === 0x08) return v;
  }
  return 0;
}

/** upstream's grpc.Probe: grpc.health.v1.Health/Check must answer SERVING. */
export function grpcProbe(
  host: string,
  port: number,
  service: string,
  timeoutSeconds: number,
): Promise<ProbeOutcome> {
  const addr = hostPort(host, port);
  const timeout = goSeconds(timeoutSeconds);
  const client = new grpc.Client(addr, grpc.credentials.createInsecure());
  const deadline = Date.now() + timeoutSeconds * 1000;
  return new Promise<ProbeOutcome>((resolve) => {
    client.waitForReady(deadline, (err) => {
      if (err) {
        resolve({
          result: 'failure',
          output: `timeout: failed to connect service ${goQuote(addr)} within ${timeout}: context deadline exceeded`,
        });
        return;
      }
      client.makeUnaryRequest(
        '/grpc.health.v1.Health/Check',
        (x: Buffer) => x,
        (x: Buffer) => x,
        encodeHealthRequest(service),
        new grpc.Metadata({ waitForReady: false }),
        { deadline },
        (e, res) => {
          if (e) {
            const msg =
              e.code === grpc.status.UNIMPLEMENTED
                ? `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${e.details}\n`
                : e.code === grpc.status.DEADLINE_EXCEEDED
                  ? `timeout: health rpc did not complete within ${timeout}`
                  : `error: health rpc probe failed: rpc error: code = ${goCodeName(e.code)} desc = ${e.details}`;
            resolve({ result: 'failure', output: msg });
            return;
          }
          const st = decodeHealthStatus(res ?? Buffer.alloc(0));
          if (st !== 1)
            resolve({
              result: 'failure',
              output: `service unhealthy (responded with ${goQuote(HEALTH_STATUS[st] ?? String(st))})`,
            });
          else resolve({ result: 'success', output: 'service healthy' });
        },
      );
    });
  }).finally(() => client.close());
}
