// The containerd runtime's side of probes: a PodProber per pod whose containers have probes,
// container readiness and `started` from its results, and the kill upstream's kuberuntime does
// when liveness or startup fails (Normal Killing "Container x failed liveness probe, will be
// restarted", grace from the probe's terminationGracePeriodSeconds or the pod's). The restart
// itself is the runtime's usual restartPolicy path.
import { CriError, isNotFound, type CriClient } from '../../cri/client.js';
import { logger } from '../../util/log.js';
import { PodProber, type ProbedContainer } from '../prober/manager.js';
import type { ContainerdRuntimeOptions } from './containerd.js';
import type { Pod, RuntimeContainerStatus } from './types.js';

const log = logger('containerd-runtime');
/** gRPC DEADLINE_EXCEEDED: containerd's answer when ExecSync's timeout passed. */
const DEADLINE_EXCEEDED = 4;

interface ProbedCtr {
  spec: { name: string; restartPolicy?: string };
  init?: boolean;
  id: string;
  status: RuntimeContainerStatus;
  prober?: PodProber;
}

interface ProbedPod {
  uid: string;
  pod: Pod;
  podIP?: string;
  init: ProbedCtr[];
  main: ProbedCtr[];
  prober?: PodProber;
}

/** The containers probes run on: sidecars (init containers with restartPolicy Always), then the containers. */
const probed = (p: ProbedPod) => [...p.init.filter((c) => c.spec.restartPolicy === 'Always'), ...p.main];
const fieldPath = (c: ProbedCtr | undefined, name: string) =>
  `${c?.init ? 'spec.initContainers' : 'spec.containers'}{${name}}`;

type RecordEvent = ContainerdRuntimeOptions['recordEvent'];

/** Starts the pod's probe workers, if any of its containers has a probe. */
export function attachProber(p: ProbedPod, cri: CriClient, record: RecordEvent, changed: () => void): void {
  const sidecars = (p.pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  const specs = [...sidecars, ...p.pod.spec.containers] as ProbedContainer[];
  if (!specs.some((c) => c.livenessProbe || c.readinessProbe || c.startupProbe)) return;
  const prober = new PodProber(specs, {
    exec: async (id, cmd, timeoutSeconds) => {
      try {
        const r = await cri.execSync(id, cmd, timeoutSeconds);
        const output = Buffer.concat([Buffer.from(r.stdout ?? []), Buffer.from(r.stderr ?? [])]).toString(
          'utf8',
        );
        return { exitCode: r.exit_code, output };
      } catch (err) {
        if (err instanceof CriError && err.code === DEADLINE_EXCEEDED) return 'timeout';
        throw err;
      }
    },
    event: (name, type, reason, message) =>
      record?.(
        p.pod,
        fieldPath(
          probed(p).find((x) => x.spec.name === name),
          name,
        ),
        type,
        reason,
        message,
      ),
    container: (name) => {
      const c = probed(p).find((x) => x.spec.name === name);
      if (!c) return undefined;
      const run = c.status.state.running;
      return { id: c.id, running: !!run, startedAt: run ? Date.parse(run.startedAt) : 0 };
    },
    podIP: () => p.podIP ?? (p.pod.spec.hostNetwork ? '127.0.0.1' : ''),
    changed: () => {
      for (const c of probed(p)) Object.assign(c.status, probedStatus(c));
      changed();
    },
  });
  p.prober = prober;
  for (const c of probed(p)) c.prober = prober;
}

/** started and ready of a container as its probes say (no probe: running is enough). */
export function probedStatus(c: ProbedCtr): { started: boolean; ready: boolean } {
  const running = !!c.status.state.running;
  const started = running && (c.prober?.started(c.spec.name, c.id) ?? true);
  return { started, ready: started && (c.prober?.ready(c.spec.name, c.id) ?? true) };
}

/** Kills a running container its liveness or startup probe failed; true when it did. */
export async function killForProbe(
  p: ProbedPod,
  c: ProbedCtr,
  cri: CriClient,
  record: RecordEvent,
): Promise<boolean> {
  if (!c.status.state.running || !c.prober) return false;
  const failed = c.prober.failed(c.spec.name, c.id);
  if (!failed) return false;
  const restart = c.spec.restartPolicy === 'Always' || (p.pod.spec.restartPolicy ?? 'Always') !== 'Never';
  const message = `Container ${c.spec.name} failed ${failed.type} probe${restart ? ', will be restarted' : ''}`;
  record?.(p.pod, fieldPath(c, c.spec.name), 'Normal', 'Killing', message);
  const grace = failed.spec.terminationGracePeriodSeconds ?? p.pod.spec.terminationGracePeriodSeconds ?? 30;
  try {
    await cri.stopContainer(c.id, grace);
  } catch (err) {
    if (!isNotFound(err)) log.warn('StopContainer failed', { id: c.id, error: String(err) });
  }
  return true;
}
