// The scheduler's view of the cluster (upstream's internal cache): NodeInfos kept current
// from the node and pod informers, plus assumed pods, placed on a node the moment the
// scheduler decides (before the binding is written), so the next cycle already counts them.
// An assumed pod is confirmed when the informer shows it bound, dropped if the binding fails,
// and expired if the informer never confirms it. Scheduling cycles run synchronously on this
// one event loop, so they read the cache directly: there is no snapshot to copy.
import { NodeInfo, podInfo, podKey, type PodInfo } from './framework/node-info.js';
import type { Node, Pod } from './framework/types.js';

const ASSUME_TTL_MS = 30_000;

interface Assumed {
  nodeName: string;
  /** set once the binding call returned; expiry counts from then */
  deadline?: number;
}

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  /** pod key → node name, for every pod placed in a NodeInfo */
  private readonly podNode = new Map<string, string>();
  private readonly assumed = new Map<string, Assumed>();
  /** pods with required anti-affinity terms → their node */
  private readonly antiHolders = new Map<string, string>();
  /** pods bound to a node the cache does not know yet, by node name */
  private readonly early = new Map<string, Map<string, Pod>>();
  private nodeList: NodeInfo[] = [];
  private listDirty = true;

  /** Every node, in a stable order (the round-robin start index relies on it). */
  list(): NodeInfo[] {
    if (this.listDirty) {
      this.nodeList = [...this.nodes.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
      this.listDirty = false;
    }
    return this.nodeList;
  }

  get(name: string): NodeInfo | undefined {
    return this.nodes.get(name);
  }

  get nodeCount(): number {
    return this.nodes.size;
  }

  setNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const have = this.nodes.get(name);
    if (have) have.setNode(node);
    else {
      this.nodes.set(name, new NodeInfo(node));
      this.listDirty = true;
      // pods seen before their node (the informers race at start)
      const info = this.nodes.get(name)!;
      for (const p of this.early.get(name)?.values() ?? []) info.addPod(podInfo(p));
      this.early.delete(name);
    }
  }

  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info) return;
    this.nodes.delete(name);
    this.listDirty = true;
    // its pods still count if the node comes back before they are gone
    if (info.pods.size) this.early.set(name, new Map([...info.pods].map(([k, p]) => [k, p.pod])));
  }

  /** A pod the informer shows bound to a node (confirms an assumed one). */
  setBoundPod(pod: Pod): void {
    const key = podKey(pod);
    const nodeName = pod.spec.nodeName ?? '';
    this.assumed.delete(key);
    this.place(key, pod, nodeName);
  }

  removePod(pod: Pod): void {
    const key = podKey(pod);
    this.assumed.delete(key);
    this.unplace(key);
  }

  /** Pods with required anti-affinity and their nodes (InterPodAffinity checks them all). */
  antiAffinityPods(): { info: PodInfo; node: NodeInfo }[] {
    const out: { info: PodInfo; node: NodeInfo }[] = [];
    for (const [key, name] of this.antiHolders) {
      const node = this.nodes.get(name);
      const info = node?.pods.get(key);
      if (node && info) out.push({ info, node });
    }
    return out;
  }

  private unplace(key: string): void {
    const n = this.podNode.get(key);
    if (n !== undefined) {
      this.nodes.get(n)?.removePod(key);
      this.early.get(n)?.delete(key);
    }
    this.podNode.delete(key);
    this.antiHolders.delete(key);
  }

  assume(pod: Pod, nodeName: string): void {
    const key = podKey(pod);
    this.assumed.set(key, { nodeName });
    this.place(key, { ...pod, spec: { ...pod.spec, nodeName } }, nodeName);
  }

  isAssumed(key: string): boolean {
    return this.assumed.has(key);
  }

  finishBinding(pod: Pod): void {
    const a = this.assumed.get(podKey(pod));
    if (a) a.deadline = Date.now() + ASSUME_TTL_MS;
  }

  /** The binding failed: the pod is on no node after all. */
  forget(pod: Pod): void {
    const key = podKey(pod);
    if (!this.assumed.has(key)) return;
    this.assumed.delete(key);
    this.unplace(key);
  }

  /** Drops assumed pods the informer never confirmed (upstream's cleanupAssumedPods). */
  expireAssumed(now = Date.now()): void {
    for (const [key, a] of this.assumed) {
      if (a.deadline === undefined || a.deadline > now) continue;
      this.assumed.delete(key);
      this.unplace(key);
    }
  }

  private place(key: string, pod: Pod, nodeName: string): void {
    const prior = this.podNode.get(key);
    if (prior !== undefined && prior !== nodeName) this.unplace(key);
    const node = this.nodes.get(nodeName);
    this.podNode.set(key, nodeName);
    const info = podInfo(pod);
    if (info.hasRequiredAntiAffinity) this.antiHolders.set(key, nodeName);
    if (node) return node.addPod(info);
    // a pod on a node we do not know yet is counted when the node arrives
    let waiting = this.early.get(nodeName);
    if (!waiting) this.early.set(nodeName, (waiting = new Map()));
    waiting.set(key, pod);
  }
}
