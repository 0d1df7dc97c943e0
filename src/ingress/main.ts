// `k8ts ingress-controller --kubeconfig X`: the built-in ingress controller (IngressClass
// `k8ts`), serving Ingresses on this node's ports 80 and 443. `k8ts server` runs it beside the
// agent on the containerd runtime; it also runs alone against any API server.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { EventRecorder } from '../client/events.js';
import { loadKubeconfig, RestClient } from '../client/rest.js';
import { SharedInformers } from '../client/shared-informers.js';
import { logger, setLogLevel } from '../util/log.js';
import { CertificateStore } from './certificates.js';
import { IngressController } from './controller.js';
import { fakeCertificate } from './fake-cert.js';
import { defaultContextOf, Listeners } from './listeners.js';
import { StreamProxies } from './streams.js';

const log = logger('ingress');

function port(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`invalid argument "${v}" for "--${flag}" flag`);
  return n;
}

export async function runIngressController(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      kubeconfig: { type: 'string' },
      'http-port': { type: 'string', default: '80' },
      'https-port': { type: 'string', default: '443' },
      'bind-address': { type: 'string', default: '0.0.0.0' },
      'node-name': { type: 'string' },
      'publish-status-address': { type: 'string', default: '' },
      'tcp-services-configmap': { type: 'string', default: '' },
      'udp-services-configmap': { type: 'string', default: '' },
      'log-level': { type: 'string', default: 'info' },
    },
  });
  setLogLevel(values['log-level']!);
  if (!values.kubeconfig) throw new Error('--kubeconfig is required');
  const httpPort = port(values['http-port']!, 'http-port');
  const httpsPort = port(values['https-port']!, 'https-port');
  const nodeName = (values['node-name'] || hostname()).toLowerCase();
  const client = new RestClient(loadKubeconfig(values.kubeconfig, 'k8ts-ingress-controller/v1.31.0 (k8ts)'));
  const informers = new SharedInformers(client);
  const recorder = new EventRecorder(client, 'k8ts-ingress-controller', nodeName);
  const certs = new CertificateStore(defaultContextOf(await fakeCertificate()));
  const listeners = new Listeners({ bindAddress: values['bind-address']!, httpPort, httpsPort, certs });
  for (const flag of ['tcp-services-configmap', 'udp-services-configmap'] as const) {
    const v = values[flag]!;
    if (v && !/^[a-z0-9-]+\/[a-z0-9.-]+$/.test(v))
      throw new Error(`invalid argument "${v}" for "--${flag}" flag: want namespace/name`);
  }
  const streams = new StreamProxies(values['bind-address']!);
  const controller = new IngressController(informers, client, recorder, listeners, certs, {
    nodeName,
    publishAddresses: values['publish-status-address']!.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    tcpServices: values['tcp-services-configmap'],
    udpServices: values['udp-services-configmap'],
    reservedPorts: [httpPort, httpsPort],
    streams,
  });
  informers.start();
  await informers.waitForSync();
  controller.start();
  const ports = await listeners.listen();
  log.info('serving Ingresses', { node: nodeName, http: ports.http, https: ports.https });
  return new Promise((done) => {
    const stop = () => {
      void controller
        .stop()
        .then(() => {
          streams.closeAll();
          return listeners.close();
        })
        .then(() => recorder.flush())
        .finally(() => {
          informers.dispose();
          client.close();
          done(0);
        });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
