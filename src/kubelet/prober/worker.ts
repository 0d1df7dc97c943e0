// One probe of one container (upstream's prober worker, pkg/kubelet/prober/worker.go): runs
// every periodSeconds, waits initialDelaySeconds after the container started, holds its result
// until successThreshold/failureThreshold consecutive runs agree, and after a liveness or
// startup failure stays "on hold" until the runtime replaced the container (new ID).
import { probeTiming, type ProbeOutcome, type ProbeSpec, type ProbeType } from './types.js';

/** What the worker needs to know of its container at each tick. */
export interface ContainerView {
  /** CRI container ID; '' before it exists. */
  id: string;
  running: boolean;
  /** ms since the epoch when the current run started. */
  startedAt: number;
  /** The startup probe succeeded (or there is none). */
  started: boolean;
  /** The pod has a startup probe for this container. */
  hasStartupProbe: boolean;
}

export interface ProbeEvents {
  /** A run failed or errored (upstream records one Unhealthy event per failed run). */
  unhealthy(type: ProbeType, outcome: ProbeOutcome): void;
  /** A run succeeded with a warning (an unfollowed redirect). */
  warning(type: ProbeType, outcome: ProbeOutcome): void;
}

export class ProbeWorker {
  readonly timing: ReturnType<typeof probeTiming>;
  /** The result the runtime acts on, for containerID ('unknown': a startup probe not yet passed). */
  result: 'success' | 'failure' | 'unknown';
  containerID = '';
  private lastResult: 'success' | 'failure' | 'unknown' = 'unknown';
  private resultRun = 0;
  private onHold = false;

  constructor(
    readonly type: ProbeType,
    readonly spec: ProbeSpec,
    private readonly run: () => Promise<ProbeOutcome>,
    private readonly events: ProbeEvents,
  ) {
    this.timing = probeTiming(spec);
    this.result = this.initial();
  }

  /** Readiness starts as failure, liveness as success, startup as unknown (upstream's initialValue). */
  private initial(): 'success' | 'failure' | 'unknown' {
    return this.type === 'readiness' ? 'failure' : this.type === 'liveness' ? 'success' : 'unknown';
  }

  /** One period: probes when the container is due; returns whether the result changed. */
  async tick(c: ContainerView, now: number): Promise<boolean> {
    const before = this.result;
    if (c.id !== this.containerID) {
      // a new container: start over (the old one's verdict does not carry over)
      this.containerID = c.id;
      this.result = this.initial();
      this.lastResult = 'unknown';
      this.resultRun = 0;
      this.onHold = false;
    }
    if (!c.id || this.onHold) return this.result !== before;
    if (!c.running) {
      this.resultRun = 0;
      if (this.type === 'readiness') this.result = 'failure';
      return this.result !== before;
    }
    // liveness and readiness wait for the startup probe; the startup probe stops once it passed
    if (this.type !== 'startup' && c.hasStartupProbe && !c.started) return this.result !== before;
    if (this.type === 'startup' && c.started) return this.result !== before;
    if ((now - c.startedAt) / 1000 < this.timing.initialDelaySeconds) return this.result !== before;

    let outcome: ProbeOutcome;
    try {
      outcome = await this.run();
    } catch (err) {
      outcome = { result: 'unknown', output: '', error: (err as Error).message };
    }
    if (outcome.result === 'failure' || outcome.result === 'unknown')
      this.events.unhealthy(this.type, outcome);
    else if (outcome.result === 'warning') this.events.warning(this.type, outcome);
    // an errored run keeps the previous result (upstream returns before counting it)
    if (outcome.result === 'unknown') return this.result !== before;
    const r = outcome.result === 'failure' ? 'failure' : 'success';
    if (r === this.lastResult) this.resultRun++;
    else {
      this.lastResult = r;
      this.resultRun = 1;
    }
    const needed = r === 'failure' ? this.timing.failureThreshold : this.timing.successThreshold;
    if (this.resultRun < needed) return this.result !== before;
    this.result = r;
    if (r === 'failure' && this.type !== 'readiness') {
      // the container is to be killed: probe again only once it was replaced
      this.onHold = true;
      this.resultRun = 0;
    }
    return this.result !== before;
  }
}
