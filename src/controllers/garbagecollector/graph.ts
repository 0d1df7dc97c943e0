// The dependency graph of the garbage collector (upstream's uidToNode + GraphBuilder): one node
// per object uid, edges from owners to dependents. Owners that were referenced but never seen
// are "virtual" nodes until a live GET tells whether they exist. Pure bookkeeping: it decides
// nothing and calls nothing; the collector reads it.
import type { KubeObject } from '../../api/types.js';

export interface OwnerRef {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** How to address an object: enough to GET, PATCH or DELETE it. */
export interface Identity {
  apiVersion: string;
  kind: string;
  /** for a virtual node: the namespace of the dependent that referenced it */
  namespace: string;
  name: string;
  uid: string;
}

export interface GraphNode {
  identity: Identity;
  /** known only from an ownerReference (no informer has shown it yet) */
  virtual: boolean;
  owners: OwnerRef[];
  dependents: Set<GraphNode>;
  /** metadata.deletionTimestamp is set */
  beingDeleted: boolean;
  /** being deleted with the foregroundDeletion finalizer: waits for blocking dependents */
  deletingDependents: boolean;
  /** has the orphan finalizer while being deleted */
  orphaning: boolean;
}

export function ownerRefs(obj: KubeObject): OwnerRef[] {
  return (obj.metadata.ownerReferences ?? []) as OwnerRef[];
}

export function identityOf(obj: KubeObject): Identity {
  return {
    apiVersion: obj.apiVersion ?? '',
    kind: obj.kind ?? '',
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name ?? '',
    uid: obj.metadata.uid ?? '',
  };
}

/** What changed for one object, so the collector knows whom to look at again. */
export interface Transition {
  node: GraphNode;
  /** owners this object stopped referencing, or stopped blocking */
  unblockedOwners: GraphNode[];
  /** owners referenced for the first time that are virtual (existence unknown) */
  newVirtualOwners: GraphNode[];
  /** became deletingDependents in this change */
  startedForeground: boolean;
  /** became orphaning in this change */
  startedOrphan: boolean;
  /** was virtual and is now observed */
  wasVirtual: boolean;
}

const blocking = (r: OwnerRef) => r.blockOwnerDeletion === true;

export class Graph {
  private readonly nodes = new Map<string, GraphNode>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  get size(): number {
    return this.nodes.size;
  }

  /**
   * Records the current state of an observed object (add or update). `type` names its
   * apiVersion and kind (list items come without them).
   */
  observe(obj: KubeObject, type: { apiVersion: string; kind: string }): Transition {
    const identity = { ...identityOf(obj), ...type };
    const finalizers = obj.metadata.finalizers ?? [];
    const beingDeleted = !!obj.metadata.deletionTimestamp;
    let node = this.nodes.get(identity.uid);
    const wasVirtual = node?.virtual ?? false;
    const before = node && !node.virtual ? node.owners : [];
    const wasForeground = node?.deletingDependents ?? false;
    const wasOrphaning = node?.orphaning ?? false;
    if (!node) {
      node = {
        identity,
        virtual: false,
        owners: [],
        dependents: new Set(),
        beingDeleted: false,
        deletingDependents: false,
        orphaning: false,
      };
      this.nodes.set(identity.uid, node);
    }
    node.identity = identity;
    node.virtual = false;
    node.beingDeleted = beingDeleted;
    node.deletingDependents = beingDeleted && finalizers.includes('foregroundDeletion');
    node.orphaning = beingDeleted && finalizers.includes('orphan');
    const after = ownerRefs(obj);
    node.owners = after;

    const unblockedOwners: GraphNode[] = [];
    const newVirtualOwners: GraphNode[] = [];
    const afterByUid = new Map(after.map((r) => [r.uid, r]));
    const beforeByUid = new Map(before.map((r) => [r.uid, r]));
    for (const old of before) {
      const now = afterByUid.get(old.uid);
      const owner = this.nodes.get(old.uid);
      if (!now && owner) {
        owner.dependents.delete(node);
        if (owner.virtual && owner.dependents.size === 0) this.nodes.delete(old.uid);
      }
      if (owner && blocking(old) && (!now || !blocking(now))) unblockedOwners.push(owner);
    }
    for (const ref of after) {
      if (beforeByUid.has(ref.uid)) continue;
      let owner = this.nodes.get(ref.uid);
      if (!owner) {
        owner = {
          identity: {
            apiVersion: ref.apiVersion,
            kind: ref.kind,
            namespace: identity.namespace,
            name: ref.name,
            uid: ref.uid,
          },
          virtual: true,
          owners: [],
          dependents: new Set(),
          beingDeleted: false,
          deletingDependents: false,
          orphaning: false,
        };
        this.nodes.set(ref.uid, owner);
        newVirtualOwners.push(owner);
      }
      owner.dependents.add(node);
    }
    return {
      node,
      unblockedOwners,
      newVirtualOwners,
      startedForeground: node.deletingDependents && !wasForeground,
      startedOrphan: node.orphaning && !wasOrphaning,
      wasVirtual,
    };
  }

  /**
   * Removes a node that was deleted (or found absent). Returns its dependents and the owners
   * that may have been waiting for it.
   */
  remove(uid: string): { dependents: GraphNode[]; owners: GraphNode[] } {
    const node = this.nodes.get(uid);
    if (!node) return { dependents: [], owners: [] };
    this.nodes.delete(uid);
    const owners: GraphNode[] = [];
    for (const ref of node.owners) {
      const owner = this.nodes.get(ref.uid);
      if (!owner) continue;
      owner.dependents.delete(node);
      owners.push(owner);
      // a virtual owner nobody references any more is forgotten
      if (owner.virtual && owner.dependents.size === 0) this.nodes.delete(owner.identity.uid);
    }
    const dependents = [...node.dependents];
    if (dependents.length) {
      // keep the dependents' edges reachable: they still name this uid, now as a virtual owner
      this.nodes.set(uid, {
        identity: node.identity,
        virtual: true,
        owners: [],
        dependents: node.dependents,
        beingDeleted: false,
        deletingDependents: false,
        orphaning: false,
      });
    }
    return { dependents, owners };
  }

  /** Forgets a virtual node once it is known to be absent; returns its dependents. */
  removeVirtual(uid: string): GraphNode[] {
    const node = this.nodes.get(uid);
    if (!node || !node.virtual) return [];
    this.nodes.delete(uid);
    return [...node.dependents];
  }

  /** Dependents whose reference to `owner` has blockOwnerDeletion. */
  blockingDependents(owner: GraphNode): GraphNode[] {
    const out: GraphNode[] = [];
    for (const d of owner.dependents) {
      if (d.owners.some((r) => r.uid === owner.identity.uid && blocking(r))) out.push(d);
    }
    return out;
  }
}
