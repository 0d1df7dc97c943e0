// VolumeBinding (upstream's volumebinding plugin): a pod's claims must exist and not be going
// away; bound claims' volumes must exist and allow the node; unbound claims of an Immediate
// class make the pod wait for the PV controller; unbound claims of a WaitForFirstConsumer class
// are matched here, per node, to a static volume that fits the node, or left to their class's
// provisioner. After the node is chosen, `bindPodVolumes` (PreBind) writes the decision — the
// volume's claimRef, or the claim's selected-node annotation for the provisioner — and waits
// until every claim is bound, as upstream does before it binds the pod.
import type { KubeObject } from '../../api/types.js';
import { claimsOfPod } from '../../controllers/persistentvolume/protection.js';
import {
  ANN_SELECTED_NODE,
  classOf,
  findBestMatchForClaim,
  specOf,
  volumeFitsNode,
} from '../../controllers/persistentvolume/matching.js';
import type { NodeInfo } from '../framework/node-info.js';
import {
  Code,
  Status,
  unresolvable,
  type CycleState,
  type FilterPlugin,
  type Node,
  type Pod,
  type PreFilterPlugin,
} from '../framework/types.js';

export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_PV_NOT_EXIST =
  'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const ERR_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';
const STATE_KEY = 'VolumeBinding';

export interface VolumeLister {
  claim(namespace: string, name: string): KubeObject | undefined;
  volume(name: string): KubeObject | undefined;
  volumes(): KubeObject[];
  storageClass(name: string): KubeObject | undefined;
}

interface PodClaims {
  bound: KubeObject[];
  /** unbound, of a WaitForFirstConsumer class */
  delayed: KubeObject[];
}

/** What binding the pod's volumes on one node takes. */
export interface VolumePlan {
  /** static volumes to bind to claims */
  bindings: { claim: KubeObject; volume: KubeObject }[];
  /** claims to hand to their provisioner with this node */
  provisions: KubeObject[];
}

const delayBinding = (lister: VolumeLister, claim: KubeObject) =>
  (lister.storageClass(classOf(claim)) as { volumeBindingMode?: string } | undefined)?.volumeBindingMode ===
  'WaitForFirstConsumer';

function podClaims(lister: VolumeLister, pod: Pod): PodClaims | Status {
  const ns = pod.metadata.namespace ?? 'default';
  const out: PodClaims = { bound: [], delayed: [] };
  let immediateUnbound = false;
  for (const name of claimsOfPod(pod as KubeObject)) {
    const claim = lister.claim(ns, name);
    if (!claim) return unresolvable(`persistentvolumeclaim "${name}" not found`);
    if (claim.metadata.deletionTimestamp)
      return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
    if (specOf(claim).volumeName) out.bound.push(claim);
    else if (delayBinding(lister, claim)) out.delayed.push(claim);
    else immediateUnbound = true;
  }
  return immediateUnbound ? unresolvable(ERR_UNBOUND_IMMEDIATE) : out;
}

/** The plan for a node, or the reason the node cannot have the pod's volumes. */
export function planFor(lister: VolumeLister, claims: PodClaims, node: Node): VolumePlan | Status {
  for (const c of claims.bound) {
    const pv = lister.volume(String(specOf(c).volumeName));
    if (!pv) return unresolvable(ERR_REASON_PV_NOT_EXIST);
    if (!volumeFitsNode(pv, node)) return unresolvable(ERR_REASON_NODE_CONFLICT);
  }
  const plan: VolumePlan = { bindings: [], provisions: [] };
  const taken = new Set<string>();
  for (const c of claims.delayed) {
    const free = lister.volumes().filter((v) => !taken.has(v.metadata.name!));
    const pv = findBestMatchForClaim(c, free, { node, delayBinding: true });
    if (pv) {
      taken.add(pv.metadata.name!);
      plan.bindings.push({ claim: c, volume: pv });
      continue;
    }
    const sc = lister.storageClass(classOf(c)) as { provisioner?: string } | undefined;
    if (!sc?.provisioner || sc.provisioner === NO_PROVISIONER) return unresolvable(ERR_REASON_BIND_CONFLICT);
    plan.provisions.push(c);
  }
  return plan;
}

export function volumeBinding(lister: VolumeLister): PreFilterPlugin & FilterPlugin {
  return {
    name: 'VolumeBinding',
    preFilter(state: CycleState, pod: Pod) {
      const claims = podClaims(lister, pod);
      if (claims instanceof Status) return claims;
      if (!claims.bound.length && !claims.delayed.length) return new Status(Code.Skip);
      state.write(STATE_KEY, claims);
      return Status.success();
    },
    filter(state: CycleState, _pod: Pod, node: NodeInfo) {
      const claims = state.read<PodClaims>(STATE_KEY);
      if (!claims) return Status.success();
      const plan = planFor(lister, claims, node.node);
      return plan instanceof Status ? plan : Status.success();
    },
  };
}

/** The plan for the chosen node, worked out again from the current caches (PreBind's input). */
export function planPodVolumes(lister: VolumeLister, pod: Pod, node: Node): VolumePlan | Status {
  const claims = podClaims(lister, pod);
  if (claims instanceof Status) return claims;
  return planFor(lister, claims, node);
}

export { ANN_SELECTED_NODE };
