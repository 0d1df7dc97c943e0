// `k8ts proxy --kubeconfig X`: kube-proxy in iptables mode, alone against any API server.
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { loadKubeconfig, RestClient } from '../client/rest.js';
import { SharedInformers } from '../client/shared-informers.js';
import { logger, setLogLevel } from '../util/log.js';
import { Iptables } from './iptables.js';
import { cleanupRules, Proxier } from './proxier.js';
import type { IptablesBackend } from './iptables.js';

function backendOf(v: string): IptablesBackend {
  if (v !== 'auto' && v !== 'nft' && v !== 'legacy')
    throw new Error(`invalid --iptables-backend "${v}": auto, nft or legacy`);
  return v;
}

const log = logger('proxy');

export async function runProxy(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      kubeconfig: { type: 'string' },
      'hostname-override': { type: 'string' },
      'cluster-cidr': { type: 'string', default: '10.42.0.0/16' },
      'masquerade-all': { type: 'boolean', default: false },
      'metrics-bind-address': { type: 'string', default: '' },
      netns: { type: 'string', default: '' },
      'iptables-backend': { type: 'string', default: 'auto' },
      cleanup: { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
    },
  });
  setLogLevel(values['log-level']!);
  const prefix = values.netns ? ['ip', 'netns', 'exec', values.netns] : [];
  if (values.cleanup) {
    await cleanupRules(new Iptables('IPv4', prefix, backendOf(values['iptables-backend']!)));
    return 0;
  }
  if (!values.kubeconfig) throw new Error('--kubeconfig is required');
  const client = new RestClient(loadKubeconfig(values.kubeconfig, 'kube-proxy/v1.31.0 (k8ts)'));
  const informers = new SharedInformers(client);
  const nodeName = (values['hostname-override'] || hostname()).toLowerCase();
  const backend = backendOf(values['iptables-backend']!);
  const proxier = new Proxier(informers, {
    iptables: new Iptables('IPv4', prefix, backend),
    nodeName,
    family: 'IPv4',
    clusterCIDR: values['cluster-cidr'],
    masqueradeAll: values['masquerade-all'],
  });
  informers.start();
  await informers.waitForSync();
  log.info('Using iptables Proxier.', { node: nodeName });
  await proxier.start();
  let http: Server | undefined;
  if (values['metrics-bind-address']) {
    const [host, port] = values['metrics-bind-address'].split(':');
    http = createServer((req, res) => {
      if (req.url === '/healthz' || req.url === '/livez')
        return void res.writeHead(proxier.lastSyncError ? 503 : 200).end(proxier.lastSyncError ?? 'ok');
      if (req.url === '/metrics') return void res.end(proxier.syncDuration.render() + '\n');
      res.writeHead(404).end();
    });
    http.listen(Number(port), host || '127.0.0.1');
  }
  return new Promise((done) => {
    const stop = () => {
      proxier.stop();
      http?.close();
      informers.dispose();
      client.close();
      done(0);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
