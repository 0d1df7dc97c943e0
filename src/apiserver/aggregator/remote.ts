// How the API server reaches an extension API server: a ready endpoint of the APIService's
// Service (resolved as the webhook client resolves services, see ../admission/webhook/resolve.ts),
// TLS verified against <service>.<namespace>.svc with the caBundle (or not at all with
// insecureSkipTLSVerify), and the front-proxy client certificate presented.
import { request, type RequestOptions } from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import type { KubeObject } from '../../api/types.js';
import { resolveService, type ObjectGetter } from '../admission/webhook/resolve.js';
import { specOf } from '../registry/apiregistration/apiservices.js';
import type { FrontProxyPKI } from './front-proxy.js';

export interface RemoteTarget {
  host: string;
  port: number;
  tls: RequestOptions;
  /** https://<ip>:<port>, as upstream prints it in messages. */
  base: string;
}

export async function remoteTarget(
  apiService: KubeObject,
  get: ObjectGetter,
  pki: FrontProxyPKI,
): Promise<RemoteTarget> {
  const s = specOf(apiService);
  const svc = s.service!;
  const { host, port } = await resolveService(svc, get);
  const serverName = `${svc.name}.${svc.namespace}.svc`;
  const tls: RequestOptions = {
    cert: pki.client.certPem,
    key: pki.client.keyPem,
    servername: serverName,
    agent: false,
  };
  if (s.insecureSkipTLSVerify) tls.rejectUnauthorized = false;
  else {
    if (s.caBundle) tls.ca = Buffer.from(s.caBundle, 'base64').toString('utf8');
    tls.checkServerIdentity = (_h: string, cert: PeerCertificate) => checkServerIdentity(serverName, cert);
  }
  return { host, port, tls, base: `https://${host.includes(':') ? `[${host}]` : host}:${port}` };
}

/** A GET with the aggregator's own identity; resolves with status and body, bounded by timeoutMs. */
export function getJSON(
  t: RemoteTarget,
  path: string,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      ...t.tls,
      host: t.host,
      port: t.port,
      method: 'GET',
      path,
      headers: {
        Accept: 'application/json',
        'X-Remote-User': 'system:kube-aggregator',
        'X-Remote-Group': 'system:masters',
      },
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`timed out waiting for ${t.base}${path}`)),
      timeoutMs,
    );
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    req.end();
  });
}
