// Which PersistentVolume a claim may bind to (upstream's persistentVolumeOrderedIndex and
// volume/util.FindMatchingVolume): volumes grouped by their access modes, the groups that hold
// every mode the claim asks for tried from the fewest modes up; in a group, a volume pre-bound
// to the claim wins, else the smallest Available one of the claim's class, volume mode, label
// selector and (when a node is given) node affinity, at least as large as the request.
import { compareQuantities, tryParseQuantity, type Quantity } from '../../api/quantity.js';
import { labelSelectorFromObject } from '../../api/selectors/labels.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import { anyTermMatches } from '../../scheduler/plugins/helpers.js';
import type { Node, NodeSelectorTerm } from '../../scheduler/framework/types.js';

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
const ANN_BETA_CLASS = 'volume.beta.kubernetes.io/storage-class';

type Obj = Record<string, unknown>;
export const specOf = (o: KubeObject): Obj => (isRecord(o.spec) ? o.spec : {});
export const statusOf = (o: KubeObject): Obj => (isRecord(o.status) ? o.status : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);

export interface ClaimRef {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
}

/** The claimRef a volume bound to `claim` carries. */
export function claimRefTo(claim: KubeObject): ClaimRef {
  return {
    kind: 'PersistentVolumeClaim',
    namespace: claim.metadata.namespace,
    name: claim.metadata.name,
    uid: claim.metadata.uid,
    apiVersion: 'v1',
    resourceVersion: claim.metadata.resourceVersion,
  };
}

export function claimRefOf(pv: KubeObject): ClaimRef | undefined {
  const ref = specOf(pv).claimRef;
  return isRecord(ref) ? (ref as ClaimRef) : undefined;
}

/** The class of a claim or volume: the beta annotation wins over storageClassName. */
export function classOf(o: KubeObject): string {
  const beta = o.metadata.annotations?.[ANN_BETA_CLASS];
  if (beta !== undefined) return beta;
  const c = specOf(o).storageClassName;
  return typeof c === 'string' ? c : '';
}

/** IsVolumeBoundToClaim: the claimRef names the claim (and its uid, once set). */
export function isVolumeBoundToClaim(pv: KubeObject, claim: KubeObject): boolean {
  const ref = claimRefOf(pv);
  if (!ref) return false;
  if (ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

export function requestedStorage(claim: KubeObject): Quantity | undefined {
  const res = specOf(claim).resources;
  const req = isRecord(res) && isRecord(res.requests) ? res.requests.storage : undefined;
  return req === undefined ? undefined : tryParseQuantity(String(req));
}

export function capacityOf(pv: KubeObject): Quantity | undefined {
  const cap = specOf(pv).capacity;
  const s = isRecord(cap) ? cap.storage : undefined;
  return s === undefined ? undefined : tryParseQuantity(String(s));
}

const volumeModeOf = (o: KubeObject): string => {
  const m = specOf(o).volumeMode;
  return typeof m === 'string' && m ? m : 'Filesystem';
};

/** The volume's required node affinity holds for the node (no affinity: any node). */
export function volumeFitsNode(pv: KubeObject, node: Node): boolean {
  const na = specOf(pv).nodeAffinity;
  const required = isRecord(na) && isRecord(na.required) ? na.required : undefined;
  if (!required) return true;
  const terms = (
    Array.isArray(required.nodeSelectorTerms) ? required.nodeSelectorTerms : []
  ) as NodeSelectorTerm[];
  return anyTermMatches(terms, node);
}

function selectorMatches(claim: KubeObject, pv: KubeObject): boolean {
  const sel = specOf(claim).selector;
  if (!isRecord(sel)) return true;
  try {
    return labelSelectorFromObject(sel).matches(pv.metadata.labels ?? {});
  } catch {
    return false;
  }
}

/** One group of volumes with the same access modes (FindMatchingVolume). */
function matchInGroup(
  claim: KubeObject,
  volumes: KubeObject[],
  node: Node | undefined,
  delayBinding: boolean,
): KubeObject | undefined {
  const requested = requestedStorage(claim);
  if (!requested) return undefined;
  const requestedClass = classOf(claim);
  let smallest: { pv: KubeObject; size: Quantity } | undefined;
  for (const pv of volumes) {
    if (pv.metadata.deletionTimestamp) continue;
    if (volumeModeOf(pv) !== volumeModeOf(claim)) continue;
    const size = capacityOf(pv);
    if (!size) continue;
    const fitsNode = node ? volumeFitsNode(pv, node) : true;
    if (isVolumeBoundToClaim(pv, claim)) {
      if (compareQuantities(size, requested) < 0) continue;
      // a volume pre-bound to the claim on the wrong node: nothing else may be taken either
      return fitsNode ? pv : undefined;
    }
    // volumes of a WaitForFirstConsumer class are matched by the scheduler, on a node
    if (!node && delayBinding) continue;
    if (statusOf(pv).phase !== 'Available' || claimRefOf(pv)) continue;
    if (!selectorMatches(claim, pv)) continue;
    if (classOf(pv) !== requestedClass) continue;
    if (!fitsNode) continue;
    if (compareQuantities(size, requested) < 0) continue;
    if (!smallest || compareQuantities(smallest.size, size) > 0) smallest = { pv, size };
  }
  return smallest?.pv;
}

/** findBestMatchForClaim: the groups of access modes that cover the claim's, fewest modes first. */
export function findBestMatchForClaim(
  claim: KubeObject,
  volumes: KubeObject[],
  opts: { node?: Node; delayBinding?: boolean } = {},
): KubeObject | undefined {
  const wanted = new Set(strings(specOf(claim).accessModes));
  const groups = new Map<string, KubeObject[]>();
  for (const pv of volumes) {
    const modes = [...new Set(strings(specOf(pv).accessModes))].sort();
    if (![...wanted].every((m) => modes.includes(m))) continue;
    const key = modes.join(',');
    groups.set(key, [...(groups.get(key) ?? []), pv]);
  }
  const ordered = [...groups.entries()].sort(
    (a, b) => a[0].split(',').length - b[0].split(',').length || (a[0] < b[0] ? -1 : 1),
  );
  for (const [, group] of ordered) {
    const pv = matchInGroup(claim, group, opts.node, opts.delayBinding ?? false);
    if (pv) return pv;
  }
  return undefined;
}
