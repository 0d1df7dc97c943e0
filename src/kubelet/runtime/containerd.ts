// The containerd runtime: pods as CRI sandboxes and containers (upstream's kuberuntime manager,
// reduced). Each pod has a worker that, about once a second, reconciles what containerd runs
// with the pod spec: sandbox, images (imagePullPolicy, ErrImagePull/ImagePullBackOff), init
// containers one by one, then containers; restarts per restartPolicy with upstream's back-off
// (immediately the first time, then 10 s doubling to 5 min, CrashLoopBackOff meanwhile).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { isNotFound } from '../../cri/client.js';
import type { ContainerStatus, PodSandboxConfig } from '../../cri/types.js';
import { logger } from '../../util/log.js';
import type { ContainerdNode } from '../containerd/node.js';
import type { PullPolicy } from '../containerd/image-puller.js';
import {
  containerConfig,
  podDir,
  sandboxConfig,
  type FullContainerSpec,
  type PodContext,
} from './cri-config.js';
import { nodeResolvConf, readHostResolvConf } from './dns-config.js';
import { waitingStatus } from './sim-steering.js';
import { attachProber, killForProbe, probedStatus } from './probes.js';
import { fetchEnvObjects } from './env.js';
import { verifyRunAsNonRoot, type ImageUser } from './security-context.js';
import type { PodProber } from '../prober/manager.js';
import { isManagedVolume, PodVolumes, type PodVolumesDeps } from '../volumes/manager.js';
import type { AnyVolume } from '../volumes/sources.js';
import { SummaryCollector, type SummaryPod } from '../stats/summary.js';
import { containerdPaths } from '../containerd/config.js';
import { unmountAll } from '../volumes/tmpfs.js';
import { criPortForward } from './cri-portforward.js';
import { terminationMessage } from './termination-message.js';
import { collectNodeUsage } from '../stats/collect.js';
import type { NodeUsage } from '../stats/resource-metrics.js';
import type {
  ContainerState,
  Pod,
  PodRuntime,
  PortForwardTarget,
  ContainerStreams,
  StreamRequest,
  RuntimeContainerStatus,
  RuntimePodStatus,
} from './types.js';

const log = logger('containerd-runtime');
const POLL_MS = 1000;
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;
export const CONTAINERD_VERSION = 'containerd://1.6.20';

export interface ContainerdRuntimeOptions {
  dataDir: string;
  /** cgroupfs parent of every pod's cgroup (pod<uid> below it). */
  cgroupRoot: string;
  clusterDNS: string[];
  clusterDomain?: string;
  /** The node's resolver file pods with dnsPolicy Default inherit (--resolv-conf; default: nodeResolvConf()). */
  resolvConf?: string;
  /** The service variables for a pod's containers (upstream: from the Services the kubelet watches). */
  serviceEnv?: (pod: Pod) => Map<string, string>;
  /** PEM of the cluster CA, written as ca.crt into kube-api-access-* volumes. */
  caCert: string;
  /**
   * A service-account token bound to the pod (TokenRequest), written into kube-api-access-*
   * volumes; the token file stays empty when absent or failing.
   */
  requestToken?: (pod: Pod, serviceAccount: string, expirationSeconds: number) => Promise<string>;
  /** Records the image events (Pulling, Pulled, Failed, BackOff) against the container's field path. */
  recordEvent?: (
    pod: Pod,
    fieldPath: string,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ) => void;
  /**
   * Reads ConfigMaps and Secrets for configMap/secret/projected volumes and env; without it those
   * volumes are not supported (and kube-api-access-* is written from caCert and requestToken).
   */
  getObject?: PodVolumesDeps['getObject'];
  /** Called once dispose() has stopped everything (e.g. to stop containerd). */
  onDispose?: () => Promise<void>;
}

interface Ctr {
  spec: FullContainerSpec;
  init: boolean;
  id: string;
  attempt: number;
  backoff?: { durationMs: number; lastUpdate: number };
  status: RuntimeContainerStatus;
  /** The pod's probes (main containers and sidecars of pods that have any). */
  prober?: PodProber;
  /** A sidecar that has started once no longer holds back the containers after it. */
  everStarted?: boolean;
  /** An ephemeral container: started once, never restarted, never ready. */
  ephemeral?: boolean;
}

