// One node's kubelet: registers the Node, renews its Lease every 10 s, posts node status every
// 5 min (upstream's nodeStatusReportFrequency; the Lease is the heartbeat), and runs the pods
// bound to it through its runtime: status written through pods/status when it changes,
// graceful deletion finished (containers stopped, then DELETE with gracePeriodSeconds=0 and
// the pod's uid as precondition, as upstream's status manager does).
// Pods reach it from the host (host.ts), which shares one client and one pod informer
// between every kubelet of the process.
import { StatusError } from '../api/errors.js';
import { isRecord, type KubeObject } from '../api/types.js';
import type { EventRecorder } from '../client/events.js';
import type { RestClient } from '../client/rest.js';
import { logger } from '../util/log.js';
import { foreignAllocatable, leaseObject, nodeObject, nodeStatus, type NodeIdentity } from './node-status.js';
import { apiPodStatus, timestampNow } from './pod-status.js';
import { SYSCTL_FORBIDDEN, SysctlAllowlist } from './runtime/sysctls.js';
import type { Pod, PodRuntime, RuntimePodStatus } from './runtime/types.js';
import { NodeVolumeExpander } from './volumes/expansion.js';
import { FileSource } from './static-pods/file-source.js';
import { isMirrorPod, mirrorPodOf, mirrors } from './static-pods/mirror.js';

const log = logger('kubelet');
const LEASE_RENEW_MS = 10_000;
const NODE_STATUS_REPORT_MS = 5 * 60_000;

export interface KubeletOptions {
  identity: NodeIdentity;
  runtime: PodRuntime;
  /** The podCIDR to use while the node has none in spec.podCIDR (no node IPAM controller). */
  fallbackPodCIDR: string;
  /** Records the kubelet's pod events (Created, Started, Killing); none when absent. */
  recorder?: EventRecorder;
  /** The sysctls pods may set beyond the safe ones (--allowed-unsafe-sysctls). */
  sysctls?: SysctlAllowlist;
  /** Static pod manifests (staticPodPath / --pod-manifest-path): a directory or one file. */
  staticPodPath?: string;
  /** How often the manifests are read again (fileCheckFrequency, default 20 s). */
  fileCheckFrequencyMs?: number;
}

export interface KubeletHostAccess {
  client: RestClient;
  /** The current Node object from the shared informer. */
  node(name: string): KubeObject | undefined;
  /** Asks the host to sync a pod (by namespace/name key) soon. */
  enqueue(key: string): void;
  /** Routes syncs of `key` to this kubelet even while no API pod exists (static pods). */
  claimStatic(key: string, claim: boolean): void;
}

type Obj = Record<string, unknown>;

function stableJSON(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    isRecord(x) && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );
}

/** A merge patch turning `old` into `next` at the top level of status (removed keys → null). */
function statusPatch(old: Obj, next: Obj): Obj {
  const patch: Obj = { ...next };
  for (const k of Object.keys(old)) if (!(k in next)) patch[k] = null;
  return { status: patch };
}

export class Kubelet {
  readonly name: string;
  private readonly uidToKey = new Map<string, string>();
  private readonly startTimes = new Map<string, string>();
  private readonly terminating = new Set<string>();
  private readonly lastRuntime = new Map<string, string>();
  private leaseTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private leaseRV = '';
  private stopped = false;
  private readonly expander: NodeVolumeExpander;
  private staticSource: FileSource | undefined;
  /** Static pods by namespace/name, as the manifests define them now. */
  private staticPods = new Map<string, Pod>();
  /** Static pods given to the runtime, by their (file-derived) UID. */
  private readonly staticRunning = new Map<string, Pod>();
  private readonly mirrorConflicts = new Set<string>();

  constructor(
    private readonly host: KubeletHostAccess,
    private readonly opts: KubeletOptions,
  ) {
    this.name = opts.identity.name;
    this.expander = new NodeVolumeExpander(host.client, this.name, opts.recorder);
  }

  get runtime(): PodRuntime {
    return this.opts.runtime;
  }

  /** Registers the node and starts the heartbeats. */
  async start(): Promise<void> {
    // static pods run even before the node is registered (a control plane's own pods)
    if (this.opts.staticPodPath && !this.staticSource) {
      this.staticSource = new FileSource({
        path: this.opts.staticPodPath,
        nodeName: this.name,
        checkFrequencyMs: this.opts.fileCheckFrequencyMs ?? 20_000,
        onChange: (pods) => this.staticChanged(pods),
      });
      this.staticSource.start();
    }
    await this.register();
    const jitter = Math.floor(Math.random() * LEASE_RENEW_MS);
    await this.renewLease();
    this.leaseTimer = setTimeout(() => this.leaseLoop(), jitter);
    this.statusTimer = setInterval(() => void this.postNodeStatus(), NODE_STATUS_REPORT_MS);
  }

