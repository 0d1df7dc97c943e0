// The probes of one pod (upstream's prober manager, per pod): a worker per container and probe
// type, each on its own periodSeconds timer, running exec through the runtime's ExecSync and
// httpGet/tcpSocket/grpc from the node against the pod IP. The runtime asks it whether a
// container is started and ready, and whether liveness or startup wants it killed.
import { logger } from '../../util/log.js';
import { execProbe, grpcProbe, httpProbe, probeURL, tcpProbe, type ExecRunner } from './probes.js';
import { ProbeWorker, type ContainerView } from './worker.js';
import { probeTypeTitle, type ProbeOutcome, type ProbeSpec, type ProbeType } from './types.js';

const log = logger('prober');

/** The container fields probes read. */
export interface ProbedContainer {
  name: string;
  ports?: { name?: string; containerPort?: number }[];
  livenessProbe?: ProbeSpec;
  readinessProbe?: ProbeSpec;
  startupProbe?: ProbeSpec;
}

export interface PodProberDeps {
  /** ExecSync in the given container. */
  exec(containerId: string, cmd: string[], timeoutSeconds: number): ReturnType<ExecRunner>;
  /** An event against the container (fieldPath spec.containers{name}). */
  event(containerName: string, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** The container as the runtime last saw it; undefined once the pod is gone. */
  container(name: string): Omit<ContainerView, 'started' | 'hasStartupProbe'> | undefined;
  /** Where httpGet/tcpSocket/grpc connect when the probe names no host. */
  podIP(): string;
  /** A result changed (the runtime reports the new readiness). */
  changed(): void;
}

/** upstream's extractPort: a number, a container port's name, or a number in a string. */
export function resolvePort(port: number | string, c: ProbedContainer): number {
  let n: number;
  if (typeof port === 'number') n = port;
  else {
    const named = c.ports?.find((p) => p.name === port);
    if (named) n = named.containerPort ?? 0;
    else if (/^[+-]?\d+$/.test(port)) n = Number(port);
    else throw new Error(`strconv.Atoi: parsing ${JSON.stringify(port)}: invalid syntax`);
  }
  if (n > 0 && n < 65536) return n;
  throw new Error(`invalid port number: ${n}`);
}

/** Runs one probe handler once. */
export function runHandler(
  spec: ProbeSpec,
  c: ProbedContainer,
  containerId: string,
  podIP: string,
  exec: PodProberDeps['exec'],
): Promise<ProbeOutcome> {
  const timeout = spec.timeoutSeconds || 1;
  if (spec.exec) return execProbe((cmd, t) => exec(containerId, cmd, t), spec.exec.command ?? [], timeout);
  if (spec.httpGet) {
    const h = spec.httpGet;
    const port = resolvePort(h.port, c);
    const headers = h.httpHeaders ?? [];
    const url = probeURL(h.scheme ?? 'HTTP', h.host || podIP, port, h.path ?? '');
    return httpProbe({ url, headers, timeoutSeconds: timeout });
  }
  if (spec.tcpSocket)
    return tcpProbe(spec.tcpSocket.host || podIP, resolvePort(spec.tcpSocket.port, c), timeout);
  if (spec.grpc) return grpcProbe(podIP, spec.grpc.port, spec.grpc.service ?? '', timeout);
  return Promise.resolve({ result: 'unknown', output: '', error: 'missing probe handler' });
}

export class PodProber {
  private readonly workers = new Map<string, ProbeWorker>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    containers: ProbedContainer[],
    private readonly deps: PodProberDeps,
  ) {
    for (const c of containers) {
      const probes: [ProbeType, ProbeSpec | undefined][] = [
        ['startup', c.startupProbe],
        ['liveness', c.livenessProbe],
        ['readiness', c.readinessProbe],
      ];
      for (const [type, spec] of probes) {
        if (!spec) continue;
        const w = new ProbeWorker(
          type,
          spec,
          () =>
            runHandler(spec, c, this.workers.get(`${c.name}/${type}`)!.containerID, deps.podIP(), deps.exec),
          {
            unhealthy: (t, o) => {
              const what = probeTypeTitle(t);
              const msg = o.error
                ? `${what} probe errored and resulted in unknown state: ${o.error}`
                : `${what} probe failed: ${o.output}`;
              deps.event(c.name, 'Warning', 'Unhealthy', msg);
            },
            warning: (t, o) =>
              deps.event(
                c.name,
                'Warning',
                'ProbeWarning',
                `${probeTypeTitle(t)} probe warning: ${o.output}`,
              ),
          },
        );
        this.workers.set(`${c.name}/${type}`, w);
        this.loop(c.name, w);
      }
    }
  }

  get size(): number {
    return this.workers.size;
  }

  private loop(name: string, w: ProbeWorker): void {
    const period = w.timing.periodSeconds * 1000;
    const step = (): void => {
      if (this.stopped) return;
      const view = this.deps.container(name);
      if (!view) return;
      const full: ContainerView = {
        ...view,
        started: this.started(name, view.id),
        hasStartupProbe: this.workers.has(`${name}/startup`),
      };
      void w
        .tick(full, Date.now())
        .then((changed) => {
          if (changed) this.deps.changed();
        })
        .catch((err: unknown) => log.warn('probe failed to run', { container: name, error: String(err) }))
        .finally(() => {
          if (this.stopped) return;
          // a container that just started is probed after its initial delay, not a whole period later
          const t = setTimeout(
            () => {
              this.timers.delete(t);
              step();
            },
            this.nextDelay(w, full, period),
          );
          this.timers.add(t);
        });
    };
    step();
  }

  /** Until the next run: the period, or less while the container is not yet due. */
  private nextDelay(w: ProbeWorker, c: ContainerView, period: number): number {
    if (!c.running) return Math.min(period, 1000);
    const due = c.startedAt + w.timing.initialDelaySeconds * 1000 - Date.now();
    return due > 0 ? Math.min(period, Math.max(due, 100)) : period;
  }

  /** started: the startup probe passed for this container (or it has none). */
  started(name: string, id: string): boolean {
    const w = this.workers.get(`${name}/startup`);
    return !w || (w.containerID === id && w.result === 'success');
  }

  /** ready: the readiness probe passed for this container (or it has none). */
  ready(name: string, id: string): boolean {
    const w = this.workers.get(`${name}/readiness`);
    return !w || (w.containerID === id && w.result === 'success');
  }

  /** The probe that wants this container killed and restarted, if one does. */
  failed(name: string, id: string): { type: 'liveness' | 'startup'; spec: ProbeSpec } | undefined {
    for (const type of ['startup', 'liveness'] as const) {
      const w = this.workers.get(`${name}/${type}`);
      if (w && w.containerID === id && w.result === 'failure') return { type, spec: w.spec };
    }
    return undefined;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
