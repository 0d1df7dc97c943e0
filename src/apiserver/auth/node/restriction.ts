// NodeRestriction (upstream's plugin/pkg/admission/noderestriction): what a node user may
// write, beyond what the Node authorizer lets it ask: its own Node (no taint changes, no
// restricted labels), status of its own pods, mirror pods bound to itself, evictions and
// deletions of its pods, its own Lease and CSINode, and tokens for its pods.
import { forbidden, notFound, type StatusError } from '../../../api/errors.js';
import { groupResource, type KubeObject } from '../../../api/types.js';
import type { UserInfo } from '../../endpoints/context.js';
import { nodeIdentity, type NodeObjects } from './authorizer.js';
import { podRefs, type PodSpec } from './pod-refs.js';

export interface NodeWrite {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  object: KubeObject | undefined;
  oldObject: KubeObject | undefined;
  user: UserInfo;
}

const MIRROR = 'kubernetes.io/config.mirror';
const LEASE_NAMESPACE = 'kube-node-lease';
/** Labels a kubelet sets on its Node (upstream's kubeletapis.IsKubeletLabel). */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'node.kubernetes.io/windows-build',
]);
const KUBELET_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

const labelNamespace = (l: string) => (l.includes('/') ? l.slice(0, l.indexOf('/')) : '');
const inNamespace = (ns: string, base: string) => ns === base || ns.endsWith(`.${base}`);

/** upstream's getForbiddenLabels: node-restriction labels, and kubernetes labels a kubelet does not own. */
export function forbiddenNodeLabels(labels: string[]): string[] {
  return labels
    .filter((l) => {
      const ns = labelNamespace(l);
      if (inNamespace(ns, 'node-restriction.kubernetes.io')) return true;
      const kube = inNamespace(ns, 'kubernetes.io') || inNamespace(ns, 'k8s.io');
      const kubelet = KUBELET_LABELS.has(l) || KUBELET_NAMESPACES.some((b) => inNamespace(ns, b));
      return kube && !kubelet;
    })
    .sort();
}

function modifiedLabels(a: Record<string, string> = {}, b: Record<string, string> = {}): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => a[k] !== b[k]);
}

/** upstream's admission.NewForbidden: `<resource> "<name>" is forbidden: <why>`. */
function refuse(w: NodeWrite, why: string): StatusError {
  const name = w.name || w.object?.metadata.name || '';
  const what = groupResource(w.group, w.resource);
  return forbidden(
    name ? `${what} ${JSON.stringify(name)} is forbidden: ${why}` : `${what} is forbidden: ${why}`,
    w.group,
    w.resource,
    name,
  );
}

const nodeNameOf = (pod: KubeObject | undefined) => ((pod?.spec ?? {}) as PodSpec).nodeName ?? '';

export function checkNodeWrite(w: NodeWrite, objects: NodeObjects): void {
  const node = nodeIdentity(w.user);
  if (node === undefined) return;
  if (!node) throw refuse(w, `could not determine node from user ${JSON.stringify(w.user.name)}`);
  const gr = `${w.resource}.${w.group}`;
  if (gr === 'pods.') return checkPod(w, node, objects);
  if (gr === 'nodes.') return checkNode(w, node);
  if (gr === 'persistentvolumeclaims.') {
    if (w.subresource !== 'status') throw refuse(w, 'may only update PVC status');
    return;
  }
  if (gr === 'serviceaccounts.') return checkToken(w, objects, node);
  if (gr === 'leases.coordination.k8s.io') {
    if (w.namespace !== LEASE_NAMESPACE)
      throw refuse(w, `can only access leases in the ${JSON.stringify(LEASE_NAMESPACE)} system namespace`);
    if ((w.name || w.object?.metadata.name) !== node)
      throw refuse(w, 'can only access node lease with the same name as the requesting node');
    return;
  }
  if (gr === 'csinodes.storage.k8s.io' && (w.name || w.object?.metadata.name) !== node)
    throw refuse(w, 'can only access CSINode with the same name as the requesting node');
}

function checkPod(w: NodeWrite, node: string, objects: NodeObjects): void {
  switch (w.subresource) {
    case '':
      if (w.operation === 'CREATE') return checkMirrorPod(w, node, objects);
      if (w.operation === 'DELETE') {
        if (nodeNameOf(w.oldObject) !== node)
          throw refuse(
            w,
            `node ${JSON.stringify(node)} can only delete pods with spec.nodeName set to itself`,
          );
        return;
      }
      throw refuse(
        w,
        `unexpected operation ${JSON.stringify(w.operation)}, node ${JSON.stringify(node)} can only create and delete mirror pods`,
      );
    case 'status': {
      if (w.operation !== 'UPDATE') throw refuse(w, `unexpected operation ${JSON.stringify(w.operation)}`);
      if (nodeNameOf(w.oldObject) !== node)
        throw refuse(
          w,
          `node ${JSON.stringify(node)} can only update pod status for pods with spec.nodeName set to itself`,
        );
      if (
        JSON.stringify(w.oldObject?.metadata.labels ?? {}) !== JSON.stringify(w.object?.metadata.labels ?? {})
      )
        throw refuse(w, `node ${JSON.stringify(node)} cannot update labels through pod status`);
      return;
    }
    case 'eviction': {
      if (w.operation !== 'CREATE') return;
      const name = w.name || w.object?.metadata.name;
      const pod = name ? objects.get('', 'pods', w.namespace, name) : undefined;
      if (!pod) throw notFound('', 'pods', name ?? '');
      if (nodeNameOf(pod) !== node)
        throw refuse(w, `node ${node} can only evict pods with spec.nodeName set to itself`);
      return;
    }
    default:
      throw refuse(
        w,
        `unexpected pod subresource ${JSON.stringify(w.subresource)}, only 'status' and 'eviction' are allowed`,
      );
  }
}