  stop(): void {
    this.stopped = true;
    this.staticSource?.stop();
    clearTimeout(this.leaseTimer);
    clearInterval(this.statusTimer);
    this.expander.stop();
    this.opts.runtime.dispose();
  }

  private leaseLoop(): void {
    if (this.stopped) return;
    void Promise.all([this.renewLease(), this.syncForeignAllocatable()]).finally(() => {
      if (!this.stopped) this.leaseTimer = setTimeout(() => this.leaseLoop(), LEASE_RENEW_MS);
    });
  }

  private async register(): Promise<void> {
    const id = this.opts.identity;
    const c = this.host.client;
    try {
      await c.request('POST', '/api/v1/nodes', nodeObject(id, timestampNow()));
      log.info('node registered', { node: id.name });
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
      // registered before (a restart): bring labels and status up to date, as upstream does
      await c.request(
        'PATCH',
        `/api/v1/nodes/${id.name}`,
        { metadata: { labels: id.labels } },
        'application/merge-patch+json',
      );
      await this.postNodeStatus();
    }
  }

  private async postNodeStatus(): Promise<void> {
    const id = this.opts.identity;
    const current = this.host.node(id.name);
    const old =
      isRecord(current?.status) && Array.isArray(current.status.conditions) ? current.status.conditions : [];
    try {
      await this.host.client.request(
        'PATCH',
        `/api/v1/nodes/${id.name}/status`,
        { status: nodeStatus(id, timestampNow(), old as never) },
        'application/strategic-merge-patch+json',
      );
    } catch (err) {
      log.warn('could not post node status', { node: id.name, error: String(err) });
    }
  }

  /** Every status interval (upstream: nodeStatusUpdateFrequency, 10 s), posted only on a change. */
  private async syncForeignAllocatable(): Promise<void> {
    const current = this.host.node(this.name);
    if (!current || !isRecord(current.status)) return;
    const patch = foreignAllocatable(this.opts.identity, current.status as never);
    if (!patch) return;
    try {
      await this.host.client.request(
        'PATCH',
        `/api/v1/nodes/${this.name}/status`,
        { status: { allocatable: patch } },
        'application/strategic-merge-patch+json',
      );
    } catch (err) {
      log.warn('could not post node allocatable', { node: this.name, error: String(err) });
    }
  }

