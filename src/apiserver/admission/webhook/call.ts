// One HTTPS POST of an AdmissionReview to a webhook, bounded by the webhook's timeoutSeconds
// (the request never waits longer, whatever the webhook does). Failures are worded the way
// Go's HTTP client words them, since upstream's messages embed those texts.
import { Agent, request } from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity as nodeCheckIdentity, type PeerCertificate } from 'node:tls';
import type { Target } from './resolve.js';

/** Largest webhook response read (upstream reads at most 3 MB of a response body). */
const MAX_RESPONSE_BYTES = 3 * 1024 * 1024;

export class CallError extends Error {}

/** Kept-alive connections per webhook endpoint and trust (a TLS handshake per call costs more than the call). */
const agents = new Map<string, Agent>();
const MAX_AGENTS = 64;

function agentFor(target: Target, caPem: string | undefined): Agent {
  const key = `${target.host}:${target.port}|${target.serverName}|${caPem ?? ''}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ keepAlive: true, maxSockets: 100, maxFreeSockets: 10, timeout: 30_000 });
    agents.set(key, agent);
    if (agents.size > MAX_AGENTS) {
      const [oldKey, old] = agents.entries().next().value!;
      agents.delete(oldKey);
      old.destroy();
    }
  }
  return agent;
}

function goNetError(err: NodeJS.ErrnoException, t: Target): string {
  const addr = `${isIP(t.host) === 6 ? `[${t.host}]` : t.host}:${t.port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'ECONNRESET':
      return 'EOF';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${t.host}: no such host`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `tls: failed to verify certificate: x509: certificate is valid for ${err.message.replace(/^.*?cert's altnames: /, '')}, not ${t.serverName}`;
    case 'CERT_HAS_EXPIRED':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    default:
      return err.message;
  }
}

/**
 * Posts `body` and returns the decoded JSON answer. Throws CallError with text like
 * `Post "https://...": context deadline exceeded` (what upstream wraps in "failed to call webhook").
 */
export function postJSON(
  target: Target,
  body: unknown,
  caPem: string | undefined,
  timeoutMs: number,
): Promise<unknown> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (msg: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(new CallError(`Post "${target.url}": ${msg}`));
    };
    const req = request({
      host: target.host,
      port: target.port,
      method: 'POST',
      path: target.path,
      servername: isIP(target.serverName) ? undefined : target.serverName,
      ...(caPem ? { ca: caPem } : {}),
      // the certificate must name the webhook's host (service DNS name or URL host), not the IP dialled
      checkServerIdentity: (_host: string, cert: PeerCertificate) =>
        nodeCheckIdentity(target.serverName, cert),
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, */*',
        'Content-Length': String(payload.length),
        'User-Agent': 'kube-apiserver-admission',
      },
      agent: agentFor(target, caPem),
    });
    const timer = setTimeout(() => fail('context deadline exceeded'), timeoutMs);
    req.on('error', (err) => fail(goNetError(err as NodeJS.ErrnoException, target)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_RESPONSE_BYTES) fail('http: request body too large');
        else chunks.push(c);
      });
      res.on('error', (err) => fail(err.message));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) {
          const snippet = text.trim().slice(0, 200);
          reject(
            new CallError(
              snippet
                ? `an error on the server ("${snippet}") has prevented the request from succeeding`
                : `the server responded with the status code ${status} but did not return more information`,
            ),
          );
          return;
        }
        try {
          resolve(JSON.parse(text));
        } catch {
          reject(new CallError(`couldn't get version/kind; json parse error: invalid character in response`));
        }
      });
    });
    req.end(payload);
  });
}
