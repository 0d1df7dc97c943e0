// `k8ts dns --kubeconfig X`: the cluster DNS as its own process (CoreDNS's place), configured
// by the `coredns` ConfigMap in kube-system (key Corefile; k3s's default Corefile without it)
// and reloaded when that changes. Health on /health, readiness on /ready, metrics on /metrics.
import { createServer, type Server } from 'node:http';
import { parseArgs } from 'node:util';
import { loadKubeconfig, RestClient } from '../client/rest.js';
import { SharedInformers } from '../client/shared-informers.js';
import type { KubeObject } from '../api/types.js';
import { logger, setLogLevel } from '../util/log.js';
import { CorefileError, DEFAULT_COREFILE, parseCorefile } from './corefile.js';
import { DnsServer } from './server.js';

const log = logger('dns');

function hostPort(v: string, what: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]*):(\d+)$/.exec(v);
  if (!m || Number(m[2]) > 65535) throw new Error(`invalid ${what} "${v}": want host:port`);
  return { host: m[1].replace(/^\[|\]$/g, '') || '0.0.0.0', port: Number(m[2]) };
}

export async function runDns(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      kubeconfig: { type: 'string' },
      listen: { type: 'string', default: '0.0.0.0:53' },
      configmap: { type: 'string', default: 'kube-system/coredns' },
      'http-listen': { type: 'string', default: '' },
      'log-level': { type: 'string', default: 'info' },
    },
  });
  if (!values.kubeconfig) throw new Error('--kubeconfig is required');
  setLogLevel(values['log-level']!);
  const listen = hostPort(values.listen!, '--listen');
  const [cmNamespace, cmName] = values.configmap!.split('/');
  const client = new RestClient(loadKubeconfig(values.kubeconfig, 'k8ts-dns/v1.31.0'));
  const informers = new SharedInformers(client);
  const dns = new DnsServer(informers);
  let applied = '';
  const apply = (cm: KubeObject | undefined) => {
    const text = (
      (cm as { data?: Record<string, string> } | undefined)?.data?.Corefile ?? DEFAULT_COREFILE
    ).trim();
    if (text === applied) return;
    try {
      dns.configure(parseCorefile(text));
      applied = text;
      log.info('configuration applied', { source: cm ? values.configmap : 'default Corefile' });
    } catch (err) {
      // keep serving the last good configuration, as CoreDNS's reload does
      if (err instanceof CorefileError)
        log.error('Corefile refused; keeping the previous one', { error: err.message });
      else throw err;
    }
  };
  const configMaps = informers.informer(`/api/v1/namespaces/${cmNamespace}/configmaps`);
  const onChange = (o: KubeObject) => {
    if (o.metadata.name === cmName) apply(o);
  };
  configMaps.addHandlers({
    onAdd: onChange,
    onUpdate: (_o, n) => onChange(n),
    onDelete: (o) => o.metadata.name === cmName && apply(undefined),
  });
  apply(undefined);
  informers.start();
  await informers.waitForSync();
  apply(configMaps.get(`${cmNamespace}/${cmName}`));
  const port = await dns.listen(listen.host, listen.port);
  let http: Server | undefined;
  if (values['http-listen']) {
    const hp = hostPort(values['http-listen'], '--http-listen');
    http = createServer((req, res) => {
      if (req.url === '/health' || req.url === '/ready') return void res.end('OK');
      if (req.url === '/metrics') {
        res.setHeader('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
        return void res.end(dns.metrics.render());
      }
      res.statusCode = 404;
      res.end();
    });
    http.listen(hp.port, hp.host);
  }
  process.stdout.write(`k8ts dns serving on ${listen.host}:${port}\n`);
  return new Promise((done) => {
    const stop = () => {
      http?.close();
      void dns.stop().finally(() => {
        informers.dispose();
        client.close();
        done(0);
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
