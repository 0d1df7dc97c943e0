// The API status of a pod from what its runtime reports (upstream's generateAPIPodStatus and
// status manager): phase by getPhase's rules, the kubelet-owned conditions in upstream's order
// (PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled) with
// lastTransitionTime moved only when a condition's status changes, container statuses sorted
// by name, pod and host IPs, startTime.
import { isRecord } from '../api/types.js';
import type { Pod, RuntimeContainerStatus, RuntimePodStatus } from './runtime/types.js';

type Obj = Record<string, unknown>;

export interface PodCondition {
  type: string;
  status: 'True' | 'False';
  lastProbeTime: null;
  lastTransitionTime: string | null;
  reason?: string;
  message?: string;
}

export const timestampNow = (d = new Date()): string => d.toISOString().replace(/\.\d+Z$/, 'Z');

/** An init container with restartPolicy Always: a sidecar, running beside the containers. */
export const isSidecar = (pod: Pod, name: string): boolean =>
  (pod.spec.initContainers ?? []).some((c) => c.name === name && c.restartPolicy === 'Always');

/** upstream's getPhase (kubelet_pods.go), sidecars (restartable init containers) included. */
export function podPhase(pod: Pod, rt: RuntimePodStatus): string {
  let pendingInit = 0;
  let failedInit = 0;
  let running = 0;
  let waiting = 0;
  for (const c of rt.initContainers) {
    const s = c.state;
    if (isSidecar(pod, c.name)) {
      // terminated sidecars do not count; a running one is pending until it has started
      if (s.running) {
        if (!c.started) pendingInit++;
        running++;
      } else if (!s.terminated && !c.lastState.terminated) {
        pendingInit++;
        waiting++;
      }
      continue;
    }
    if (s.running) pendingInit++;
    else if (s.terminated) {
      if (s.terminated.exitCode !== 0) failedInit++;
    } else if (c.lastState.terminated) {
      if (c.lastState.terminated.exitCode !== 0) failedInit++;
    } else pendingInit++;
  }
  let stopped = 0;
  let succeeded = 0;
  for (const c of rt.containers) {
    const s = c.state;
    if (s.running) running++;
    else if (s.terminated) {
      stopped++;
      if (s.terminated.exitCode === 0) succeeded++;
    } else if (c.lastState.terminated) stopped++;
    else waiting++;
  }
  const policy = pod.spec.restartPolicy ?? 'Always';
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingInit > 0 || waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

const names = (list: string[]) => `[${list.join(' ')}]`;

function condition(type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  const c: PodCondition = {
    type,
    status: ok ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: null,
  };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

function initializedCondition(pod: Pod, rt: RuntimePodStatus, phase: string): PodCondition {
  if (rt.initContainers.length === 0) return condition('Initialized', true);
  // a sidecar has done its part once it started (its startup probe passed)
  const incomplete = rt.initContainers
    .filter((c) => (isSidecar(pod, c.name) ? !c.started : c.state.terminated?.exitCode !== 0))
    .map((c) => c.name);
  // upstream: a Succeeded pod whose init containers all have a status is initialized (a sidecar
  // stopped after the containers has started=false by then)
  if (phase === 'Succeeded') return condition('Initialized', true, 'PodCompleted');
  if (incomplete.length === 0) return condition('Initialized', true);
  return condition(
    'Initialized',
    false,
    'ContainersNotInitialized',
    `containers with incomplete status: ${names(incomplete)}`,
  );
}

function containersReady(pod: Pod, type: string, rt: RuntimePodStatus, phase: string): PodCondition {
  if (phase === 'Succeeded' || phase === 'Failed')
    return condition(type, false, phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed');
  // sidecars first, as upstream lists them
  const unready = [...rt.initContainers.filter((c) => isSidecar(pod, c.name)), ...rt.containers]
    .filter((c) => !c.ready || !c.state.running)
    .map((c) => c.name);
  if (unready.length === 0) return condition(type, true);
  return condition(type, false, 'ContainersNotReady', `containers with unready status: ${names(unready)}`);
}

function apiContainerStatus(c: RuntimeContainerStatus): Obj {
  const out: Obj = {
    name: c.name,
    state: c.state,
    lastState: c.lastState,
    ready: c.ready,
    restartCount: c.restartCount,
    image: c.image,
    imageID: c.imageID,
  };
  if (c.containerID) out.containerID = c.containerID;
  out.started = c.started;
  return out;
}

/**
 * As upstream's prober manager: a run-to-completion init container is ready once it exited 0;
 * a sidecar's readiness is its probes', as a regular container's.
 */
function initContainerStatus(pod: Pod, c: RuntimeContainerStatus): Obj {
  const out = apiContainerStatus(c);
  if (!isSidecar(pod, c.name)) out.ready = c.state.terminated?.exitCode === 0;
  return out;
}

/**
 * The whole status the kubelet reports. `old` is the status the API has (its PodScheduled and
 * foreign conditions are kept, transition times carried when a status did not change).
 */
export function apiPodStatus(
  pod: Pod,
  rt: RuntimePodStatus,
  hostIP: string,
  startTime: string,
  now = new Date(),
): Obj {
  const old: Obj = isRecord(pod.status) ? pod.status : {};
  const phase = podPhase(pod, rt);
  const conditions: PodCondition[] = [
    condition('PodReadyToStartContainers', rt.sandboxReady),
    initializedCondition(pod, rt, phase),
  ];
  const ready = containersReady(pod, 'Ready', rt, phase);
  conditions.push(ready, containersReady(pod, 'ContainersReady', rt, phase));
  const oldConditions = Array.isArray(old.conditions) ? (old.conditions as PodCondition[]) : [];
  const stamp = timestampNow(now);
  for (const c of conditions) {
    const prior = oldConditions.find((o) => o.type === c.type);
    c.lastTransitionTime = prior && prior.status === c.status ? prior.lastTransitionTime : stamp;
  }
  // conditions the kubelet does not own (PodScheduled from the binding, DisruptionTarget, ...)
  const owned = new Set(conditions.map((c) => c.type));
  for (const o of oldConditions) if (!owned.has(o.type)) conditions.push(o);
  if (!conditions.some((c) => c.type === 'PodScheduled')) {
    const c = condition('PodScheduled', true);
    c.lastTransitionTime = stamp;
    conditions.push(c);
  }

  const status: Obj = { phase, conditions, hostIP, hostIPs: [{ ip: hostIP }] };
  const ip = pod.spec.hostNetwork ? hostIP : rt.podIP;
  if (ip) {
    status.podIP = ip;
    status.podIPs = [{ ip }];
  }
  status.startTime = startTime;
  if (rt.initContainers.length)
    status.initContainerStatuses = rt.initContainers.map((c) => initContainerStatus(pod, c));
  status.containerStatuses = [...rt.containers]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(apiContainerStatus);
  // upstream reports no `started` for ephemeral containers (no probes run for them)
  if (rt.ephemeralContainers?.length)
    status.ephemeralContainerStatuses = [...rt.ephemeralContainers]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((c) => {
        const { started: _started, ...rest } = apiContainerStatus(c);
        return rest;
      });
  if (old.qosClass !== undefined) status.qosClass = old.qosClass;
  if (old.nominatedNodeName !== undefined) status.nominatedNodeName = old.nominatedNodeName;
  return status;
}