interface CriPod {
  uid: string;
  pod: Pod;
  podCIDR: string;
  ctx: PodContext;
  sandboxId: string;
  sandbox?: PodSandboxConfig;
  podIP?: string;
  init: Ctr[];
  main: Ctr[];
  /** Ephemeral containers in the order they were added (pods/ephemeralcontainers). */
  eph: Ctr[];
  killing: boolean;
  /** Terminal: the sandbox is stopped, the status and logs are kept (finishPod). */
  finished?: boolean;
  busy?: Promise<void>;
  /** A reconcile pass is running (its end schedules the next one). */
  reconciling?: boolean;
  /** Something new to start: the next pass runs at once instead of after POLL_MS. */
  soon?: boolean;
  timer?: NodeJS.Timeout;
  lastReported: string;
  onChange: (uid: string) => void;
  prober?: PodProber;
  volumes?: PodVolumes;
  /** Container id → its CRI log file, for every attempt still on disk (logs --previous). */
  logPaths: Map<string, string>;
}

const fieldPathOf = (c: Ctr) =>
  `${c.init ? 'spec.initContainers' : c.ephemeral ? 'spec.ephemeralContainers' : 'spec.containers'}{${c.spec.name}}`;

/** Every container of a pod the runtime tracks. */
const allOf = (p: CriPod): Ctr[] => [...p.init, ...p.main, ...p.eph];

const bareID = (containerID: string) => containerID.replace(/^containerd:\/\//, '');

/** Go's time.Duration text for whole seconds: 10s, 2m40s, 5m0s. */
function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}

