// The kubelet's container runtime contract (upstream's kubecontainer.Runtime, pod level): the
// kubelet hands a runtime the pods bound to its node and reads back what runs. The runtime owns
// the container lifecycle (sandbox, image, start, restarts with back-off, stop within the
// grace period); the kubelet owns everything API-facing (phase, conditions, status writes,
// final deletion). `sim` (runtime/sim.ts) runs pods without processes; a containerd runtime
// (over CRI) plugs in behind the same interface.
import type { Duplex } from 'node:stream';
import type { KubeObject } from '../../api/types.js';
import type { NodeUsage } from '../stats/resource-metrics.js';

export interface ContainerSpec {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  restartPolicy?: string;
  ports?: { containerPort?: number; hostPort?: number; protocol?: string }[];
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  /** Ephemeral containers: the container whose PID namespace this one joins. */
  targetContainerName?: string;
}

export interface PodSpec {
  nodeName?: string;
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  initContainers?: ContainerSpec[];
  containers: ContainerSpec[];
  /** Added to a running pod through pods/ephemeralcontainers; started once, never restarted. */
  ephemeralContainers?: ContainerSpec[];
  terminationGracePeriodSeconds?: number;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  shareProcessNamespace?: boolean;
}

export type Pod = KubeObject & { spec: PodSpec };

/** A container's state, as core/v1 ContainerState (exactly one member set). */
export interface ContainerState {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: {
    exitCode: number;
    reason: string;
    message?: string;
    signal?: number;
    startedAt: string;
    finishedAt: string;
    containerID?: string;
  };
}

/** What a runtime knows of one container (core/v1 ContainerStatus without the API extras). */
export interface RuntimeContainerStatus {
  name: string;
  /** The image as the runtime resolved it, e.g. docker.io/library/nginx:latest. */
  image: string;
  /** '' until the image is present. */
  imageID: string;
  /** `<runtime>://<id>`, '' until the container exists. */
  containerID: string;
  state: ContainerState;
  /** The previous run's terminated state, {} before the first restart. */
  lastState: ContainerState;
  restartCount: number;
  started: boolean;
  /** Readiness as the runtime sees it (for sim: steering annotations; for real runtimes: probes). */
  ready: boolean;
}

export interface RuntimePodStatus {
  /** The sandbox exists and its network is set up (PodReadyToStartContainers). */
  sandboxReady: boolean;
  /** The pod's IP once the sandbox has one. */
  podIP?: string;
  /** In spec order. */
  initContainers: RuntimeContainerStatus[];
  /** In spec order (the kubelet sorts them by name for the API, as upstream). */
  containers: RuntimeContainerStatus[];
  /** The ephemeral containers the runtime has seen, in spec order. */
  ephemeralContainers?: RuntimeContainerStatus[];
}

/**
 * Connections to ports inside one pod's network namespace, for one port-forward session
 * (kubelet/server/portforward.ts serves the client side).
 */
export interface PortForwardTarget {
  /**
   * One TCP connection to `port` on the pod's localhost. Rejects, or destroys the stream with
   * an error, when forwarding fails; a PortForwardRelayedError's message is shown to the
   * client as is, any other error is wrapped in upstream's "error forwarding port ..." text.
   */
  dial(port: number): Promise<Duplex>;
  /** Resolves when the target can take no more dials (e.g. the runtime's stream closed). */
  readonly closed?: Promise<void>;
  /** Releases the target (called once the client's session ended). */
  close(): void;
}

/** An error text already in the form the client should see (from the runtime's own server). */
export class PortForwardRelayedError extends Error {}
/** What an exec or attach session connects (remotecommand's stream options). */
export interface StreamRequest {
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

/**
 * Streaming access to a runtime's containers, for the kubelet server's /containerLogs, /exec
 * and /attach. Containers are named by their containerID as the pod status shows it
 * (`containerd://<id>`). A runtime without processes (sim) has none.
 */
export interface ContainerStreams {
  /** The container's CRI log file, undefined for a container the runtime does not know. */
  logPath(uid: string, containerID: string): string | undefined;
  /** The CRI streaming URL (SPDY/3.1 or WebSocket, v4.channel.k8s.io) of a new exec session. */
  execURL(containerID: string, cmd: string[], req: StreamRequest): Promise<string>;
  /** The CRI streaming URL of an attach session to the container's main process. */
  attachURL(containerID: string, req: StreamRequest): Promise<string>;
}

export interface PodRuntime {
  /** Present when containers run processes that can be streamed (logs, exec, attach). */
  readonly streams?: ContainerStreams;
  /** The node's and its containers' CPU and memory now (the kubelet's /metrics/resource). */
  resourceUsage?(): Promise<NodeUsage>;
  /** The kubelet's /stats/summary (stats/v1alpha1 Summary) for node `nodeName`. */
  statsSummary?(nodeName: string): Promise<Record<string, unknown>>;
  /** 'sim' or 'containerd'. */
  readonly name: string;
  /** nodeInfo.containerRuntimeVersion, e.g. 'sim://1.0'. */
  readonly version: string;
  /**
   * Makes the runtime run `pod` as its spec says (idempotent: called on every change of the
   * pod). `podCIDR` is where pod IPs come from. `onChange(uid)` is called whenever what
   * podStatus() answers changes.
   */
  syncPod(pod: Pod, podCIDR: string, onChange: (uid: string) => void): void;
  /** undefined for a pod the runtime does not run. */
  podStatus(uid: string): RuntimePodStatus | undefined;
  /** Stops every container within `gracePeriodSeconds`; resolves once all are terminated. */
  killPod(uid: string, gracePeriodSeconds: number): Promise<void>;
  /**
   * The pod reached Succeeded or Failed: its sandbox stops and its IP goes back, but its
   * containers' last status and logs stay (podStatus still answers) until removePod, as
   * upstream's kubelet keeps a terminal pod's dead containers until the pod is deleted.
   */
  finishPod(uid: string): void;
  /** Removes what is left of a pod (sandbox, IP, logs). */
  removePod(uid: string): void;
  /** Stops every timer and releases everything. */
  dispose(): void;
  /**
   * Opens a port-forward session into the pod (before the client's upgrade is answered, so
   * that a failure can still be an HTTP error). Absent for runtimes that cannot forward.
   */
  portForward?(uid: string): Promise<PortForwardTarget>;
}
