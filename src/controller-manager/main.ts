// `k8ts controller-manager --kubeconfig X`: runs the controllers against any API server.
import { parseArgs } from 'node:util';
import { EventRecorder } from '../client/events.js';
import { loadKubeconfig, RestClient } from '../client/rest.js';
import { SharedInformers } from '../client/shared-informers.js';
import { logger, setLogLevel } from '../util/log.js';
import { CONTROLLERS } from './controllers.js';
import type { Controller, ControllerContext } from './context.js';

/** `--controllers` as upstream: '*' for all, 'name' to add one, '-name' to leave one out. */
function enabled(spec: string[], name: string): boolean {
  if (spec.includes(`-${name}`)) return false;
  return spec.includes(name) || spec.includes('*');
}

export async function runControllerManager(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      kubeconfig: { type: 'string' },
      controllers: { type: 'string', default: '*' },
      'cluster-cidr': { type: 'string', default: '10.42.0.0/16' },
      'service-cluster-ip-range': { type: 'string', default: '10.43.0.0/16' },
      'log-level': { type: 'string', default: 'info' },
      'service-account-private-key-file': { type: 'string' },
    },
  });
  if (!values.kubeconfig) throw new Error('--kubeconfig is required');
  setLogLevel(values['log-level']!);
  const log = logger('controller-manager');
  const client = new RestClient(loadKubeconfig(values.kubeconfig, 'kube-controller-manager/v1.31.0 (k8ts)'));
  const informers = new SharedInformers(client);
  const recorders: EventRecorder[] = [];
  const ctx: ControllerContext = {
    client,
    informers,
    recorder: (component) => {
      const r = new EventRecorder(client, component);
      recorders.push(r);
      return r;
    },
    clusterCIDR: values['cluster-cidr']!,
    serviceCIDR: values['service-cluster-ip-range']!,
    serviceAccountPrivateKeyFile: values['service-account-private-key-file'],
  };
  const spec = values.controllers!.split(',').map((s) => s.trim());
  const chosen = CONTROLLERS.filter((d) => enabled(spec, d.name));
  const running: Controller[] = chosen.map((d) => d.create(ctx));
  informers.start();
  await informers.waitForSync();
  for (const c of running) await c.start();
  log.info('controllers started', { controllers: chosen.map((d) => d.name) });
  return new Promise((done) => {
    const stop = () => {
      for (const c of running) c.stop();
      informers.dispose();
      client.close();
      done(0);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    // started by `k8ts server`: go when the server goes
    const parent = Number(process.env.K8TS_PARENT_PID ?? 0);
    if (parent) {
      const watchParent = setInterval(() => {
        if (process.ppid !== parent) stop();
      }, 1000);
      watchParent.unref();
    }
  });
}
