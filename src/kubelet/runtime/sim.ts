// The `sim` runtime: pods run without processes (KWOK-style), through the states a real runtime
// reports. Sandbox (ContainerCreating, an IP from the node's podCIDR) → init containers one by
// one → containers Running; containers that end exit with 0 (or as steered: Error, OOMKilled)
// and are restarted per restartPolicy with upstream's back-off (immediately the first time, then
// 10 s doubling to 5 min, CrashLoopBackOff meanwhile). Steering: runtime/sim-steering.ts.
import { createHash, randomBytes } from 'node:crypto';
import { normalizeImage, steeringOf, waitingStatus, type Steering } from './sim-steering.js';
import { PodIPs } from './pod-ips.js';
import { PodUsage, usageRatesOf } from './sim-usage.js';
import type { ContainerUsage, NodeUsage } from '../stats/resource-metrics.js';
import type { ContainerSpec, Pod, PodRuntime, RuntimeContainerStatus, RuntimePodStatus } from './types.js';

const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;
const IMAGE_PULL_BACKOFF_MS = 1_000;

export const SIM_VERSION = 'sim://1.0';

export interface SimRuntimeOptions {
  /** Default seconds in ContainerCreating (annotation start-seconds overrides). */
  startSeconds?: number;
  /** Seconds a Job's container runs before it completes (annotation run-seconds overrides). */
  jobRunSeconds?: number;
}

interface SimContainer {
  spec: ContainerSpec;
  init: boolean;
  /** Ephemeral containers are never ready and never restarted. */
  ephemeral?: boolean;
  status: RuntimeContainerStatus;
}

interface SimPod {
  uid: string;
  pod: Pod;
  steer: Steering;
  ip?: string;
  sandboxReady: boolean;
  init: SimContainer[];
  main: SimContainer[];
  ephemeral: SimContainer[];
  killing: boolean;
  timers: Set<NodeJS.Timeout>;
  onChange: (uid: string) => void;
  usage: PodUsage;
}

/** Go's time.Duration text for whole seconds: 10s, 2m40s, 5m0s. */
function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const newContainerID = () => `sim://${randomBytes(32).toString('hex')}`;

