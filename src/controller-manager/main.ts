// `k8ts controller-manager --kubeconfig X`: runs the controllers against any API server.
// Today: the namespace controller. More controllers arrive with the controller-manager issue.
import { parseArgs } from 'node:util';
import { loadKubeconfig, RestClient } from '../client/rest.js';
import { NamespaceController } from '../controllers/namespace/controller.js';
import { logger, setLogLevel } from '../util/log.js';

export async function runControllerManager(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      kubeconfig: { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
    },
  });
  if (!values.kubeconfig) throw new Error('--kubeconfig is required');
  setLogLevel(values['log-level']!);
  const log = logger('controller-manager');
  const client = new RestClient(loadKubeconfig(values.kubeconfig, 'kube-controller-manager/v1.31.0 (k8ts)'));
  const controllers = [new NamespaceController(client)];
  for (const c of controllers) await c.start();
  log.info('controllers started', { controllers: ['namespace'] });
  return new Promise((done) => {
    const stop = () => {
      for (const c of controllers) c.stop();
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
