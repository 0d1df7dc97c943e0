// pods/log: PodLogOptions checked as upstream, then the kubelet's /containerLogs streamed back
// (upstream's LogREST with its LocationStreamer). A kubelet error becomes upstream's
// GenericHttpResponseChecker answer: 400 BadRequest and 500 InternalError carry the kubelet's
// text, as kubectl shows it (`container "x" in pod "y" is waiting to start: ...`).
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import {
  badRequest,
  internalError,
  invalid,
  methodNotSupported,
  StatusError,
  type StatusReason,
} from '../../api/errors.js';
import {
  ParameterError,
  parsePodLogOptions,
  validatePodLogOptions,
  type PodLogOptions,
} from '../../api/pod-log-options.js';
import type { ResourceCall } from '../endpoints/resource-handler.js';
import type { Res } from '../http/io.js';
import { hostPort, kubeletOf, logContainer, podOf } from './location.js';
import type { KubeletClientCert } from './register.js';
import { kubeletTLS, verificationFailure } from './kubelet-tls.js';
import type { TLSSocket } from 'node:tls';

const MAX_ERROR_BODY = 50_000;

function logOptions(call: ResourceCall): PodLogOptions {
  let o: PodLogOptions;
  try {
    o = parsePodLogOptions(call.query);
  } catch (err) {
    if (err instanceof ParameterError) throw badRequest(err.message);
    throw err;
  }
  const problems = validatePodLogOptions(o);
  if (problems.length)
    throw invalid(
      '',
      'PodLogOptions',
      call.info.name!,
      problems.map((p) => ({
        type: `Field${p.type === 'Invalid' ? 'ValueInvalid' : 'ValueForbidden'}`,
        field: p.field,
        message: p.type === 'Invalid' ? `Invalid value: ${p.value}: ${p.detail}` : `Forbidden: ${p.detail}`,
        text: `${p.field}: ${p.type === 'Invalid' ? `Invalid value: ${p.value}: ` : 'Forbidden: '}${p.detail}`,
      })),
    );
  return o;
}

/** The query upstream's LogLocation sends the kubelet. */
export function kubeletLogQuery(o: PodLogOptions): string {
  const q = new URLSearchParams();
  if (o.follow) q.set('follow', 'true');
  if (o.previous) q.set('previous', 'true');
  if (o.timestamps) q.set('timestamps', 'true');
  if (o.sinceSeconds !== undefined) q.set('sinceSeconds', String(o.sinceSeconds));
  if (o.sinceTime !== undefined)
    q.set('sinceTime', new Date(Date.parse(o.sinceTime)).toISOString().replace(/\.\d+Z$/, 'Z'));
  if (o.tailLines !== undefined) q.set('tailLines', String(o.tailLines));
  if (o.limitBytes !== undefined) q.set('limitBytes', String(o.limitBytes));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const GENERIC: Record<number, [StatusReason, string]> = {
  401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
  403: ['Forbidden', 'the server does not allow access to the requested resource'],
  404: ['NotFound', 'the server could not find the requested resource'],
  422: ['Invalid', 'the server rejected our request due to an error in our request'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
};

function kubeletError(code: number, body: string, name: string): StatusError {
  if (code === 400) return badRequest(body);
  if (code === 500) return internalError(new Error(body));
  const [reason, message] = GENERIC[code] ?? [
    'InternalError',
    `the server responded with the status code ${code} but did not return more information`,
  ];
  return new StatusError(code, reason, message, {
    name,
    kind: 'pods/log',
    causes: [{ reason: 'UnexpectedServerResponse', message: body }],
  });
}

/** A transport failure as upstream shows it: a 500 whose message is Go's *url.Error text. */
export function dialError(method: string, url: string, err: Error): StatusError {
  // upstream's ErrorToAPIStatus for an error that is no API status: code 500, no reason
  const unknownReason = '' as StatusReason; // Go's StatusReasonUnknown is the empty string
  const cause =
    (err as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? 'connect: connection refused' : err.message;
  const target = url.replace(/^https:\/\/([^/]+).*$/, '$1');
  return new StatusError(500, unknownReason, `${method} "${url}": dial tcp ${target}: ${cause}`);
}

export async function serveLog(call: ResourceCall, cert: KubeletClientCert): Promise<boolean> {
  if (call.info.verb !== 'get') throw methodNotSupported('', 'pods/log', call.info.verb);
  const o = logOptions(call);
  const pod = podOf(call);
  const container = logContainer(pod, o.container);
  const res = call.res as Res;
  const kubelet = kubeletOf(call, pod);
  if (!kubelet) {
    // upstream: a pod without a node has an empty log
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end();
    return false;
  }
  const ns = call.info.namespace!;
  const path = `/containerLogs/${ns}/${pod.metadata.name}/${container}${kubeletLogQuery(o)}`;
  const url = `https://${hostPort(kubelet)}${path}`;
  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    const out = request({
      host: kubelet.host,
      port: kubelet.port,
      path,
      method: 'GET',
      // unverified unless --kubelet-certificate-authority, as upstream
      ...kubeletTLS(cert),
      timeout: 30_000,
    });
    let socket: TLSSocket | undefined;
    out.on('socket', (s) => (socket = s as TLSSocket));
    out.on('response', resolve);
    out.on('timeout', () => out.destroy(new Error('i/o timeout')));
    out.on('error', (err) => {
      const tls = verificationFailure(err, kubelet.host, socket?.getPeerCertificate?.());
      // Go's *url.Error around the TLS handshake's error: `Get "<url>": tls: ...`
      reject(
        tls ? new StatusError(500, '' as StatusReason, `Get "${url}": ${tls}`) : dialError('Get', url, err),
      );
    });
    out.end();
  });
  const code = upstream.statusCode ?? 500;
  if (code < 200 || code > 206) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of upstream as AsyncIterable<Buffer>) {
      if (size < MAX_ERROR_BODY) chunks.push(c);
      size += c.length;
    }
    throw kubeletError(code, Buffer.concat(chunks).toString().slice(0, MAX_ERROR_BODY), pod.metadata.name!);
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders?.();
  let ended = false;
  res.on('close', () => {
    if (!ended) upstream.destroy();
  });
  upstream.on('data', (d: Buffer) => {
    if (!res.write(d)) {
      upstream.pause();
      res.once('drain', () => upstream.resume());
    }
  });
  await new Promise<void>((done) => {
    upstream.on('end', done);
    upstream.on('error', done);
    upstream.on('close', done);
  });
  ended = true;
  res.end();
  return false;
}
