// `k8ts scheduler --kubeconfig X`: the scheduler against any API server. `k8ts server` runs it
// as a child process unless --disable-scheduler.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { LeaderElector } from '../client/leader-election.js';
import { LEADER_ELECT_FLAG_OPTIONS, leaderElectionTimings } from '../client/leader-election-flags.js';
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
      'leader-elect': { type: 'string', default: 'true' },
      ...LEADER_ELECT_FLAG_OPTIONS,
      'log-level': { type: 'string', default: 'info' },
    },
  });
  if (!values.kubeconfig) throw new Error('--kubeconfig is required');
  setLogLevel(values['log-level']!);
  const leaderElect = values['leader-elect'];
  if (leaderElect !== 'true' && leaderElect !== 'false')
    throw new Error(`invalid --leader-elect "${leaderElect}": want true or false`);
  const timings = leaderElectionTimings(values);
  const log = logger('scheduler');
  const profiles = values.config
    ? profilesFromConfig(readFileSync(values.config, 'utf8'), values.config)
    : [{}];
  const client = new ThrottledClient(
    loadKubeconfig(values.kubeconfig, 'kube-scheduler/v1.31.0 (linux/amd64) k8ts'),
  );
  const scheduler = new Scheduler(client, profiles);
  // as upstream: one active scheduler per cluster, on the kube-system/kube-scheduler Lease
  let elector: LeaderElector | undefined;
  if (leaderElect === 'true') {
    log.info('attempting to acquire leader lease kube-system/kube-scheduler');
    await new Promise<void>((leading) => {
      elector = new LeaderElector(
        client,
        { namespace: 'kube-system', name: 'kube-scheduler', ...timings },
        {
          onStartedLeading: leading,
          onStoppedLeading: () => {
            log.error('leaderelection lost', { identity: elector?.identity });
            scheduler.stop();
            process.exit(1);
          },
        },
      );
      elector.start();
    });
  }
  await scheduler.start();
  log.info('scheduler started', {
    profiles: profiles.map((p) => p.schedulerName ?? 'default-scheduler'),
  });
  return untilStopped(async () => {
    await elector?.stop();
    scheduler.stop();
    await scheduler.flushEvents();
    client.close();
  });
}
