// `k8ts dns --kubeconfig X`: the cluster DNS as its own process (CoreDNS's place), configured
// by the `coredns` ConfigMap in kube-system (key Corefile; k3s's default Corefile without it)
// and reloaded when that changes. Health on /health, readiness on /ready, metrics on /metrics,
// at the addresses of the Corefile's health, ready and prometheus plugins (CoreDNS's defaults
// :8080, :8181, localhost:9153), or all three on --http-listen. Without --kubeconfig it uses
// the in-cluster configuration, as CoreDNS does when it runs as the `coredns` Deployment.
// Run from a kubeconfig (on a host, in tests), it binds no HTTP port unless --http-listen says so.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { inClusterConfig, loadKubeconfig, RestClient } from '../client/rest.js';
import { SharedInformers } from '../client/shared-informers.js';
import type { KubeObject } from '../api/types.js';
import { logger, setLogLevel } from '../util/log.js';
import { CorefileError, DEFAULT_COREFILE, parseCorefile } from './corefile.js';
import { DnsServer } from './server.js';
import { endpointsOf, HttpEndpoints, type Endpoint } from './http-endpoints.js';

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
  setLogLevel(values['log-level']!);
  const listen = hostPort(values.listen!, '--listen');
  const fixedHttp = values['http-listen'] ? hostPort(values['http-listen'], '--http-listen') : undefined;
  const [cmNamespace, cmName] = values.configmap!.split('/');
  const userAgent = 'k8ts-dns/v1.31.0';
  const client = new RestClient(
    values.kubeconfig ? loadKubeconfig(values.kubeconfig, userAgent) : inClusterConfig(userAgent),
  );
  const informers = new SharedInformers(client);
  const dns = new DnsServer(informers);
  let applied = '';
  let serving = false;
  const http = new HttpEndpoints({ ready: () => serving, metrics: () => dns.metrics.render() });
  const allOnOne = (addr: string) => new Map([[addr, new Set<Endpoint>(['health', 'ready', 'metrics'])]]);
  let httpWanted = fixedHttp ? allOnOne(values['http-listen']!) : new Map<string, Set<Endpoint>>();
  const apply = (cm: KubeObject | undefined) => {
    const data = (cm as { data?: Record<string, string> } | undefined)?.data ?? {};
    const text = (data.Corefile ?? DEFAULT_COREFILE).trim();
    // CoreDNS's Deployment mounts the ConfigMap at /etc/coredns: a file named there (k3s's
    // `hosts /etc/coredns/NodeHosts`) is that key of the ConfigMap; other paths are files
    const readFile = (path: string) => {
      if (path.startsWith('/etc/coredns/')) return data[path.slice('/etc/coredns/'.length)] ?? '';
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return '';
      }
    };
    const state = JSON.stringify(data);
    if (state === applied) return;
    try {
      const blocks = parseCorefile(text);
      dns.configure(blocks, readFile);
      applied = state;
      if (!fixedHttp && !values.kubeconfig) {
        httpWanted = endpointsOf(blocks);
        if (serving) void http.apply(httpWanted);
      }
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
  serving = true;
  await http.apply(httpWanted);
  process.stdout.write(`k8ts dns serving on ${listen.host}:${port}\n`);
  return new Promise((done) => {
    const stop = () => {
      serving = false;
      void Promise.all([http.close(), dns.stop()]).finally(() => {
        informers.dispose();
        client.close();
        done(0);
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
