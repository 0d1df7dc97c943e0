// The pod streaming subresources: pods/log, pods/exec, pods/attach, pods/portforward, all
// served by the pod's kubelet, which the API server reaches with its kubelet-client certificate.
import type { CustomHandlers } from '../endpoints/custom.js';
import type { ApiServerParts } from '../extensions.js';
import { serveConnect } from './connect.js';
import { serveLog } from './log.js';

export interface KubeletClientCert {
  certPem: string;
  keyPem: string;
  /** --kubelet-certificate-authority: kubelets' serving certificates are checked against it. */
  ca?: string;
}

export function registerPodStreams(custom: CustomHandlers, parts: ApiServerParts): void {
  const cert: KubeletClientCert = {
    ...parts.pki.kubeletClient,
    ...(parts.kubeletCA !== undefined ? { ca: parts.kubeletCA } : {}),
  };
  custom.register('', 'pods', 'log', (call) => serveLog(call, cert));
  custom.register('', 'pods', 'exec', (call) => serveConnect(call, 'exec', cert, parts.authorizer));
  custom.register('', 'pods', 'attach', (call) => serveConnect(call, 'attach', cert, parts.authorizer));
  custom.register('', 'pods', 'portforward', (call) =>
    serveConnect(call, 'portforward', cert, parts.authorizer),
  );
}