/** CRI nanoseconds → RFC 3339 seconds, as metav1.Time serialises. */
function criTime(ns: string): string {
  const ms = Number(BigInt(ns || '0') / 1_000_000n);
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Where the summary API finds a pod's logs and volumes. */
function summaryPod(p: CriPod): SummaryPod {
  const { name = '', namespace = 'default', uid = '' } = p.pod.metadata;
  const volumes = ((p.pod.spec as { volumes?: AnyVolume[] }).volumes ?? []).flatMap((v) => {
    const claim = (v as { persistentVolumeClaim?: { claimName: string } }).persistentVolumeClaim;
    const claimDir = p.ctx.claimPaths?.get(v.name);
    if (claim && claimDir)
      return [{ name: v.name, dir: claimDir, pvcRef: { name: claim.claimName, namespace } }];
    if ((v as { emptyDir?: object }).emptyDir)
      return [{ name: v.name, dir: join(p.ctx.podDir, 'volumes', 'kubernetes.io~empty-dir', v.name) }];
    return isManagedVolume(v) ? [{ name: v.name, dir: PodVolumes.dirOf(p.ctx.podDir, v) }] : [];
  });
  const status = p.pod.status as { startTime?: string } | undefined;
  return {
    name,
    namespace,
    uid,
    sandboxId: p.sandboxId,
    startTime: status?.startTime,
    logDir: (c) => join(p.ctx.podDir, 'logs', c),
    volumes,
    cgroupParent: p.ctx.cgroupParent,
  };
}

export function pullPolicy(c: FullContainerSpec): PullPolicy {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  const image = c.image ?? '';
  const tagged = /:[\w][\w.-]*$/.test(image.slice(image.lastIndexOf('/') + 1)) || image.includes('@');
  return !tagged || image.endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

function stateOf(cs: ContainerStatus): ContainerState {
  const message = exitMessage(cs);
  switch (cs.state) {
    case 'CONTAINER_RUNNING':
      return { running: { startedAt: criTime(cs.started_at) } };
    case 'CONTAINER_EXITED':
    case 'CONTAINER_UNKNOWN':
      return {
        terminated: {
          exitCode: cs.exit_code,
          reason: cs.reason || (cs.exit_code === 0 ? 'Completed' : 'Error'),
          ...(message ? { message } : {}),
          startedAt: criTime(cs.started_at),
          finishedAt: criTime(cs.finished_at),
          containerID: `containerd://${cs.id}`,
        },
      };
    default:
      return { waiting: { reason: 'ContainerCreating' } };
  }
}

/** The runtime's own message, then what the container left (termination-message.ts). */
function exitMessage(cs: ContainerStatus): string {
  if (cs.state !== 'CONTAINER_EXITED' && cs.state !== 'CONTAINER_UNKNOWN') return '';
  const own = terminationMessage(cs);
  return cs.message && own ? `${cs.message}: ${own}` : cs.message || own;
}

export class ContainerdRuntime implements PodRuntime {
  readonly name = 'containerd';
  readonly version = CONTAINERD_VERSION;
  private readonly pods = new Map<string, CriPod>();
  private podCIDR = '';
  private disposed = false;
  private stopped: Promise<void> = Promise.resolve();

  readonly streams: ContainerStreams = {
    logPath: (uid, containerID) => this.pods.get(uid)?.logPaths.get(bareID(containerID)),
    execURL: (containerID: string, cmd: string[], req: StreamRequest) =>
      this.node.cri.exec({ container_id: bareID(containerID), cmd, ...req }),
    attachURL: (containerID: string, req: StreamRequest) =>
      this.node.cri.attach({ container_id: bareID(containerID), ...req }),
  };

  constructor(
    private readonly node: ContainerdNode,
    private readonly opts: ContainerdRuntimeOptions,
  ) {}

  syncPod(pod: Pod, podCIDR: string, onChange: (uid: string) => void): void {
    if (this.disposed) return;
    if (podCIDR && podCIDR !== this.podCIDR) {
      this.podCIDR = podCIDR;
      this.node.setPodCIDR(podCIDR);
    }
    const uid = pod.metadata.uid ?? '';
    const known = this.pods.get(uid);
    if (known) {
      known.pod = pod;
      known.volumes?.update(pod);
      known.onChange = onChange;
      if (this.addEphemeral(known)) this.kick(known);
      return;
    }
    const waiting = (spec: FullContainerSpec, init: boolean): Ctr => ({
      spec,
      init,
      id: '',
      attempt: 0,
      status: waitingStatus(spec, init ? 'PodInitializing' : 'ContainerCreating'),
    });
    const p: CriPod = {
      uid,
      pod,
      podCIDR,
      ctx: {
        podDir: podDir(this.opts.dataDir, uid),
        cgroupParent: `${this.opts.cgroupRoot}/pod${uid}`,
        clusterDNS: this.opts.clusterDNS,
        clusterDomain: this.opts.clusterDomain ?? 'cluster.local',
        hostDNS: this.opts.resolvConf ? readHostResolvConf(this.opts.resolvConf) : nodeResolvConf(),
        caCert: this.opts.caCert,
        token: '',
        managedVolumes: !!this.opts.getObject,
        memoryVolumes: true,
        claimPaths: new Map(),
      },
      sandboxId: '',
      init: (pod.spec.initContainers ?? []).map((c) => waiting(c, true)),
      main: pod.spec.containers.map((c) => waiting(c, false)),
      eph: [],
      killing: false,
      lastReported: '',
      onChange,
      logPaths: new Map(),
    };
    const serviceEnv = this.opts.serviceEnv;
    if (serviceEnv) p.ctx.serviceEnv = () => serviceEnv(p.pod);
    this.pods.set(uid, p);
    this.addEphemeral(p);
    attachProber(p, this.node.cri, this.opts.recordEvent, () => this.report(p));
    if (this.opts.getObject)
      p.volumes = new PodVolumes(pod, p.ctx.podDir, {
        getObject: this.opts.getObject,
        requestToken: this.opts.requestToken,
        event: (type, reason, message) => this.opts.recordEvent?.(p.pod, '', type, reason, message),
        podIP: () => p.podIP,
        claimPaths: p.ctx.claimPaths,
        memoryVolumes: true,
      });
    this.schedule(p, 0);
  }

  podStatus(uid: string): RuntimePodStatus | undefined {
    const p = this.pods.get(uid);
    if (!p) return undefined;
    return {
      sandboxReady: !!p.podIP || (!!p.sandboxId && !!p.pod.spec.hostNetwork),
      ...(p.podIP ? { podIP: p.podIP } : {}),
      initContainers: p.init.map((c) => structuredClone(c.status)),
      containers: p.main.map((c) => structuredClone(c.status)),
      ...(p.eph.length ? { ephemeralContainers: p.eph.map((c) => structuredClone(c.status)) } : {}),
    };
  }

  /** Tracks the pod's ephemeral containers not seen yet (true if any); the next pass starts them. */
  private addEphemeral(p: CriPod): boolean {
    const seen = new Set(p.eph.map((c) => c.spec.name));
    let added = false;
    for (const spec of p.pod.spec.ephemeralContainers ?? []) {
      if (seen.has(spec.name)) continue;
      added = true;
      p.eph.push({
        spec,
        init: false,
        ephemeral: true,
        id: '',
        attempt: 0,
        status: waitingStatus(spec, 'ContainerCreating'),
      });
    }
    return added;
  }

  async killPod(uid: string, gracePeriodSeconds: number): Promise<void> {
    const p = this.pods.get(uid);
    if (!p) return;
    p.killing = true;
    clearTimeout(p.timer);
    p.prober?.stop();
    const started = Date.now();
    await p.busy;
    const cri = this.node.cri;
    await Promise.all(
      allOf(p)
        .filter((c) => c.id)
        .map((c) =>
          cri.stopContainer(c.id, gracePeriodSeconds).catch((err: unknown) => {
            if (!isNotFound(err)) log.warn('StopContainer failed', { id: c.id, error: String(err) });
          }),
        ),
    );
    for (const c of allOf(p)) await this.refresh(c);
    log.info('pod containers stopped', {
      pod: uid,
      gracePeriodSeconds,
      tookMs: Date.now() - started,
      states: allOf(p).map((c) => `${c.spec.name}:${Object.keys(c.status.state)[0]}:${c.id.slice(0, 8)}`),
    });
    if (p.sandboxId) await cri.stopPodSandbox(p.sandboxId).catch(() => undefined);
    this.report(p);
  }

  statsSummary(nodeName: string): Promise<Record<string, unknown>> {
    this.summary ??= new SummaryCollector({
      cri: this.node.cri,
      rootDir: join(this.opts.dataDir, 'agent'),
      imageFsDir: containerdPaths(this.opts.dataDir).root,
      pods: () => [...this.pods.values()].map(summaryPod),
      runtimePid: () => this.node.supervisor.pid,
    });
    return this.summary.collect(nodeName);
  }
  private summary?: SummaryCollector;

  /** Through containerd's streaming server, which dials localhost in the pod's netns. */
  resourceUsage(): Promise<NodeUsage> {
    return collectNodeUsage(this.node.cri);
  }

  async portForward(uid: string): Promise<PortForwardTarget> {
    const p = this.pods.get(uid);
    if (!p?.sandboxId) {
      const name = `${p?.pod.metadata.name ?? uid}_${p?.pod.metadata.namespace ?? ''}`;
      throw new Error(`pod not found (${JSON.stringify(name)})`);
    }
    return criPortForward(this.node.cri, p.sandboxId);
  }

  finishPod(uid: string): void {
    const p = this.pods.get(uid);
    if (!p || p.finished) return;
    p.finished = true;
    p.killing = true;
    clearTimeout(p.timer);
    p.prober?.stop();
    void (async () => {
      await p.busy;
      // stopping the sandbox tears its network down (CNI DEL gives the IP back)
      if (p.sandboxId) await this.node.cri.stopPodSandbox(p.sandboxId).catch(() => undefined);
      try {
        unmountAll(p.ctx.podDir); // memory-backed volumes; the logs under podDir/logs stay
      } catch (err) {
        log.warn('could not unmount the volumes of a finished pod', { pod: uid, error: String(err) });
      }
    })();
  }

  removePod(uid: string): void {
    const p = this.pods.get(uid);
    if (!p) return;
    this.pods.delete(uid);
    p.killing = true;
    clearTimeout(p.timer);
    p.prober?.stop();
    void (async () => {
      await p.busy;
      if (p.sandboxId) {
        await this.node.cri.stopPodSandbox(p.sandboxId).catch(() => undefined);
        await this.node.cri.removePodSandbox(p.sandboxId).catch((err: unknown) => {
          log.warn('RemovePodSandbox failed', { pod: uid, error: String(err) });
        });
      }
      try {
        unmountAll(p.ctx.podDir); // memory-backed volumes
        rmSync(p.ctx.podDir, { recursive: true, force: true });
      } catch (err) {
        log.warn('could not remove the pod directory', { pod: uid, error: String(err) });
      }
    })();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.pods.values()) {
      p.killing = true;
      clearTimeout(p.timer);
      p.prober?.stop();
    }
    const busy = [...this.pods.values()].map((p) => p.busy);
    this.stopped = Promise.all(busy).then(() => this.opts.onDispose?.());
  }

  /** Resolves once dispose() finished (containerd stopped). */
  whenDisposed(): Promise<void> {
    return this.stopped;
  }

  private schedule(p: CriPod, delayMs: number): void {
    if (p.killing || this.disposed) return;
    p.timer = setTimeout(() => {
      p.reconciling = true;
      p.busy = this.reconcile(p)
        .catch((err: unknown) => log.warn('pod sync failed', { pod: p.uid, error: String(err) }))
        .finally(() => {
          p.reconciling = false;
          this.report(p);
          const soon = p.soon;
          p.soon = false;
          this.schedule(p, soon ? 0 : POLL_MS);
        });
    }, delayMs);
  }

  /** Runs the pod's next pass now (or right after the running one), e.g. for a new ephemeral container. */
  private kick(p: CriPod): void {
    if (p.reconciling) {
      p.soon = true;
      return;
    }
    clearTimeout(p.timer);
    this.schedule(p, 0);
  }

  private report(p: CriPod): void {
    const now = JSON.stringify(this.podStatus(p.uid) ?? null);
    if (now === p.lastReported) return;
    p.lastReported = now;
    p.onChange(p.uid);
  }

  private async reconcile(p: CriPod): Promise<void> {
    // volumes first: a pod whose ConfigMap is missing gets no sandbox (ContainerCreating)
    if (p.volumes && !(await p.volumes.ensure())) return;
    if (!p.sandboxId && !(await this.runSandbox(p))) return;
    for (const c of allOf(p)) await this.refresh(c);
    // ephemeral containers start beside whatever runs (once: an ended one stays ended)
    for (const c of p.eph) if (!c.id) await this.start(p, c);
    const policy = p.pod.spec.restartPolicy ?? 'Always';
    // every container ended for good: the sidecars are stopped and not restarted, so the pod completes
    const completed =
      policy !== 'Always' &&
      p.main.every((c) => {
        const t = c.status.state.terminated;
        return !!t && (policy === 'Never' || t.exitCode === 0);
      });
    for (const c of p.init) {
      if (c.spec.restartPolicy === 'Always' && completed) {
        if (c.status.state.running) await this.stopForCompletion(p, c);
        continue;
      }
      if (c.spec.restartPolicy === 'Always') {
        // a sidecar: the next container waits until it has started (startup probe passed),
        // and it restarts whenever it ends, whatever the pod's restartPolicy
        if (!c.id) return this.start(p, c);
        if (await killForProbe(p, c, this.node.cri, this.opts.recordEvent)) await this.refresh(c);
        const t = c.status.state.terminated ?? (c.status.state.waiting && c.status.lastState.terminated);
        if (t) await this.restart(p, c);
        if (c.status.started) c.everStarted = true;
        if (!c.everStarted) return;
        continue;
      }
      if (c.status.state.terminated?.exitCode === 0) continue;
      if (!c.id) return this.start(p, c);
      const t = c.status.state.terminated ?? (c.status.state.waiting && c.status.lastState.terminated);
      if (!t) return; // still running: the next init container waits
      if (p.pod.spec.restartPolicy !== 'Never') await this.restart(p, c);
      return;
    }
    for (const c of p.main) {
      if (!c.id) {
        await this.start(p, c);
        continue;
      }
      if (await killForProbe(p, c, this.node.cri, this.opts.recordEvent)) await this.refresh(c);
      const t = c.status.state.terminated ?? (c.status.state.waiting && c.status.lastState.terminated);
      if (!t) continue;
      if (policy === 'Always' || (policy === 'OnFailure' && t.exitCode !== 0)) await this.restart(p, c);
    }
  }

  /** Stops a sidecar once the pod's containers have all ended for good (upstream: Killing). */
  private async stopForCompletion(p: CriPod, c: Ctr): Promise<void> {
    this.opts.recordEvent?.(p.pod, fieldPathOf(c), 'Normal', 'Killing', `Stopping container ${c.spec.name}`);
    await this.node.cri
      .stopContainer(c.id, p.pod.spec.terminationGracePeriodSeconds ?? 30)
      .catch((err: unknown) => log.warn('StopContainer failed', { id: c.id, error: String(err) }));
    await this.refresh(c);
  }

  private async runSandbox(p: CriPod): Promise<boolean> {
    const cri = this.node.cri;
    await this.fetchToken(p);
    p.sandbox = sandboxConfig(p.pod, p.ctx, 0);
    try {
      if (await this.adopt(p)) return true;
      p.sandboxId = await cri.runPodSandbox(p.sandbox);
      const st = await cri.podSandboxStatus(p.sandboxId);
      p.podIP = st.status?.network?.ip || undefined;
      return true;
    } catch (err) {
      log.warn('RunPodSandbox failed', { pod: p.uid, error: String(err) });
      return false;
    }
  }

  /**
   * Pods outlive the agent (as upstream's): after a restart, take over the pod's ready sandbox
   * and the latest attempt of each container instead of running a second sandbox.
   */
  private async adopt(p: CriPod): Promise<boolean> {
    const cri = this.node.cri;
    const found = await cri.listPodSandbox({ label_selector: { 'io.kubernetes.pod.uid': p.uid } });
    const ready = found.find((sb) => sb.state === 'SANDBOX_READY');
    for (const sb of found.filter((x) => x !== ready)) {
      await cri.stopPodSandbox(sb.id).catch(() => undefined);
      await cri.removePodSandbox(sb.id).catch(() => undefined);
    }
    if (!ready) return false;
    p.sandboxId = ready.id;
    p.podIP = (await cri.podSandboxStatus(ready.id)).status?.network?.ip || undefined;
    const containers = await cri.listContainers({ pod_sandbox_id: ready.id });
    for (const c of allOf(p)) {
      const latest = containers
        .filter((x) => x.metadata.name === c.spec.name)
        .sort((a, b) => b.metadata.attempt - a.metadata.attempt)[0];
      if (!latest) continue;
      c.id = latest.id;
      c.attempt = latest.metadata.attempt;
      for (const x of containers.filter((y) => y.metadata.name === c.spec.name))
        p.logPaths.set(x.id, this.logFile(p, c.spec.name, x.metadata.attempt));
      c.status.restartCount = latest.metadata.attempt;
      c.status.containerID = `containerd://${latest.id}`;
    }
    log.info('adopted a running pod sandbox', { pod: p.uid, sandbox: ready.id });
    return true;
  }

  private async fetchToken(p: CriPod): Promise<void> {
    const spec = p.pod.spec as {
      serviceAccountName?: string;
      volumes?: { name: string; projected?: unknown }[];
    };
    const access = spec.volumes?.find((v) => v.projected && v.name.startsWith('kube-api-access-'));
    if (!access || !this.opts.requestToken || p.ctx.token || p.volumes) return;
    try {
      p.ctx.token = await this.opts.requestToken(p.pod, spec.serviceAccountName ?? 'default', 3607);
    } catch (err) {
      log.warn('could not get a service account token', { pod: p.uid, error: String(err) });
    }
  }

  /** Where CRI writes a container attempt's log (cri-config.ts: log_directory + log_path). */
  private logFile(p: CriPod, name: string, attempt: number): string {
    return join(p.ctx.podDir, 'logs', name, `${attempt}.log`);
  }

  /** Reads a container's state from containerd (no-op before it exists). */
  private async refresh(c: Ctr): Promise<void> {
    if (!c.id) return;
    const waitingForRestart = c.status.state.waiting?.reason === 'CrashLoopBackOff';
    try {
      const cs = (await this.node.cri.containerStatus(c.id)).status;
      if (!cs || waitingForRestart) return;
      c.status.state = stateOf(cs);
      c.status.imageID = cs.image_ref;
      if (c.ephemeral) c.status.started = !!c.status.state.running;
      else Object.assign(c.status, probedStatus(c));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async start(p: CriPod, c: Ctr): Promise<void> {
    const cri = this.node.cri;
    const result = await this.node.images.ensureImage(
      {
        podUid: p.uid,
        image: c.spec.image ?? '',
        policy: pullPolicy(c.spec),
        podAnnotations: p.pod.metadata.annotations,
        sandboxConfig: p.sandbox,
      },
      (e) => this.opts.recordEvent?.(p.pod, fieldPathOf(c), e.type, e.reason, e.message),
    );
    if ('reason' in result) {
      c.status.state = { waiting: { reason: result.reason, message: result.message } };
      return;
    }
    let config;
    try {
      const envObjects = this.opts.getObject
        ? await fetchEnvObjects(p.pod, c.spec, this.opts.getObject)
        : undefined;
      const imageUser = await this.imageUser(result.imageRef);
      verifyRunAsNonRoot(p.pod, c.spec, imageUser);
      config = containerConfig(
        p.pod,
        c.spec,
        result.imageRef,
        c.attempt,
        p.ctx,
        p.podIP ?? '',
        envObjects,
        imageUser,
        this.pidTarget(p, c),
      );
    } catch (err) {
      const message = (err as Error).message;
      if (c.status.state.waiting?.message !== message)
        this.opts.recordEvent?.(p.pod, fieldPathOf(c), 'Warning', 'Failed', `Error: ${message}`);
      c.status.state = { waiting: { reason: 'CreateContainerConfigError', message } };
      return;
    }
    try {
      // as upstream's kubelet, the sandbox config sent along is computed from the pod as it is
      // now: a privileged ephemeral container (kubectl debug --profile=sysadmin) makes it so
      if (c.ephemeral) p.sandbox = sandboxConfig(p.pod, p.ctx, 0);
      c.id = await cri.createContainer(p.sandboxId, config, p.sandbox!);
    } catch (err) {
      c.status.state = { waiting: { reason: 'CreateContainerError', message: (err as Error).message } };
      return;
    }
    c.status.containerID = `containerd://${c.id}`;
    c.status.imageID = result.imageRef;
    p.logPaths.set(c.id, this.logFile(p, c.spec.name, c.attempt));
    try {
      await cri.startContainer(c.id);
    } catch (err) {
      log.warn('StartContainer failed', { id: c.id, error: String(err) });
    }
    await this.refresh(c);
  }

  /**
   * The CRI id of the container whose PID namespace an ephemeral container with
   * targetContainerName joins (upstream: NamespaceMode TARGET); undefined otherwise.
   */
  private pidTarget(p: CriPod, c: Ctr): string | undefined {
    const target = c.ephemeral ? c.spec.targetContainerName : undefined;
    if (!target) return undefined;
    const t = [...p.init, ...p.main].find((x) => x.spec.name === target);
    if (!t?.id) throw new Error(`container ${JSON.stringify(target)} not found in pod`);
    return t.id;
  }

  /**
   * upstream's getImageUser: the image's numeric uid, else its user name; an image naming no
   * user runs as root.
   */
  private async imageUser(imageRef: string): Promise<ImageUser> {
    const image = await this.node.cri.imageStatus(imageRef);
    if (image?.uid) return { uid: Number(image.uid.value) };
    if (image?.username) return { username: image.username };
    return { uid: 0 };
  }

  /** A container ended and the policy wants it back: now, or after its back-off (CrashLoopBackOff). */
  private async restart(p: CriPod, c: Ctr): Promise<void> {
    const now = Date.now();
    const last = c.status.state.terminated ?? c.status.lastState.terminated!;
    const finished = Date.parse(last.finishedAt);
    const b = c.backoff;
    if (b && now - b.lastUpdate > 2 * BACKOFF_MAX_MS) c.backoff = undefined;
    if (c.backoff && now - finished < c.backoff.durationMs) {
      const ns = p.pod.metadata.namespace ?? 'default';
      // upstream's doBackOff event; once per back-off period (the recorder counts repeats)
      if (c.status.state.waiting?.reason !== 'CrashLoopBackOff')
        this.opts.recordEvent?.(
          p.pod,
          fieldPathOf(c),
          'Warning',
          'BackOff',
          `Back-off restarting failed container ${c.spec.name} in pod ${p.pod.metadata.name}_${ns}(${p.uid})`,
        );
      c.status.lastState = { terminated: last };
      c.status.state = {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off ${goDuration(c.backoff.durationMs)} restarting failed container=${c.spec.name} pod=${p.pod.metadata.name}_${ns}(${p.uid})`,
        },
      };
      c.status.started = false;
      c.status.ready = false;
      return;
    }
    c.backoff = {
      durationMs: c.backoff ? Math.min(c.backoff.durationMs * 2, BACKOFF_MAX_MS) : BACKOFF_BASE_MS,
      lastUpdate: now,
    };
    const old = c.id;
    c.status.lastState = { terminated: last };
    c.status.restartCount++;
    c.attempt++;
    c.id = '';
    c.status.state = { waiting: { reason: 'ContainerCreating' } };
    await this.node.cri.removeContainer(old).catch(() => undefined);
    await this.start(p, c);
  }
}
