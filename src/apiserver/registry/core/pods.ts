// pods (po): defaults, create-time status, graceful deletion, upstream's table.
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { defineResource, ensureObject } from '../define.js';
import { age, col, nameColumn, ageColumn } from '../table.js';
import { defaultPodSpec } from './pod-defaults.js';
import { validatePodSpec } from './pod-validation.js';

type Obj = Record<string, unknown>;
interface ContainerStatus {
  name?: string;
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; terminated?: { reason?: string; exitCode?: number; signal?: number }; running?: object };
  lastState?: { terminated?: { finishedAt?: string } };
}

const spec = (p: KubeObject) => (p.spec ?? {}) as Obj;
const status = (p: KubeObject) => (p.status ?? {}) as Obj;

/** BestEffort / Burstable / Guaranteed from the containers' requests and limits. */
export function qosClass(pod: KubeObject): string {
  const containers = [...((spec(pod).containers as Obj[]) ?? []), ...((spec(pod).initContainers as Obj[]) ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const r = (c.resources ?? {}) as { requests?: Obj; limits?: Obj };
    const req = r.requests ?? {};
    const lim = r.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const res of ['cpu', 'memory']) {
      if (lim[res] === undefined || (req[res] !== undefined && req[res] !== lim[res])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function restarts(statuses: ContainerStatus[], now: Date): string {
  let count = 0;
  let last: number | undefined;
  for (const s of statuses) {
    count += s.restartCount ?? 0;
    const f = s.lastState?.terminated?.finishedAt;
    if (f && (last === undefined || Date.parse(f) > last)) last = Date.parse(f);
  }
  if (count > 0 && last !== undefined) return `${count} (${age(new Date(last).toISOString(), now)} ago)`;
  return String(count);
}

/** The STATUS column, following upstream's printPod. */
export function podStatusText(pod: KubeObject): string {
  const st = status(pod);
  let reason = String(st.reason ?? st.phase ?? 'Pending');
  const init = (st.initContainerStatuses as ContainerStatus[] | undefined) ?? [];
  const initCount = ((spec(pod).initContainers as unknown[]) ?? []).length;
  let initializing = false;
  init.forEach((c, i) => {
    if (initializing) return;
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) return;
    if (t) reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${initCount}`;
    initializing = true;
  });
  if (!initializing) {
    let hasRunning = false;
    const cs = (st.containerStatuses as ContainerStatus[] | undefined) ?? [];
    for (let i = cs.length - 1; i >= 0; i--) {
      const c = cs[i];
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.ready && c.state?.running) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) reason = 'Running';
  }
  if (pod.metadata.deletionTimestamp && st.reason !== 'NodeLost') reason = 'Terminating';
  return reason;
}

export const pods = defineResource({
  group: '',
  version: 'v1',
  resource: 'pods',
  kind: 'Pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  definition: 'io.k8s.api.core.v1.Pod',
  status: true,
  returnDeletedObject: true,
  defaults(pod) {
    defaultPodSpec(ensureObject<Obj>(pod, 'spec'));
    const s = spec(pod);
    if (s.priority === undefined && !s.priorityClassName) s.priority = 0;
    if (s.preemptionPolicy === undefined) s.preemptionPolicy = 'PreemptLowerPriority';
  },
  prepareForCreate(pod) {
    pod.status = { phase: 'Pending', qosClass: qosClass(pod) };
  },
  prepareForUpdate(pod, old) {
    // status is kept by the store; the QoS class never changes
    if (isRecord(pod.status) && isRecord(old.status)) pod.status.qosClass = old.status.qosClass;
  },
  validate: (pod) => validatePodSpec(pod.spec, 'spec'),
  gracePeriod(pod, requested) {
    const phase = status(pod).phase;
    if (!spec(pod).nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    return requested ?? (spec(pod).terminationGracePeriodSeconds as number | undefined) ?? 30;
  },
  table: {
    columns: [
      nameColumn,
      col('Ready', 'Ready containers out of all containers.'),
      col('Status', 'The aggregate state of the containers in the pod.'),
      col('Restarts', 'Container restarts, and how long ago the last one was.', 0, 'string'),
      ageColumn,
      col('IP', 'The pod IP.', 1),
      col('Node', 'The node the pod runs on.', 1),
      col('Nominated Node', 'The node the scheduler nominated for preemption.', 1),
      col('Readiness Gates', 'Readiness gates that are true, of all of them.', 1),
    ],
    cells(pod, now) {
      const st = status(pod);
      const cs = (st.containerStatuses as ContainerStatus[] | undefined) ?? [];
      const total = ((spec(pod).containers as unknown[]) ?? []).length;
      const ready = cs.filter((c) => c.ready).length;
      const gates = (spec(pod).readinessGates as { conditionType: string }[] | undefined) ?? [];
      const conds = (st.conditions as { type: string; status: string }[] | undefined) ?? [];
      const gatesText = gates.length ? `${gates.filter((g) => conds.some((c) => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}` : '<none>';
      return [
        pod.metadata.name,
        `${ready}/${total}`,
        podStatusText(pod),
        restarts(cs, now),
        age(pod.metadata.creationTimestamp, now),
        (st.podIP as string) || '<none>',
        (spec(pod).nodeName as string) || '<none>',
        (st.nominatedNodeName as string) || '<none>',
        gatesText,
      ];
    },
  },
  fieldSelectors: {
    'spec.nodeName': (p) => (spec(p).nodeName as string) ?? '',
    'spec.restartPolicy': (p) => spec(p).restartPolicy as string,
    'spec.schedulerName': (p) => spec(p).schedulerName as string,
    'spec.serviceAccountName': (p) => (spec(p).serviceAccountName as string) ?? '',
    'spec.hostNetwork': (p) => String(spec(p).hostNetwork ?? false),
    'status.phase': (p) => (status(p).phase as string) ?? '',
    'status.podIP': (p) => (status(p).podIP as string) ?? '',
    'status.nominatedNodeName': (p) => (status(p).nominatedNodeName as string) ?? '',
  },
});