  private async renewLease(): Promise<void> {
    const c = this.host.client;
    const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${this.name}`;
    const lease = leaseObject(this.name, this.host.node(this.name)?.metadata.uid, new Date());
    try {
      if (!this.leaseRV) {
        try {
          const made = await c.request<KubeObject>(
            'POST',
            '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
            lease,
          );
          this.leaseRV = made.metadata.resourceVersion ?? '';
          return;
        } catch (err) {
          if (!(err instanceof StatusError && err.code === 409)) throw err;
          this.leaseRV = (await c.request<KubeObject>('GET', path)).metadata.resourceVersion ?? '';
        }
      }
      lease.metadata.resourceVersion = this.leaseRV;
      const put = await c.request<KubeObject>('PUT', path, lease);
      this.leaseRV = put.metadata.resourceVersion ?? '';
    } catch (err) {
      // a conflict or a deleted lease: read it again next time
      this.leaseRV = '';
      if (!this.stopped) log.debug('lease renewal failed', { node: this.name, error: String(err) });
    }
  }

  private podCIDR(): string {
    const spec = this.host.node(this.name)?.spec;
    const cidr = isRecord(spec) && typeof spec.podCIDR === 'string' ? spec.podCIDR : '';
    return cidr || this.opts.fallbackPodCIDR;
  }

  /** Level-based: makes the runtime and the API status match the pod as the informer has it. */
  async syncPod(key: string, pod: Pod): Promise<void> {
    if (this.staticPods.has(key) || isMirrorPod(pod)) return this.syncStatic(key, pod);
    const uid = pod.metadata.uid ?? '';
    this.uidToKey.set(uid, key);
    const rt = this.opts.runtime;
    const phase = isRecord(pod.status) ? pod.status.phase : undefined;
    if (pod.metadata.deletionTimestamp) return this.finishDeletion(key, pod);
    if (phase === 'Succeeded' || phase === 'Failed') {
      // terminal: nothing runs any more; the IP goes back to the pool, the logs stay
      if (rt.podStatus(uid)) rt.finishPod(uid);
      this.expander.untrack(uid);
      return;
    }
    if (!rt.podStatus(uid) && (await this.rejected(pod))) return;
    rt.syncPod(pod, this.podCIDR(), (u) => {
      const k = this.uidToKey.get(u);
      if (k) this.host.enqueue(k);
    });
    const status = rt.podStatus(uid);
    if (status) this.expander.track(pod); // its volumes are set up: expansions can finish
    if (status) await this.writeStatus(pod, status);
  }

  /**
   * The kubelet's admission of a pod new to this node (upstream's canAdmitPod, the sysctl
   * handler here): a rejected pod fails with the handler's reason and never runs.
   */
  private async rejected(pod: Pod): Promise<boolean> {
    const message = (this.opts.sysctls ?? new SysctlAllowlist()).admit(pod);
    if (!message) return false;
    const reason = SYSCTL_FORBIDDEN;
    this.opts.recorder?.event(pod as KubeObject, 'Warning', reason, message);
    const old: Obj = isRecord(pod.status) ? pod.status : {};
    const next: Obj = {
      ...(old.qosClass ? { qosClass: old.qosClass } : {}),
      phase: 'Failed',
      reason,
      message: `Pod was rejected: ${message}`,
    };
    const ns = pod.metadata.namespace ?? '';
    await this.host.client
      .request(
        'PATCH',
        `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}/status`,
        statusPatch(old, next),
        'application/merge-patch+json',
      )
      .catch((err: unknown) => {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      });
    return true;
  }

  /** The static pod behind a mirror pod (what runs, under the manifest's UID). */
  staticPodOf(key: string): Pod | undefined {
    return this.staticPods.get(key);
  }

  /** The manifests changed: stop what is no longer defined, sync every key involved. */
  private staticChanged(pods: Map<string, Pod>): void {
    const old = this.staticPods;
    this.staticPods = new Map(pods);
    const uids = new Set([...pods.values()].map((p) => p.metadata.uid));
    for (const [uid, p] of this.staticRunning) {
      if (uids.has(uid)) continue;
      this.staticRunning.delete(uid);
      const grace = p.spec.terminationGracePeriodSeconds ?? 30;
      log.info('static pod stopped', { pod: `${p.metadata.namespace}/${p.metadata.name}` });
      void this.opts.runtime
        .killPod(uid, grace)
        .then(() => this.opts.runtime.removePod(uid))
        .catch((err: unknown) => log.warn('could not stop static pod', { uid, error: String(err) }));
    }
    for (const key of new Set([...old.keys(), ...pods.keys()])) {
      this.host.claimStatic(key, pods.has(key));
      this.host.enqueue(key);
    }
  }

  /**
   * Level-based sync of one static pod key: the manifest's pod runs in the runtime; its mirror
   * pod in the API exists, carries the current hash and shows the runtime's status. A mirror
   * pod being deleted, outdated or without a manifest is deleted (and then made again).
   */
  async syncStatic(key: string, apiPod: Pod | undefined): Promise<void> {
    const pod = this.staticPods.get(key);
    const mirror = isMirrorPod(apiPod) ? apiPod : undefined;
    if (!pod) {
      if (mirror) await this.deleteMirror(mirror);
      return;
    }
    const rt = this.opts.runtime;
    const uid = pod.metadata.uid ?? '';
    this.staticRunning.set(uid, pod);
    rt.syncPod(pod, this.podCIDR(), () => this.host.enqueue(key));
    if (apiPod && !mirror) {
      // an API pod took the name: it stays; the static pod runs without a mirror (as upstream)
      if (!this.mirrorConflicts.has(key))
        log.warn('static pod has no mirror pod: an API pod has its name', { pod: key });
      this.mirrorConflicts.add(key);
      return;
    }
    this.mirrorConflicts.delete(key);
    if (mirror && (mirror.metadata.deletionTimestamp || !mirrors(mirror, pod)))
      return this.deleteMirror(mirror);
    if (!mirror) return this.createMirror(pod);
    const status = rt.podStatus(uid);
    if (status) await this.writeStatus(mirror, status);
  }

  private async createMirror(pod: Pod): Promise<void> {
    const nodeUID = this.host.node(this.name)?.metadata.uid;
    // the owner reference needs the Node's UID: retried (with backoff) until it is registered
    if (!nodeUID) throw new Error(`node ${this.name} is not registered yet`);
    const ns = pod.metadata.namespace ?? 'default';
    try {
      await this.host.client.request(
        'POST',
        `/api/v1/namespaces/${ns}/pods`,
        mirrorPodOf(pod, { name: this.name, uid: nodeUID }),
      );
      log.info('mirror pod created', { pod: `${ns}/${pod.metadata.name}` });
    } catch (err) {
      // the informer has not seen it yet; the add event syncs again
      if (err instanceof StatusError && err.code === 409) return;
      throw err;
    }
  }

  private async deleteMirror(mirror: Pod): Promise<void> {
    const ns = mirror.metadata.namespace ?? 'default';
    try {
      await this.host.client.request('DELETE', `/api/v1/namespaces/${ns}/pods/${mirror.metadata.name}`, {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        gracePeriodSeconds: 0,
        preconditions: { uid: mirror.metadata.uid },
      });
    } catch (err) {
      if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }

  /** The pod is gone from the API: release what is left. */
  podDeleted(pod: Pod): void {
    if (isMirrorPod(pod)) {
      // the static pod keeps running; its next sync makes a new mirror pod
      this.startTimes.delete(pod.metadata.uid ?? '');
      this.lastRuntime.delete(pod.metadata.uid ?? '');
      this.host.enqueue(`${pod.metadata.namespace ?? ''}/${pod.metadata.name}`);
      return;
    }
    const uid = pod.metadata.uid ?? '';
    this.opts.runtime.removePod(uid);
    this.expander.untrack(uid);
    this.uidToKey.delete(uid);
    this.startTimes.delete(uid);
    this.terminating.delete(uid);
    this.lastRuntime.delete(uid);
  }

  private async writeStatus(pod: Pod, rt: RuntimePodStatus): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    this.recordContainerEvents(pod, rt);
    let start = this.startTimes.get(uid);
    if (!start) {
      const existing = isRecord(pod.status) ? pod.status.startTime : undefined;
      start = typeof existing === 'string' ? existing : timestampNow();
      this.startTimes.set(uid, start);
    }
    const next = apiPodStatus(pod, rt, this.opts.identity.internalIP, start);
    const old: Obj = isRecord(pod.status) ? pod.status : {};
    if (stableJSON(next) === stableJSON(old)) return;
    const ns = pod.metadata.namespace ?? '';
    try {
      await this.host.client.request(
        'PATCH',
        `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}/status`,
        statusPatch(old, next),
        'application/merge-patch+json',
      );
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return;
      throw err;
    }
  }

  private recordContainerEvents(pod: Pod, rt: RuntimePodStatus): void {
    const recorder = this.opts.recorder;
    if (!recorder) return;
    const uid = pod.metadata.uid ?? '';
    const seen = this.lastRuntime.get(uid) ?? '';
    const all = [...rt.initContainers, ...rt.containers, ...(rt.ephemeralContainers ?? [])];
    const ids = all.map((c) => c.containerID).join(',');
    if (ids === seen) return;
    this.lastRuntime.set(uid, ids);
    const seenIDs = new Set(seen.split(','));
    const specs = [
      ...(pod.spec.initContainers ?? []).map((c) => ({ c, path: 'spec.initContainers' })),
      ...pod.spec.containers.map((c) => ({ c, path: 'spec.containers' })),
      ...(pod.spec.ephemeralContainers ?? []).map((c) => ({ c, path: 'spec.ephemeralContainers' })),
    ];
    for (const s of all) {
      if (!s.containerID || seenIDs.has(s.containerID)) continue;
      const spec = specs.find((x) => x.c.name === s.name);
      const ref = { ...pod, fieldPath: `${spec?.path ?? 'spec.containers'}{${s.name}}` } as KubeObject;
      // a real runtime records its own image events (Pulling, Pulled, Failed, BackOff)
      if (this.opts.runtime.name === 'sim')
        recorder.event(
          ref,
          'Normal',
          'Pulled',
          `Container image "${spec?.c.image ?? s.image}" already present on machine`,
        );
      recorder.event(ref, 'Normal', 'Created', `Created container ${s.name}`);
      recorder.event(ref, 'Normal', 'Started', `Started container ${s.name}`);
    }
  }

  private finishDeletion(key: string, pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    if (this.terminating.has(uid)) return;
    this.terminating.add(uid);
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    const rt = this.opts.runtime;
    const running = rt.podStatus(uid);
    if (running && this.opts.recorder) {
      for (const c of running.containers) {
        if (!c.state.running) continue;
        const ref = { ...pod, fieldPath: `spec.containers{${c.name}}` } as KubeObject;
        this.opts.recorder.event(ref, 'Normal', 'Killing', `Stopping container ${c.name}`);
      }
    }
    void rt
      .killPod(uid, grace)
      .then(async () => {
        const ns = pod.metadata.namespace ?? '';
        const path = `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}`;
        const final = rt.podStatus(uid);
        if (final) await this.writeStatus(pod, final).catch(() => undefined);
        await this.host.client.request('DELETE', path, {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          gracePeriodSeconds: 0,
          preconditions: { uid },
        });
        rt.removePod(uid);
      })
      .catch((err: unknown) => {
        if (err instanceof StatusError && (err.code === 404 || err.code === 409)) return;
        log.warn('could not finish pod deletion', { pod: key, error: String(err) });
        // try again on the next sync
        setTimeout(() => {
          this.terminating.delete(uid);
          this.host.enqueue(key);
        }, 1000).unref();
      });
  }
}
