// The pods table as upstream's printPod fills it: READY, the STATUS reason (init progress,
// waiting/terminated reasons, Completed, Terminating), RESTARTS with the last restart's age.
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { age, ageColumn, col, nameColumn } from '../table.js';
import type { TableConvertor } from '../strategy.js';

interface ContainerState {
  waiting?: { reason?: string };
  terminated?: { reason?: string; exitCode?: number; signal?: number; finishedAt?: string };
  running?: object;
}
interface ContainerStatus {
  name?: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}
interface Condition {
  type?: string;
  status?: string;
  reason?: string;
}
interface PodView {
  phase: string;
  reason: string;
  podIP: string;
  nominatedNodeName: string;
  conditions: Condition[];
  initStatuses: ContainerStatus[];
  statuses: ContainerStatus[];
  initContainers: { name?: string; restartPolicy?: string }[];
  containerCount: number;
  nodeName: string;
  readinessGates: { conditionType?: string }[];
}

function view(pod: KubeObject): PodView {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  const st = isRecord(pod.status) ? pod.status : {};
  const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
  const ips = list<{ ip?: string }>(st.podIPs);
  return {
    phase: typeof st.phase === 'string' ? st.phase : '',
    reason: typeof st.reason === 'string' ? st.reason : '',
    // podIP alone stands for podIPs[0], as upstream's conversion reads it
    podIP: ips[0]?.ip ?? (typeof st.podIP === 'string' ? st.podIP : ''),
    nominatedNodeName: typeof st.nominatedNodeName === 'string' ? st.nominatedNodeName : '',
    conditions: list<Condition>(st.conditions),
    initStatuses: list<ContainerStatus>(st.initContainerStatuses),
    statuses: list<ContainerStatus>(st.containerStatuses),
    initContainers: list(spec.initContainers),
    containerCount: list(spec.containers).length,
    nodeName: typeof spec.nodeName === 'string' ? spec.nodeName : '',
    readinessGates: list(spec.readinessGates),
  };
}

const terminatedReason = (t: NonNullable<ContainerState['terminated']>, prefix: string): string =>
  t.reason
    ? `${prefix}${t.reason}`
    : t.signal
      ? `${prefix}Signal:${t.signal}`
      : `${prefix}ExitCode:${t.exitCode ?? 0}`;

/** READY, STATUS and RESTARTS, computed together as upstream does. */
export function podSummary(pod: KubeObject, now: Date): { ready: string; status: string; restarts: string } {
  const p = view(pod);
  let total = p.containerCount;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart = 0;
  let lastSidecarRestart = 0;
  let reason = p.reason || p.phase;
  if (p.conditions.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated'))
    reason = 'SchedulingGated';

  const sidecars = new Set(
    p.initContainers.filter((c) => c.restartPolicy === 'Always').map((c) => c.name ?? ''),
  );
  total += sidecars.size;
  const finished = (s: ContainerStatus) => {
    const f = s.lastState?.terminated?.finishedAt;
    return f ? Date.parse(f) : 0;
  };

  let initializing = false;
  for (let i = 0; i < p.initStatuses.length; i++) {
    const c = p.initStatuses[i];
    restarts += c.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, finished(c));
    const sidecar = sidecars.has(c.name ?? '');
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = Math.max(lastSidecarRestart, finished(c));
    }
    const t = c.state?.terminated;
    if (t && (t.exitCode ?? 0) === 0) continue;
    if (sidecar && c.started) {
      if (c.ready) ready++;
      continue;
    }
    if (t) reason = terminatedReason(t, 'Init:');
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing')
      reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${p.initContainers.length}`;
    initializing = true;
    break;
  }

  const initialized = p.conditions.some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    for (let i = p.statuses.length - 1; i >= 0; i--) {
      const c = p.statuses[i];
      restarts += c.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, finished(c));
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated) reason = terminatedReason(c.state.terminated, '');
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    // a finished container next to running ones: the pod as a whole is still up
    if (reason === 'Completed' && hasRunning)
      reason = p.conditions.some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
  }

  if (pod.metadata.deletionTimestamp && p.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && p.phase !== 'Succeeded' && p.phase !== 'Failed')
    reason = 'Terminating';

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart > 0)
    restartsText = `${restarts} (${age(new Date(lastRestart).toISOString(), now)} ago)`;
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsText };
}

/** The STATUS column alone. */
export function podStatusText(pod: KubeObject): string {
  return podSummary(pod, new Date()).status;
}

function readinessGatesText(p: PodView): string {
  if (!p.readinessGates.length) return '<none>';
  let satisfied = 0;
  for (const g of p.readinessGates) {
    const c = p.conditions.find((x) => x.type === g.conditionType);
    if (c?.status === 'True') satisfied++;
  }
  return `${satisfied}/${p.readinessGates.length}`;
}

export const podTable: TableConvertor = {
  columns: [
    nameColumn,
    col('Ready', 'Containers ready, out of all containers of the pod.'),
    col('Status', 'A one-word summary of the state of the pod and its containers.'),
    col('Restarts', 'Total container restarts, and how long ago the latest one happened.'),
    ageColumn,
    col('IP', 'The IP address of the pod.', 1),
    col('Node', 'The node the pod is bound to.', 1),
    col('Nominated Node', 'The node on which preemption made room for the pod.', 1),
    col('Readiness Gates', 'Readiness gates whose condition is true, out of all of them.', 1),
  ],
  cells(pod, now) {
    const p = view(pod);
    const s = podSummary(pod, now);
    return [
      pod.metadata.name,
      s.ready,
      s.status,
      s.restarts,
      age(pod.metadata.creationTimestamp, now),
      p.podIP || '<none>',
      p.nodeName || '<none>',
      p.nominatedNodeName || '<none>',
      readinessGatesText(p),
    ];
  },
};
