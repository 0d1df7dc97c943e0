// pods/exec, pods/attach, pods/portforward: the options checked and the container picked as
// upstream (ExecLocation, AttachLocation, PortForwardLocation), then the client's upgrade
// request proxied to the kubelet and, from then on, bytes piped both ways unchanged (as
// upstream's UpgradeAwareHandler), so that whichever protocol kubectl negotiates (WebSocket
// v5.channel.k8s.io, SPDY) is the kubelet's to answer, its 101 or its error included.
import { connect, type TLSSocket } from 'node:tls';
import {
  badRequest,
  forbidden,
  methodNotSupported,
  StatusError,
  type StatusReason,
} from '../../api/errors.js';
import type { ResourceCall } from '../endpoints/resource-handler.js';
import { upgradeOf } from '../http/upgrade.js';
import { forbiddenMessage } from '../auth/forbidden.js';
import type { Authorizer } from '../auth/types.js';
import { hostPort, kubeletOf, podOf, streamContainer } from './location.js';
import { dialError } from './log.js';
import type { KubeletClientCert } from './register.js';
import { kubeletTLS, verificationFailure } from './kubelet-tls.js';

export type ConnectKind = 'exec' | 'attach' | 'portforward';

/** Query headers a proxy does not pass on: the client's own credentials and impersonation. */
const DROPPED = new Set(['authorization', 'host', 'proxy-authorization']);

function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1' || v === 'True' || v === 'TRUE' || v === 't' || v === 'T';
}

/** The kubelet path and query for the request (upstream's streamParams). */
export function kubeletStreamPath(call: ResourceCall, kind: ConnectKind, container: string): string {
  const q = call.query;
  const ns = call.info.namespace!;
  const name = call.info.name!;
  const out = new URLSearchParams();
  if (kind === 'portforward') {
    for (const p of q.getAll('ports'))
      for (const one of p.split(',')) {
        if (!/^\d+$/.test(one) || Number(one) < 1 || Number(one) > 65535)
          throw badRequest(`invalid port ${JSON.stringify(one)}`);
        out.append('port', one);
      }
    const s = out.toString();
    return `/portForward/${ns}/${name}${s ? `?${s}` : ''}`;
  }
  if (isTrue(q.get('stdin'))) out.append('input', '1');
  if (isTrue(q.get('stdout'))) out.append('output', '1');
  if (isTrue(q.get('stderr'))) out.append('error', '1');
  if (isTrue(q.get('tty'))) out.append('tty', '1');
  if (kind === 'exec') for (const c of q.getAll('command')) out.append('command', c);
  const s = out.toString();
  return `/${kind}/${ns}/${name}/${container}${s ? `?${s}` : ''}`;
}

/**
 * A WebSocket upgrade comes as GET, authorized as `get`; upstream v1.31
 * (AuthorizePodWebsocketUpgradeCreatePermission, on by default) also wants `create`, the verb
 * SPDY's POST needs, so that read-only users cannot exec.
 */
async function authorizeCreate(call: ResourceCall, kind: ConnectKind, authorizer: Authorizer): Promise<void> {
  const attrs = {
    user: call.ctx.user,
    verb: 'create',
    resourceRequest: true,
    group: '',
    version: 'v1',
    resource: 'pods',
    subresource: kind,
    namespace: call.info.namespace ?? '',
    name: call.info.name ?? '',
    path: new URL(call.req.url ?? '/', 'https://x').pathname,
  };
  const { decision, reason } = await authorizer.authorize(attrs);
  // upstream's responsewriters.Forbidden names the resource without its subresource
  if (decision !== 'allow')
    throw forbidden(
      `pods ${JSON.stringify(attrs.name)} is forbidden: ${forbiddenMessage(attrs)}${reason ? `: ${reason}` : ''}`,
      '',
      'pods',
      attrs.name,
    );
}

export async function serveConnect(
  call: ResourceCall,
  kind: ConnectKind,
  cert: KubeletClientCert,
  authorizer: Authorizer,
): Promise<boolean> {
  const method = (call.req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST') throw methodNotSupported('', `pods/${kind}`, call.info.verb);
  if (method === 'GET') await authorizeCreate(call, kind, authorizer);
  const pod = podOf(call);
  const container =
    kind === 'portforward' ? '' : streamContainer(pod, call.query.get('container') ?? undefined);
  const kubelet = kubeletOf(call, pod);
  if (!kubelet) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  const path = kubeletStreamPath(call, kind, container);
  const up = upgradeOf(call.req);
  if (!up) throw badRequest('Upgrade request required');
  const url = `https://${hostPort(kubelet)}${path}`;
  const backend = await new Promise<TLSSocket>((resolve, reject) => {
    const s = connect({
      host: kubelet.host,
      port: kubelet.port,
      // unverified unless --kubelet-certificate-authority, as upstream
      ...kubeletTLS(cert),
      ALPNProtocols: ['http/1.1'],
    });
    const timer = setTimeout(() => s.destroy(new Error('i/o timeout')), 30_000);
    s.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      const tls = verificationFailure(err, kubelet.host, s.getPeerCertificate?.());
      // upstream's UpgradeAwareHandler: `error dialing backend: <the TLS handshake's error>`
      if (tls) return reject(new StatusError(500, '' as StatusReason, `error dialing backend: ${tls}`));
      reject(dialError(method === 'GET' ? 'Get' : 'Post', url, err));
    });
  });
  up.hijacked = true;
  const headers = Object.entries(call.req.headers)
    .filter(([k, v]) => !DROPPED.has(k) && !k.startsWith('impersonate-') && v !== undefined)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v!]).map((x) => `${k}: ${x}`));
  backend.write(
    `${method} ${path} HTTP/1.1\r\nHost: ${hostPort(kubelet)}\r\n${headers.join('\r\n')}\r\n\r\n`,
  );
  if (up.head.length) backend.write(up.head);
  const client = up.socket;
  backend.pipe(client);
  client.pipe(backend);
  await new Promise<void>((done) => {
    // the kubelet ending first lets its last bytes (an error answer, a close frame) reach the
    // client through pipe()'s end; the client going away ends everything at once
    backend.once('close', () => {
      client.end();
      setTimeout(() => client.destroy(), 5000).unref();
      done();
    });
    client.once('close', () => {
      backend.destroy();
      done();
    });
    backend.on('error', () => backend.destroy());
    client.on('error', () => client.destroy());
  });
  call.onStreamEnd();
  return true;
}
