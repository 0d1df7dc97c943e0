// pods (po): defaults, create-time status (phase, QoS class), the update rules, graceful
// deletion and upstream's table and field selectors.
import type { KubeObject } from '../../../api/types.js';
import { isRecord } from '../../../api/types.js';
import { defineResource, ensureObject } from '../define.js';
import { defaultPod } from './pod-defaults.js';
import { qosClass } from './pod-qos.js';
import { podTable } from './pod-table.js';
import { validateMirrorAnnotationUpdate, validatePodUpdate } from './pod-update.js';
import { validateEphemeralContainersUpdate, validateNoEphemeralOnCreate } from './pod-ephemeral.js';
import { validatePodSpec } from './pod-validation.js';

export { qosClass } from './pod-qos.js';
export { podStatusText, podSummary } from './pod-table.js';

type Obj = Record<string, unknown>;

const spec = (p: KubeObject): Obj => (isRecord(p.spec) ? p.spec : {});
const status = (p: KubeObject): Obj => (isRecord(p.status) ? p.status : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function podIP(p: KubeObject): string {
  const ips = status(p).podIPs;
  const first = Array.isArray(ips) && isRecord(ips[0]) ? str(ips[0].ip) : '';
  return first || str(status(p).podIP);
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
    const s = ensureObject<Obj>(pod, 'spec');
    // spec.priority and spec.preemptionPolicy are not defaults: Priority admission resolves them
    defaultPod(s);
  },
  prepareForCreate(pod) {
    const st: Obj = { phase: 'Pending', qosClass: qosClass(pod) };
    if (Array.isArray(spec(pod).schedulingGates) && (spec(pod).schedulingGates as unknown[]).length) {
      st.conditions = [
        {
          type: 'PodScheduled',
          status: 'False',
          lastProbeTime: null,
          lastTransitionTime: null,
          reason: 'SchedulingGated',
          message: 'Scheduling is blocked due to non-empty scheduling gates',
        },
      ];
    }
    pod.status = st;
  },
  prepareForUpdate(pod, old) {
    // the QoS class is fixed at creation, status writes included
    const qos = status(old).qosClass;
    if (isRecord(pod.status) && qos !== undefined) pod.status.qosClass = qos;
  },
  validate: (pod) => validatePodSpec(pod.spec, 'spec'),
  validateCreate: (pod) => validateNoEphemeralOnCreate(pod),
  validateUpdate: (pod, old, ctx) =>
    ctx.subresource === 'ephemeralcontainers'
      ? validateEphemeralContainersUpdate(pod, old)
      : [
          ...validateMirrorAnnotationUpdate(pod, old),
          ...(ctx.subresource === 'status' ? [] : validatePodUpdate(pod, old)),
        ],
  gracePeriod(pod, requested) {
    const phase = status(pod).phase;
    let period = requested ?? (spec(pod).terminationGracePeriodSeconds as number | undefined) ?? 30;
    // never scheduled or already finished: nothing runs that needs time to stop
    if (!spec(pod).nodeName || phase === 'Succeeded' || phase === 'Failed') period = 0;
    return period < 0 ? 1 : period;
  },
  table: podTable,
  fieldSelectors: {
    'spec.nodeName': (p) => str(spec(p).nodeName),
    'spec.restartPolicy': (p) => str(spec(p).restartPolicy),
    'spec.schedulerName': (p) => str(spec(p).schedulerName),
    'spec.serviceAccountName': (p) => str(spec(p).serviceAccountName),
    'spec.hostNetwork': (p) => String(spec(p).hostNetwork === true),
    'status.phase': (p) => str(status(p).phase),
    'status.podIP': podIP,
    'status.nominatedNodeName': (p) => str(status(p).nominatedNodeName),
  },
});