function imageID(image: string): string {
  const repo = image.replace(/[:@][^/]*$/, '');
  return `${repo}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}

export class SimRuntime implements PodRuntime {
  readonly name = 'sim';
  readonly version = SIM_VERSION;
  private readonly pods = new Map<string, SimPod>();
  private readonly ips = new Map<string, PodIPs>();

  constructor(private readonly opts: SimRuntimeOptions = {}) {}

  syncPod(pod: Pod, podCIDR: string, onChange: (uid: string) => void): void {
    const uid = pod.metadata.uid ?? '';
    const known = this.pods.get(uid);
    if (known) {
      // only the usage annotations are read again (the rest steers the start, as a real pod's
      // spec), and ephemeral containers added since start
      known.usage.setRates(usageRatesOf(pod));
      this.addEphemeral(known, pod);
      return;
    }
    const steer = steeringOf(pod, {
      startSeconds: this.opts.startSeconds ?? 0,
      jobRunSeconds: this.opts.jobRunSeconds ?? 1,
    });
    const hasInit = (pod.spec.initContainers ?? []).length > 0;
    const waiting = (c: ContainerSpec, init: boolean): SimContainer => ({
      spec: c,
      init,
      status: {
        name: c.name,
        image: normalizeImage(c.image ?? ''),
        imageID: '',
        containerID: '',
        state: { waiting: { reason: hasInit ? 'PodInitializing' : 'ContainerCreating' } },
        lastState: {},
        restartCount: 0,
        started: false,
        ready: false,
      },
    });
    const p: SimPod = {
      uid,
      pod,
      steer,
      sandboxReady: false,
      init: (pod.spec.initContainers ?? []).map((c) => waiting(c, true)),
      main: pod.spec.containers.map((c) => waiting(c, false)),
      ephemeral: [],
      killing: false,
      timers: new Set(),
      onChange,
      usage: new PodUsage(usageRatesOf(pod)),
    };
    this.pods.set(uid, p);
    this.addEphemeral(p, pod);
    const sandbox = () => {
      if (!pod.spec.hostNetwork) p.ip = this.poolFor(podCIDR).allocate(uid);
      p.sandboxReady = true;
      this.next(p);
    };
    // no creation time: the pod's first status is already Running (one status write, not two)
    if (steer.startSeconds === 0) sandbox();
    else this.after(p, steer.startSeconds * 1000, sandbox);
  }

  podStatus(uid: string): RuntimePodStatus | undefined {
    const p = this.pods.get(uid);
    if (!p) return undefined;
    const out: RuntimePodStatus = {
      sandboxReady: p.sandboxReady,
      initContainers: p.init.map((c) => c.status),
      containers: p.main.map((c) => c.status),
    };
    if (p.ephemeral.length) out.ephemeralContainers = p.ephemeral.map((c) => c.status);
    if (p.ip) out.podIP = p.ip;
    return out;
  }

  killPod(uid: string, gracePeriodSeconds: number): Promise<void> {
    const p = this.pods.get(uid);
    if (!p) return Promise.resolve();
    this.clearTimers(p);
    p.killing = true;
    const graceful = p.steer.terminationSeconds <= gracePeriodSeconds;
    const delay = Math.min(p.steer.terminationSeconds, gracePeriodSeconds) * 1000;
    return new Promise((resolve) => {
      this.after(p, delay, () => {
        for (const c of [...p.init, ...p.main, ...p.ephemeral]) {
          const running = c.status.state.running;
          if (!running) continue;
          // SIGTERM honoured: exit 0; grace period over: SIGKILL (137)
          c.status.state = {
            terminated: {
              exitCode: graceful ? 0 : 137,
              reason: graceful ? 'Completed' : 'Error',
              startedAt: running.startedAt,
              finishedAt: now(),
              containerID: c.status.containerID,
            },
          };
          c.status.ready = false;
        }
        p.onChange(uid);
        resolve();
      });
    });
  }

  /** What /metrics/resource reports: each running container's share of its pod's usage. */
  resourceUsage(): Promise<NodeUsage> {
    const nowMs = Date.now();
    const containers: ContainerUsage[] = [];
    let cpu = 0;
    let memory = 0;
    for (const p of this.pods.values()) {
      const running = p.main.filter((c) => c.status.state.running);
      if (!running.length || p.killing) continue;
      const u = p.usage.read(nowMs);
      cpu += u.cpuSeconds;
      memory += u.memoryBytes;
      for (const c of running)
        containers.push({
          namespace: p.pod.metadata.namespace ?? '',
          pod: p.pod.metadata.name ?? '',
          container: c.spec.name,
          cpuSeconds: u.cpuSeconds / running.length,
          memoryBytes: Math.round(u.memoryBytes / running.length),
          timestampMs: nowMs,
          startTimeSeconds:
            Math.floor(Date.parse(c.status.state.running!.startedAt ?? '') / 1000) || undefined,
        });
    }
    return Promise.resolve({
      node: { cpuSeconds: cpu, memoryBytes: memory, timestampMs: nowMs },
      containers,
      scrapeError: false,
    });
  }

  finishPod(uid: string): void {
    const p = this.pods.get(uid);
    if (!p) return;
    p.killing = true; // no more usage figures
    this.clearTimers(p);
    for (const pool of this.ips.values()) pool.release(uid);
  }

  removePod(uid: string): void {
    const p = this.pods.get(uid);
    if (!p) return;
    this.clearTimers(p);
    for (const pool of this.ips.values()) pool.release(uid);
    this.pods.delete(uid);
  }

  dispose(): void {
    for (const uid of [...this.pods.keys()]) this.removePod(uid);
  }

  private poolFor(cidr: string): PodIPs {
    let pool = this.ips.get(cidr);
    if (!pool) this.ips.set(cidr, (pool = new PodIPs(cidr)));
    return pool;
  }

  private after(p: SimPod, ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      p.timers.delete(t);
      if (this.pods.get(p.uid) === p) fn();
    }, ms);
    t.unref();
    p.timers.add(t);
  }

  private clearTimers(p: SimPod): void {
    for (const t of p.timers) clearTimeout(t);
    p.timers.clear();
  }

  /** Takes in the pod's ephemeral containers not seen yet; they start once the sandbox is up. */
  private addEphemeral(p: SimPod, pod: Pod): void {
    const seen = new Set(p.ephemeral.map((c) => c.spec.name));
    const fresh = (pod.spec.ephemeralContainers ?? []).filter((c) => !seen.has(c.name));
    if (!fresh.length) return;
    for (const spec of fresh)
      p.ephemeral.push({
        spec,
        init: false,
        ephemeral: true,
        status: waitingStatus(spec, 'ContainerCreating'),
      });
    if (p.sandboxReady) this.next(p);
  }

  /**
   * Starts whatever comes next: the first unfinished init container, else the containers;
   * ephemeral containers as soon as the sandbox runs (upstream starts them beside the others).
   */
  private next(p: SimPod): void {
    if (p.killing) return;
    for (const c of p.ephemeral) if (!c.status.started && !c.status.state.terminated) this.start(p, c);
    const pending = p.init.find((c) => !(c.status.state.terminated?.exitCode === 0));
    if (pending) {
      if (!pending.status.state.running && !pending.status.state.terminated) this.start(p, pending);
    } else {
      for (const c of p.main) if (!c.status.started) this.start(p, c);
    }
    p.onChange(p.uid);
  }

  private start(p: SimPod, c: SimContainer): void {
    const name = c.spec.name;
    if (p.steer.imagePullError(name)) return this.failPull(p, c);
    c.status.imageID = imageID(c.status.image);
    c.status.containerID = newContainerID();
    c.status.state = { running: { startedAt: now() } };
    c.status.started = true;
    c.status.ready = !c.init && !c.ephemeral && !p.steer.neverReady(name);
    const ends = c.init || p.steer.ends(name);
    if (!ends) return;
    const runFor = c.init ? p.steer.initSeconds : (p.steer.runSeconds ?? 1);
    this.after(p, runFor * 1000, () => this.exit(p, c));
  }

  private failPull(p: SimPod, c: SimContainer): void {
    const ref = c.spec.image ?? '';
    c.status.state = {
      waiting: {
        reason: 'ErrImagePull',
        message: `failed to pull and unpack image "${c.status.image}": sim: image pull refused by annotation`,
      },
    };
    this.after(p, IMAGE_PULL_BACKOFF_MS, () => {
      c.status.state = {
        waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${ref}"` },
      };
      p.onChange(p.uid);
    });
  }

  private exit(p: SimPod, c: SimContainer): void {
    const running = c.status.state.running;
    if (!running) return;
    const name = c.spec.name;
    const oom = p.steer.oomKilled(name);
    const code = oom ? 137 : p.steer.fail(name) ? p.steer.exitCode : 0;
    c.status.state = {
      terminated: {
        exitCode: code,
        reason: oom ? 'OOMKilled' : code === 0 ? 'Completed' : 'Error',
        startedAt: running.startedAt,
        finishedAt: now(),
        containerID: c.status.containerID,
      },
    };
    c.status.ready = false;
    const policy = p.pod.spec.restartPolicy ?? 'Always';
    // an init container that failed restarts under OnFailure and Always alike, as upstream
    const restart = c.ephemeral
      ? false
      : c.init
        ? code !== 0 && policy !== 'Never'
        : policy === 'Always' || (policy === 'OnFailure' && code !== 0);
    if (restart) this.scheduleRestart(p, c);
    else if (c.init && code === 0) return this.next(p);
    p.onChange(p.uid);
  }

  private scheduleRestart(p: SimPod, c: SimContainer): void {
    const n = c.status.restartCount;
    const delay = n === 0 ? 0 : Math.min(BACKOFF_BASE_MS * 2 ** (n - 1), BACKOFF_MAX_MS);
    const last = { terminated: c.status.state.terminated! };
    const restart = () => {
      c.status.lastState = last;
      c.status.restartCount++;
      c.status.started = false;
      this.start(p, c);
      p.onChange(p.uid);
    };
    if (delay === 0) return this.after(p, 0, restart);
    const ns = p.pod.metadata.namespace ?? '';
    c.status.lastState = last;
    c.status.state = {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${goDuration(delay)} restarting failed container=${c.spec.name} pod=${p.pod.metadata.name}_${ns}(${p.uid})`,
      },
    };
    this.after(p, delay, restart);
  }
}
