// Kubelet APIs for simulated nodes (`k8ts sim-nodes --kubelet-address IP`): one HTTPS server per
// node on IP with a free port, so that the Metrics API scrapes each node's /metrics/resource
// (the sim runtime's steered usage) and the HPA sees sim pods. Off by default: a thousand
// nodes would be a thousand listening sockets. One serving certificate serves them all.
import type { RestClient } from '../../client/rest.js';
import { createCA, issue, type KeyAndCert } from '../../pki/certs.js';
import type { KubeletHost } from '../host.js';
import type { NodeIdentity } from '../node-status.js';
import type { PodRuntime } from '../runtime/types.js';
import { KubeletServer } from './server.js';

export class SimKubeletServers {
  private readonly servers: KubeletServer[] = [];
  private cert?: KeyAndCert;

  constructor(
    private readonly address: string,
    private readonly host: KubeletHost,
    private readonly client: RestClient,
    private readonly clusterCA: string,
  ) {}

  /** Starts the node's server and points its identity (InternalIP, kubelet port) at it. */
  async serve(identity: NodeIdentity, runtime: PodRuntime): Promise<void> {
    if (!this.cert) {
      const ca = await createCA(`sim-nodes-ca@${Math.floor(Date.now() / 1000)}`, 365);
      const serving = await issue(ca, {
        commonName: `sim-nodes@${Math.floor(Date.now() / 1000)}`,
        dnsNames: ['localhost'],
        ipAddresses: [this.address],
        usage: 'server',
        validDays: 365,
      });
      this.cert = { certPem: serving.certPem + ca.pem.certPem, keyPem: serving.keyPem };
    }
    const server = new KubeletServer(
      {
        nodeName: identity.name,
        runtime,
        pod: (ns, name) => this.host.podOf(identity.name, ns, name),
        pods: () => this.host.podsOf(identity.name),
      },
      {
        address: this.address,
        port: 0,
        certPem: this.cert.certPem,
        keyPem: this.cert.keyPem,
        clientCAPem: this.clusterCA,
        client: this.client,
      },
    );
    identity.kubeletPort = await server.listen();
    identity.internalIP = this.address;
    this.servers.push(server);
  }

  close(): void {
    for (const s of this.servers.splice(0)) s.close();
  }
}
