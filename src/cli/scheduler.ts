// `k8ts scheduler --kubeconfig X`: the scheduler against any API server. `k8ts server` runs it
// as a child process unless --disable-scheduler.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadKubeconfig } from '../client/rest.js';
import { ThrottledClient } from '../client/throttle.js';
import { profilesFromConfig } from '../scheduler/config.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { logger, setLogLevel } from '../util/log.js';
import { untilStopped } from './agent.js';

export async function runScheduler(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      kubeconfig: { type: 'string' },
      config: { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
    },
  });
  if (!values.kubeconfig) throw new Error('--kubeconfig is required');
  setLogLevel(values['log-level']!);
  const profiles = values.config
    ? profilesFromConfig(readFileSync(values.config, 'utf8'), values.config)
    : [{}];
  const client = new ThrottledClient(
    loadKubeconfig(values.kubeconfig, 'kube-scheduler/v1.31.0 (linux/amd64) k8ts'),
  );
  const scheduler = new Scheduler(client, profiles);
  await scheduler.start();
  logger('scheduler').info('scheduler started', {
    profiles: profiles.map((p) => p.schedulerName ?? 'default-scheduler'),
  });
  return untilStopped(async () => {
    scheduler.stop();
    await scheduler.flushEvents();
    client.close();
  });
}