function checkMirrorPod(w: NodeWrite, node: string, objects: NodeObjects): void {
  const pod = w.object!;
  const n = JSON.stringify(node);
  if (pod.metadata.annotations?.[MIRROR] === undefined)
    throw refuse(
      w,
      `pod does not have ${JSON.stringify(MIRROR)} annotation, node ${n} can only create mirror pods`,
    );
  if (nodeNameOf(pod) !== node)
    throw refuse(w, `node ${n} can only create pods with spec.nodeName set to itself`);
  const owners = pod.metadata.ownerReferences ?? [];
  if (owners.length > 1)
    throw refuse(w, `node ${n} can only create pods with a single owner reference set to itself`);
  const owner = owners[0];
  if (!owner || owner.apiVersion !== 'v1' || owner.kind !== 'Node' || owner.name !== node)
    throw refuse(w, `node ${n} can only create pods with an owner reference set to itself`);
  if (!owner.controller)
    throw refuse(w, `node ${n} can only create pods with a controller owner reference set to itself`);
  if (owner.blockOwnerDeletion)
    throw refuse(w, `node ${n} must not set blockOwnerDeletion on an owner reference`);
  const self = objects.get('', 'nodes', '', node);
  if (!self) throw notFound('', 'nodes', node);
  if (self.metadata.uid !== owner.uid) throw refuse(w, `node ${node} UID mismatch`);
  const refs = podRefs(pod);
  if (refs.serviceAccount) throw refuse(w, `node ${n} can not create pods that reference a service account`);
  if (refs.secrets.length) throw refuse(w, `node ${n} can not create pods that reference secrets`);
  if (refs.configmaps.length) throw refuse(w, `node ${n} can not create pods that reference configmaps`);
  if (refs.pvcs.length)
    throw refuse(w, `node ${n} can not create pods that reference persistentvolumeclaims`);
}

function checkNode(w: NodeWrite, node: string): void {
  const requested = w.name || w.object?.metadata.name || '';
  if (requested !== node)
    throw refuse(
      w,
      `node ${JSON.stringify(node)} is not allowed to modify node ${JSON.stringify(requested)}`,
    );
  if (w.operation === 'CREATE' && w.object) {
    const bad = forbiddenNodeLabels(Object.keys(w.object.metadata.labels ?? {}));
    if (bad.length)
      throw refuse(
        w,
        `node ${JSON.stringify(node)} is not allowed to set the following labels: ${bad.join(', ')}`,
      );
  }
  if (w.operation === 'UPDATE' && w.object && w.oldObject) {
    const taints = (o: KubeObject) =>
      JSON.stringify((o.spec as { taints?: unknown[] } | undefined)?.taints ?? []);
    if (taints(w.object) !== taints(w.oldObject))
      throw refuse(w, `node ${JSON.stringify(node)} is not allowed to modify taints`);
    const bad = forbiddenNodeLabels(modifiedLabels(w.object.metadata.labels, w.oldObject.metadata.labels));
    if (bad.length) throw refuse(w, `is not allowed to modify labels: ${bad.join(', ')}`);
  }
}

function checkToken(w: NodeWrite, objects: NodeObjects, node: string): void {
  if (w.operation !== 'CREATE' || w.subresource !== 'token') return;
  const ref = (
    w.object?.spec as
      { boundObjectRef?: { apiVersion?: string; kind?: string; name?: string; uid?: string } } | undefined
  )?.boundObjectRef;
  if (!ref || ref.apiVersion !== 'v1' || ref.kind !== 'Pod' || !ref.name)
    throw refuse(w, 'node requested token not bound to a pod');
  if (!ref.uid) throw refuse(w, 'node requested token with a pod binding without a uid');
  const pod = objects.get('', 'pods', w.namespace, ref.name);
  if (!pod) throw notFound('', 'pods', ref.name);
  if (pod.metadata.uid !== ref.uid)
    throw refuse(
      w,
      `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  if (nodeNameOf(pod) !== node)
    throw refuse(w, 'node requested token bound to a pod scheduled on a different node');
}
