// `k8ts controller-manager --kubeconfig X`: runs the controllers against any API server.
import { parseArgs } from 'node:util';
import { EventRecorder } from '../client/events.js';
import { loadKubeconfig, RestClient } from '../client/rest.js';
import { SharedInformers } from '../client/shared-informers.js';
import { LeaderElector } from '../client/leader-election.js';
import { LEADER_ELECT_FLAG_OPTIONS, leaderElectionTimings } from '../client/leader-election-flags.js';
import { logger, setLogLevel } from '../util/log.js';
import { CONTROLLER_FLAGS, CONTROLLERS } from './controllers.js';
import { AddressPool } from '../controllers/servicelb/pool.js';
import { parseDuration } from '../util/duration.js';
import type { Controller, ControllerContext } from './context.js';

/** `--controllers` as upstream: '*' for all, 'name' to add one, '-name' to leave one out. */
function enabled(spec: string[], name: string): boolean {
  if (spec.includes(`-${name}`)) return false;
  return spec.includes(name) || spec.includes('*');
}

/** How long a stopping manager waits for its recorded events to be written. */
const EVENT_FLUSH_MS = 3_000;
/** No new event for this long: the last work items are done. */
const EVENT_QUIET_MS = 200;

async function eventsQuiet(recorders: EventRecorder[], deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const pending = recorders.map((r) => r.flush());
    await Promise.race([Promise.all(pending), sleep(Math.max(0, deadline - Date.now()), true)]);
    await sleep(EVENT_QUIET_MS);
    // flush() hands out the same promise until another event is recorded
    if (recorders.every((r, i) => r.flush() === pending[i])) return;
  }
}

/** unref: a bound that has not run out must not keep the stopped process alive */
function sleep(ms: number, unref = false): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    if (unref) t.unref();
  });
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
      'service-lb-pool': { type: 'string', default: '' },
      'leader-elect': { type: 'string', default: 'true' },
      ...LEADER_ELECT_FLAG_OPTIONS,
      'log-level': { type: 'string', default: 'info' },
      'cluster-signing-cert-file': { type: 'string' },
      'cluster-signing-key-file': { type: 'string' },
      'cluster-signing-duration': { type: 'string' },
      ...Object.fromEntries(CONTROLLER_FLAGS.map((f) => [f, { type: 'string' as const }])),
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
    flags: Object.fromEntries(
      CONTROLLER_FLAGS.map((f) => [f, (values as Record<string, unknown>)[f] as string | undefined]),
    ),
  };
  if (values['service-lb-pool']) {
    new AddressPool(values['service-lb-pool']); // refuse a bad pool at start, with the reason
    ctx.serviceLBPool = values['service-lb-pool'];
  }
  const signingCert = values['cluster-signing-cert-file'];
  const signingKey = values['cluster-signing-key-file'];
  if (!!signingCert !== !!signingKey)
    throw new Error('--cluster-signing-cert-file and --cluster-signing-key-file must be given together');
  if (signingCert && signingKey) {
    ctx.clusterSigning = { certFile: signingCert, keyFile: signingKey };
    const d = values['cluster-signing-duration'];
    if (d) ctx.clusterSigning.durationMs = parseDuration(d, 'cluster-signing-duration');
  }
  const spec = values.controllers!.split(',').map((s) => s.trim());
  const chosen = CONTROLLERS.filter((d) => enabled(spec, d.name));
  let running: Controller[] = [];
  const run = async () => {
    running = chosen.map((d) => d.create(ctx));
    informers.start();
    await informers.waitForSync();
    for (const c of running) await c.start();
    log.info('controllers started', { controllers: chosen.map((d) => d.name) });
  };
  let elector: LeaderElector | undefined;
  const leaderElect = values['leader-elect'];
  if (leaderElect !== 'true' && leaderElect !== 'false')
    throw new Error(`invalid --leader-elect "${leaderElect}": want true or false`);
  const timings = leaderElectionTimings(values);
  if (leaderElect === 'true') {
    elector = new LeaderElector(
      client,
      { namespace: 'kube-system', name: 'kube-controller-manager', ...timings },
      {
        onStartedLeading: () => void run(),
        // as upstream: a manager that lost its lease exits, its supervisor starts a fresh candidate
        onStoppedLeading: () => {
          log.error('leader election lost');
          process.exit(1);
        },
      },
    );
    elector.start();
  } else await run();
  return new Promise((done) => {
    const stop = () => {
      for (const c of running) c.stop();
      informers.dispose();
      // work items still running record their events after stop(): wait until no recorder got
      // a new one for a moment and all are written (the API server serves until its children
      // are gone), bounded below the supervisor's 5 s SIGKILL
      const flushed = eventsQuiet(recorders, Date.now() + EVENT_FLUSH_MS);
      void Promise.all([flushed, elector?.stop()]).finally(() => {
        for (const r of recorders) r.abandon();
        client.close();
        done(0);
      });
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
