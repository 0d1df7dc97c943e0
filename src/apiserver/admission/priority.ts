// Priority admission (plugin/pkg/admission/priority): a new pod's priorityClassName becomes
// spec.priority and spec.preemptionPolicy (the global default class, else 0 and
// PreemptLowerPriority, when it names none); updates keep what creation set. PriorityClasses:
// only one may be the global default.
import { isRecord, type KubeObject } from '../../api/types.js';
import { admissionForbidden } from './errors.js';
import { getObject, listObjects } from './lookup.js';
import type { AdmissionDeps, AdmissionPlugin, AdmissionRequest } from './types.js';

const GROUP = 'scheduling.k8s.io';
/** scheduling.DefaultPriorityWhenNoDefaultClassExists */
const DEFAULT_PRIORITY = 0;

/** The global default class; with several (a race), the one with the lowest value. */
async function defaultClass(deps: AdmissionDeps): Promise<KubeObject | undefined> {
  let best: KubeObject | undefined;
  for (const pc of await listObjects(deps, GROUP, 'priorityclasses')) {
    if (pc.globalDefault !== true) continue;
    if (!best || Number(best.value) > Number(pc.value)) best = pc;
  }
  return best;
}

async function admitPod(deps: AdmissionDeps, req: AdmissionRequest): Promise<void> {
  const pod = req.object!;
  const spec = isRecord(pod.spec) ? pod.spec : (pod.spec = {});
  if (req.operation === 'UPDATE') {
    // set at creation; an update that leaves them out keeps them
    const old = isRecord(req.oldObject?.spec) ? req.oldObject.spec : {};
    if (spec.priority === undefined && old.priority !== undefined) spec.priority = old.priority;
    if (spec.preemptionPolicy === undefined && old.preemptionPolicy !== undefined)
      spec.preemptionPolicy = old.preemptionPolicy;
    return;
  }
  let priority = DEFAULT_PRIORITY;
  let policy: unknown = 'PreemptLowerPriority';
  const className = typeof spec.priorityClassName === 'string' ? spec.priorityClassName : '';
  if (!className) {
    const dflt = await defaultClass(deps);
    if (dflt) {
      spec.priorityClassName = dflt.metadata.name;
      priority = Number(dflt.value);
      policy = dflt.preemptionPolicy;
    }
  } else {
    const pc = await getObject(deps, GROUP, 'priorityclasses', '', className);
    if (!pc) throw admissionForbidden(req, `no PriorityClass with name ${className} was found`);
    priority = Number(pc.value);
    policy = pc.preemptionPolicy;
  }
  if (typeof spec.priority === 'number' && spec.priority !== priority)
    throw admissionForbidden(
      req,
      `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`,
    );
  spec.priority = priority;
  if (typeof policy === 'string') {
    if (typeof spec.preemptionPolicy === 'string' && spec.preemptionPolicy !== policy)
      throw admissionForbidden(
        req,
        `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`,
      );
    spec.preemptionPolicy = policy;
  }
}

async function validateClass(deps: AdmissionDeps, req: AdmissionRequest): Promise<void> {
  const pc = req.object!;
  if (pc.globalDefault !== true) return;
  const dflt = await defaultClass(deps);
  if (!dflt) return;
  if (req.operation === 'CREATE' || dflt.metadata.name !== pc.metadata.name)
    throw admissionForbidden(
      req,
      `PriorityClass ${dflt.metadata.name} is marked as default. Only one default can exist`,
    );
}

export function priorityAdmission(deps: AdmissionDeps): AdmissionPlugin {
  const writes = (req: AdmissionRequest) =>
    req.subresource === '' && !!req.object && (req.operation === 'CREATE' || req.operation === 'UPDATE');
  return {
    name: 'Priority',
    async admit(req) {
      if (writes(req) && req.group === '' && req.resource === 'pods') await admitPod(deps, req);
    },
    async validate(req) {
      if (writes(req) && req.group === GROUP && req.resource === 'priorityclasses')
        await validateClass(deps, req);
    },
  };
}
