// The garbage collector (upstream's garbagecollector.GarbageCollector): watches every resource
// that can be listed, watched and deleted, keeps the ownerReferences graph, and
//  - deletes dependents whose owners are all gone (background; a uid mismatch is gone too;
//    absence is confirmed with a live GET before anything is deleted),
//  - carries out foreground deletion: an owner with the foregroundDeletion finalizer has its
//    dependents deleted, stays until its blocking dependents are gone, then loses the finalizer,
//  - carries out orphaning: an owner with the orphan finalizer has its reference removed from
//    every dependent, then loses the finalizer,
//  - removes dangling references from dependents that still have a live owner.
// Discovery is repeated every 30 s so that new resources (custom ones included) are watched.
import type { KubeObject } from '../../api/types.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { isStatus, runWorkers } from '../../client/reconcile-workers.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { logger } from '../../util/log.js';
import { Graph, ownerRefs, type GraphNode, type Identity, type OwnerRef } from './graph.js';
import { ResourceMap, type MonitoredResource } from './monitors.js';

const log = logger('garbage-collector');
/** upstream's --concurrent-gc-syncs default */
const WORKERS = 20;
/** upstream resyncs the monitors from discovery every 30 s */
const REDISCOVERY_MS = 30_000;
/** how long to wait for a new monitor's first list before working without it */
const SYNC_TIMEOUT_MS = 30_000;
const ABSENT_CACHE_SIZE = 10_000;

/** 'invalid': a cluster-scoped dependent naming a namespaced owner (never resolvable) */
type OwnerState = 'solid' | 'dangling' | 'waiting' | 'invalid';

/** A bounded set of `${namespace}/${uid}` known not to exist (upstream's absentOwnerCache). */
class AbsentCache {
  private readonly keys = new Set<string>();
  add(key: string): void {
    if (this.keys.size >= ABSENT_CACHE_SIZE) this.keys.delete(this.keys.values().next().value!);
    this.keys.add(key);
  }
  has(key: string): boolean {
    return this.keys.has(key);
  }
}

