// Which objects each node may reach (upstream's node authorizer graph): pods bound to a node,
// and through them the secrets, configmaps, PVCs and service accounts they use. Kept up to date
// from the pods watch cache; each node has a count per reachable object, so that a pod going
// away removes only what no other pod on the node still needs.
import type { KubeObject } from '../../../api/types.js';
import { podRefs, type PodSpec } from './pod-refs.js';

export type VertexType = 'secret' | 'configmap' | 'pvc' | 'serviceaccount';

interface PodEntry {
  node: string;
  keys: string[];
}

const vertex = (type: VertexType, namespace: string, name: string) => `${type}/${namespace}/${name}`;

export class NodeGraph {
  private readonly pods = new Map<string, PodEntry>();
  private readonly reach = new Map<string, Map<string, number>>();

  upsertPod(key: string, pod: KubeObject): void {
    this.removePod(key);
    const node = ((pod.spec ?? {}) as PodSpec).nodeName;
    if (!node) return;
    const ns = pod.metadata.namespace ?? '';
    const refs = podRefs(pod);
    const keys = [
      ...refs.secrets.map((n) => vertex('secret', ns, n)),
      ...refs.configmaps.map((n) => vertex('configmap', ns, n)),
      ...refs.pvcs.map((n) => vertex('pvc', ns, n)),
      ...(refs.serviceAccount ? [vertex('serviceaccount', ns, refs.serviceAccount)] : []),
    ];
    this.pods.set(key, { node, keys });
    if (!keys.length) return;
    let counts = this.reach.get(node);
    if (!counts) this.reach.set(node, (counts = new Map()));
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  }

  removePod(key: string): void {
    const entry = this.pods.get(key);
    if (!entry) return;
    this.pods.delete(key);
    const counts = this.reach.get(entry.node);
    if (!counts) return;
    for (const k of entry.keys) {
      const n = (counts.get(k) ?? 1) - 1;
      if (n > 0) counts.set(k, n);
      else counts.delete(k);
    }
    if (counts.size === 0) this.reach.delete(entry.node);
  }

  clear(): void {
    this.pods.clear();
    this.reach.clear();
  }

  /** The PVCs pods bound to the node use, as [namespace, name]. */
  claims(node: string): [string, string][] {
    const out: [string, string][] = [];
    for (const k of this.reach.get(node)?.keys() ?? []) {
      if (!k.startsWith('pvc/')) continue;
      const [, ns, name] = k.split('/');
      out.push([ns, name]);
    }
    return out;
  }

  /** Whether a pod bound to the node references the object. */
  reaches(node: string, type: VertexType, namespace: string, name: string): boolean {
    return (this.reach.get(node)?.get(vertex(type, namespace, name)) ?? 0) > 0;
  }
}