export class GarbageCollector implements Controller {
  readonly graph = new Graph();
  private readonly attemptToDelete = new WorkQueue();
  private readonly attemptToOrphan = new WorkQueue();
  private readonly absent = new AbsentCache();
  private readonly monitors = new Map<
    string,
    { resource: MonitoredResource; informer: Informer; active: boolean }
  >();
  private resources = new ResourceMap([]);
  private rediscovery: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.recorder = ctx.recorder('garbage-collector-controller');
  }

  start(): void {
    // discovery and the first lists take a while: do not hold up the other controllers
    void this.init();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.rediscovery);
    this.attemptToDelete.shutDown();
    this.attemptToOrphan.shutDown();
  }

  private async init(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      try {
        await this.resync();
        break;
      } catch (err) {
        log.warn('discovery failed; retrying', { error: String(err) });
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    if (this.stopped) return;
    runWorkers(this.attemptToDelete, WORKERS, (uid) => this.processAttemptToDelete(uid), log);
    runWorkers(this.attemptToOrphan, WORKERS, (uid) => this.processAttemptToOrphan(uid), log);
    const again = () => {
      this.rediscovery = setTimeout(() => {
        this.resync()
          .catch((err) => log.warn('rediscovery failed', { error: String(err) }))
          .finally(() => !this.stopped && again());
      }, REDISCOVERY_MS);
    };
    again();
  }

  /** Watches what discovery shows now; stops listening to what it no longer shows. */
  async resync(): Promise<void> {
    const map = await ResourceMap.discover(this.ctx.client);
    this.resources = map;
    const wanted = new Set(map.monitored.map((r) => r.path));
    for (const [path, m] of this.monitors) m.active = wanted.has(path);
    const fresh: Informer[] = [];
    for (const r of map.monitored) {
      const known = this.monitors.get(r.path);
      if (known) {
        known.active = true;
        continue;
      }
      const informer = this.ctx.informers.informer(r.path);
      const m = { resource: r, informer, active: true };
      this.monitors.set(r.path, m);
      const type = { apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind };
      informer.addHandlers({
        onAdd: (o) => m.active && this.observed(o, type),
        onUpdate: (_old, o) => m.active && this.observed(o, type),
        onDelete: (o) => m.active && this.deleted(o),
      });
      fresh.push(informer);
    }
    if (fresh.length) {
      const timeout = new Promise((r) => setTimeout(r, SYNC_TIMEOUT_MS).unref());
      await Promise.race([Promise.all(fresh.map((i) => i.waitForSync())), timeout]);
    }
  }

  // ---- graph changes (informer events) ----

  private observed(obj: KubeObject, type: { apiVersion: string; kind: string }): void {
    const t = this.graph.observe(obj, type);
    const node = t.node;
    for (const v of t.newVirtualOwners) this.attemptToDelete.add(v.identity.uid);
    for (const o of t.unblockedOwners) if (o.deletingDependents) this.attemptToDelete.add(o.identity.uid);
    // a dependent of an owner already gone or going in the foreground is looked at at once
    for (const ref of node.owners) {
      const owner = this.graph.get(ref.uid);
      if (owner && !t.newVirtualOwners.includes(owner) && (owner.virtual || owner.deletingDependents)) {
        this.attemptToDelete.add(node.identity.uid);
        break;
      }
    }
    if (t.startedForeground) for (const d of node.dependents) this.attemptToDelete.add(d.identity.uid);
    if (node.deletingDependents) this.attemptToDelete.add(node.identity.uid);
    if (t.startedOrphan || node.orphaning) this.attemptToOrphan.add(node.identity.uid);
  }

  private deleted(obj: KubeObject): void {
    const uid = obj.metadata.uid ?? '';
    this.absent.add(`${obj.metadata.namespace ?? ''}/${uid}`);
    const { dependents, owners } = this.graph.remove(uid);
    for (const d of dependents) this.attemptToDelete.add(d.identity.uid);
    for (const o of owners) if (o.deletingDependents) this.attemptToDelete.add(o.identity.uid);
  }

  // ---- API access ----

  private resolve(id: { apiVersion: string; kind: string }) {
    const r = this.resources.resolve(id.apiVersion, id.kind);
    // unknown kinds are retried with backoff; rediscovery may learn them
    if (!r) throw new Error(`unable to resolve ${id.apiVersion}, Kind=${id.kind}`);
    return r;
  }

  /** The object as the API server has it now; undefined if gone or replaced (uid differs). */
  private async getLive(id: Identity): Promise<KubeObject | undefined> {
    const r = this.resolve(id);
    if (r.namespaced && !id.namespace) return undefined;
    try {
      const obj = await this.ctx.client.request<KubeObject>('GET', r.objectPath(id.namespace, id.name));
      return obj.metadata.uid === id.uid ? obj : undefined;
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  private async patchMeta(id: Identity, live: KubeObject, meta: Record<string, unknown>): Promise<void> {
    const r = this.resolve(id);
    try {
      await this.ctx.client.request(
        'PATCH',
        r.objectPath(id.namespace, id.name),
        { metadata: { ...meta, resourceVersion: live.metadata.resourceVersion } },
        'application/merge-patch+json',
      );
    } catch (err) {
      if (isStatus(err, 404)) return;
      throw err;
    }
  }

  private async deleteObject(id: Identity, policy: 'Background' | 'Foreground' | 'Orphan'): Promise<void> {
    const r = this.resolve(id);
    try {
      await this.ctx.client.request('DELETE', r.objectPath(id.namespace, id.name), {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        propagationPolicy: policy,
        preconditions: { uid: id.uid },
      });
    } catch (err) {
      // gone already, or replaced by a namesake (the uid precondition failed)
      if (isStatus(err, 404) || isStatus(err, 409)) return;
      throw err;
    }
  }

  // ---- attemptToDelete ----

  async processAttemptToDelete(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    if (node.virtual) return this.verifyVirtual(node);
    if (node.deletingDependents) return this.processDeletingDependents(node);
    const latest = await this.getLive(node.identity);
    if (!latest) {
      // the informer has not told us yet: treat it as the delete event it will be
      this.deleted({ metadata: { uid, namespace: node.identity.namespace } });
      return;
    }
    const finalizers = latest.metadata.finalizers ?? [];
    if (latest.metadata.deletionTimestamp) {
      if (finalizers.includes('foregroundDeletion')) return this.processDeletingDependents(node);
      return; // being deleted some other way
    }
    const refs = ownerRefs(latest);
    if (!refs.length) return;
    const groups: Record<OwnerState, OwnerRef[]> = { solid: [], dangling: [], waiting: [], invalid: [] };
    for (const ref of refs) groups[await this.ownerState(ref, node.identity.namespace)].push(ref);
    if (groups.invalid.length) {
      // upstream treats the item as unresolvable: it is never collected, and says so
      const ref = groups.invalid[0];
      this.recorder.event(
        { ...latest, apiVersion: node.identity.apiVersion, kind: node.identity.kind },
        'Warning',
        'OwnerRefInvalidNamespace',
        `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: , name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace ""`,
      );
      return;
    }
    if (groups.solid.length) {
      const drop = new Set([...groups.dangling, ...groups.waiting].map((r) => r.uid));
      if (drop.size) {
        const kept = refs.filter((r) => !drop.has(r.uid));
        await this.patchMeta(node.identity, latest, { ownerReferences: kept });
      }
      return;
    }
    if (groups.waiting.length && node.dependents.size) {
      // owners wait for us and we have dependents: go in the foreground ourselves, without
      // blocking our owners meanwhile (that could deadlock a cycle)
      if (groups.waiting.some((r) => r.blockOwnerDeletion)) {
        const waiting = new Set(groups.waiting.map((r) => r.uid));
        const unblocked = refs.map((r) => (waiting.has(r.uid) ? { ...r, blockOwnerDeletion: false } : r));
        await this.patchMeta(node.identity, latest, { ownerReferences: unblocked });
      }
      return this.deleteObject(node.identity, 'Foreground');
    }
    const policy = finalizers.includes('orphan')
      ? 'Orphan'
      : finalizers.includes('foregroundDeletion')
        ? 'Foreground'
        : 'Background';
    log.debug('deleting dependent', { object: node.identity, policy });
    await this.deleteObject(node.identity, policy);
  }

  /** Is this owner there (solid), gone (dangling), or deleting its dependents first (waiting)? */
  private async ownerState(ref: OwnerRef, dependentNamespace: string): Promise<OwnerState> {
    const known = this.graph.get(ref.uid);
    if (
      known &&
      !known.virtual &&
      (known.identity.namespace === '' || known.identity.namespace === dependentNamespace)
    )
      return known.deletingDependents ? 'waiting' : 'solid';
    const r = this.resolve(ref);
    // a cluster-scoped dependent cannot have a namespaced owner
    if (r.namespaced && !dependentNamespace) return 'invalid';
    const ns = r.namespaced ? dependentNamespace : '';
    if (this.absent.has(`${ns}/${ref.uid}`)) return 'dangling';
    const owner = await this.getLive({ ...ref, namespace: ns });
    if (!owner) {
      this.absent.add(`${ns}/${ref.uid}`);
      return 'dangling';
    }
    const waiting =
      !!owner.metadata.deletionTimestamp && (owner.metadata.finalizers ?? []).includes('foregroundDeletion');
    return waiting ? 'waiting' : 'solid';
  }

  /** An owner known only by reference: if it is not there, its dependents are looked at. */
  private async verifyVirtual(node: GraphNode): Promise<void> {
    const id = node.identity;
    const r = this.resolve(id);
    const ns = r.namespaced ? id.namespace : '';
    if (!this.absent.has(`${ns}/${id.uid}`)) {
      const live = await this.getLive({ ...id, namespace: ns });
      if (live) return; // there; its informer will show it
      this.absent.add(`${ns}/${id.uid}`);
    }
    for (const d of this.graph.removeVirtual(id.uid)) this.attemptToDelete.add(d.identity.uid);
  }

  /** Foreground: wait for the blocking dependents, then remove foregroundDeletion. */
  private async processDeletingDependents(node: GraphNode): Promise<void> {
    const blocking = this.graph.blockingDependents(node);
    if (blocking.length) {
      for (const d of blocking) if (!d.deletingDependents) this.attemptToDelete.add(d.identity.uid);
      return;
    }
    await this.removeFinalizer(node, 'foregroundDeletion');
  }

  private async removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    const live = await this.getLive(node.identity);
    if (!live) return;
    const finalizers = live.metadata.finalizers ?? [];
    if (!finalizers.includes(finalizer)) return;
    const rest = finalizers.filter((f) => f !== finalizer);
    await this.patchMeta(node.identity, live, { finalizers: rest.length ? rest : null });
  }

  // ---- attemptToOrphan ----

  async processAttemptToOrphan(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node || node.virtual || !node.orphaning) return;
    await Promise.all([...node.dependents].map((d) => this.dropOwnerRef(d, uid)));
    await this.removeFinalizer(node, 'orphan');
  }

  private async dropOwnerRef(dependent: GraphNode, ownerUid: string): Promise<void> {
    const live = await this.getLive(dependent.identity);
    if (!live) return;
    const refs = ownerRefs(live);
    if (!refs.some((r) => r.uid === ownerUid)) return;
    const kept = refs.filter((r) => r.uid !== ownerUid);
    await this.patchMeta(dependent.identity, live, { ownerReferences: kept.length ? kept : null });
  }
}
