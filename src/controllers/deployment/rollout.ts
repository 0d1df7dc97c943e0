// One pass over one Deployment (upstream's sync.go, rolling.go, recreate.go, progress.go):
// find or create the new ReplicaSet, scale new and old sets within maxSurge/maxUnavailable (or
// all down, then up, for Recreate), proportionally rescale mid-rollout, prune old history, and
// write the status with the Progressing/Available conditions. Mutates `d` as upstream does.
import { StatusError } from '../../api/errors.js';
import type { EventRecorder } from '../../client/events.js';
import type { RestClient } from '../../client/rest.js';
import { isNotFound } from '../../client/informer.js';
import { newControllerRef } from '../common/controller-ref.js';
import { nowStamp, type Pod } from '../common/objects.js';
import { isNamespaceTerminating, messageOf } from '../common/pod-control.js';
import { computeHash } from '../common/hash.js';
import type { Condition } from '../common/conditions.js';
import { calculateStatus, deploymentComplete } from './status.js';
import { rolloutStatus, stuckRequeue } from './progress.js';
import {
  byCreation,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  equalIgnoreHash,
  findActiveOrLatest,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newDeploymentCondition,
  newRSNewReplicas,
  proportion,
  replicasAnnotationsNeedUpdate,
  revisionOf,
  setDeploymentCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  sumActual,
  sumAvailable,
  sumReplicas,
} from './util.js';
import {
  POD_TEMPLATE_HASH,
  REVISION,
  Reasons,
  replicasOf,
  type Deployment,
  type ReplicaSet,
} from './types.js';

const active = (sets: (ReplicaSet | undefined)[]) =>
  sets.filter((rs): rs is ReplicaSet => !!rs && replicasOf(rs) > 0);

export class RolloutPass {
  /** a delay after which the deployment should be looked at again (progress deadline) */
  requeueAfterMs: number | undefined;

  constructor(
    private readonly client: RestClient,
    private readonly recorder: EventRecorder,
    private d: Deployment,
    private readonly rsList: ReplicaSet[],
    /** pods of the deployment by owning ReplicaSet uid (for Recreate) */
    private readonly podsByRS: Map<string, Pod[]>,
  ) {}

  private get ns(): string {
    return this.d.metadata.namespace!;
  }

  private rsPath(name = ''): string {
    return `/apis/apps/v1/namespaces/${this.ns}/replicasets${name ? `/${name}` : ''}`;
  }

  private dPath(sub = ''): string {
    return `/apis/apps/v1/namespaces/${this.ns}/deployments/${this.d.metadata.name}${sub}`;
  }

  async run(): Promise<void> {
    const d = this.d;
    if (d.metadata.deletionTimestamp) return this.syncStatusOnly();
    await this.checkPausedConditions();
    if (d.spec.paused) return this.sync();
    if (await this.isScalingEvent()) return this.sync();
    if (isRollingUpdate(d)) return this.rolloutRolling();
    return this.rolloutRecreate();
  }

  // ---- status writes ----

  private async updateStatus(): Promise<void> {
    const updated = await this.client.request<Deployment>('PUT', this.dPath('/status'), this.d);
    this.d.metadata.resourceVersion = updated.metadata.resourceVersion;
  }

  /** SetDeploymentRevision: the annotation travels with the next status write, as upstream. */
  private setDeploymentRevision(revision: string): boolean {
    if (this.d.metadata.annotations?.[REVISION] === revision) return false;
    (this.d.metadata.annotations ??= {})[REVISION] = revision;
    return true;
  }

  private conditions(): Condition[] {
    return this.d.status?.conditions ?? [];
  }

  private setCondition(c: Condition): void {
    this.d.status = { ...this.d.status, conditions: setDeploymentCondition(this.conditions(), c) };
  }

  private async checkPausedConditions(): Promise<void> {
    const d = this.d;
    if (!hasProgressDeadline(d)) return;
    const cond = this.conditions().find((c) => c.type === 'Progressing');
    if (cond?.reason === Reasons.TimedOut) return;
    const pausedExists = cond?.reason === Reasons.Paused;
    const now = nowStamp();
    if (d.spec.paused && !pausedExists)
      this.setCondition(
        newDeploymentCondition('Progressing', 'Unknown', Reasons.Paused, 'Deployment is paused', now),
      );
    else if (!d.spec.paused && pausedExists)
      this.setCondition(
        newDeploymentCondition('Progressing', 'Unknown', Reasons.Resumed, 'Deployment is resumed', now),
      );
    else return;
    await this.updateStatus();
  }

  // ---- finding the new and old ReplicaSets ----

  private findNew(): ReplicaSet | undefined {
    return [...this.rsList]
      .sort(byCreation)
      .find((rs) => equalIgnoreHash(rs.spec.template, this.d.spec.template));
  }

  /** getAllReplicaSetsAndSyncRevision */
  private async getAll(create: boolean): Promise<[ReplicaSet | undefined, ReplicaSet[]]> {
    const existing = this.findNew();
    const old = this.rsList.filter((rs) => rs !== existing);
    const newRS = await this.getNewReplicaSet(existing, old, create);
    return [newRS, old];
  }

  private async getNewReplicaSet(
    existing: ReplicaSet | undefined,
    old: ReplicaSet[],
    create: boolean,
  ): Promise<ReplicaSet | undefined> {
    const d = this.d;
    const newRevision = maxRevision(old) + 1;
    const now = nowStamp();
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReadyChanged = (copy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadyChanged) {
        copy.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
        return this.client.request<ReplicaSet>('PUT', this.rsPath(copy.metadata.name), copy);
      }
      let needsUpdate = this.setDeploymentRevision(copy.metadata.annotations?.[REVISION] ?? '');
      const cond = this.conditions().find((c) => c.type === 'Progressing');
      if (hasProgressDeadline(d) && !cond) {
        needsUpdate = true;
        this.setCondition(
          newDeploymentCondition(
            'Progressing',
            'True',
            Reasons.FoundNewRS,
            `Found new replica set "${copy.metadata.name}"`,
            now,
          ),
        );
      }
      if (needsUpdate) await this.updateStatus();
      return copy;
    }
    if (!create) return undefined;

    const template = structuredClone(d.spec.template);
    const hash = computeHash(template, d.status?.collisionCount);
    template.metadata = {
      ...template.metadata,
      labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash },
    };
    const selector = structuredClone(d.spec.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const name = `${d.metadata.name}-${hash}`;
    const newRS: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: this.ns,
        ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')],
        labels: template.metadata.labels,
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    const count = newRSNewReplicas(d, [...old, newRS], newRS);
    newRS.spec.replicas = count;
    setNewReplicaSetAnnotations(d, newRS, newRevision, false);
    let created: ReplicaSet;
    let alreadyExists = false;
    try {
      created = await this.client.request<ReplicaSet>('POST', this.rsPath(), newRS);
    } catch (err) {
      if (err instanceof StatusError && err.code === 409 && err.reason === 'AlreadyExists') {
        const rs = await this.client.request<ReplicaSet>('GET', this.rsPath(name)).catch(() => undefined);
        const ref = rs?.metadata.ownerReferences?.find((r) => r.controller);
        if (rs && ref?.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, rs.spec.template)) {
          created = rs;
          alreadyExists = true;
        } else {
          // a hash collision: the next pass hashes with a higher collisionCount
          d.status = { ...d.status, collisionCount: (d.status?.collisionCount ?? 0) + 1 };
          await this.updateStatus().catch(() => undefined);
          throw err;
        }
      } else if (isNamespaceTerminating(err)) {
        throw err;
      } else {
        const msg = `Failed to create new replica set "${name}": ${messageOf(err)}`;
        if (hasProgressDeadline(d)) {
          this.setCondition(newDeploymentCondition('Progressing', 'False', Reasons.FailedRSCreate, msg, now));
          await this.updateStatus().catch(() => undefined);
        }
        this.recorder.event(d, 'Warning', Reasons.FailedRSCreate, msg);
        throw err;
      }
    }
    if (!alreadyExists && count > 0)
      this.recorder.event(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${created.metadata.name} from 0 to ${count}`,
      );
    let needsUpdate = this.setDeploymentRevision(String(newRevision));
    if (!alreadyExists && hasProgressDeadline(d)) {
      needsUpdate = true;
      this.setCondition(
        newDeploymentCondition(
          'Progressing',
          'True',
          Reasons.NewRSCreated,
          `Created new replica set "${created.metadata.name}"`,
          now,
        ),
      );
    }
    if (needsUpdate) await this.updateStatus();
    this.rsList.push(created);
    return created;
  }

  // ---- scaling ----

  private async isScalingEvent(): Promise<boolean> {
    const [newRS, old] = await this.getAll(false);
    for (const rs of active([...old, newRS])) {
      const desired = rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'];
      if (desired === undefined || !/^\d+$/.test(desired)) continue;
      if (Number(desired) !== replicasOf(this.d)) return true;
    }
    return false;
  }

  /** scaleReplicaSet: resize and refresh the replicas annotations; an event when the size changed. */
  private async scaleReplicaSet(
    rs: ReplicaSet,
    newScale: number,
    operation: string,
  ): Promise<[boolean, ReplicaSet]> {
    const d = this.d;
    const sizeChanged = replicasOf(rs) !== newScale;
    const max = replicasOf(d) + maxSurge(d);
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, replicasOf(d), max)) return [false, rs];
    const oldScale = replicasOf(rs);
    const copy = structuredClone(rs);
    copy.spec.replicas = newScale;
    setReplicasAnnotations(copy, replicasOf(d), max);
    const updated = await this.client.request<ReplicaSet>('PUT', this.rsPath(rs.metadata.name), copy);
    const i = this.rsList.findIndex((x) => x.metadata.uid === rs.metadata.uid);
    if (i >= 0) this.rsList[i] = updated;
    if (sizeChanged)
      this.recorder.event(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${operation} replica set ${updated.metadata.name} from ${oldScale} to ${newScale}`,
      );
    return [sizeChanged, updated];
  }

  private async scaleAndRecord(rs: ReplicaSet, newScale: number): Promise<[boolean, ReplicaSet]> {
    if (replicasOf(rs) === newScale) return [false, rs];
    return this.scaleReplicaSet(rs, newScale, replicasOf(rs) < newScale ? 'up' : 'down');
  }

  /** scale: a scaling event, or a paused deployment. */
  private async scale(newRS: ReplicaSet | undefined, old: ReplicaSet[]): Promise<void> {
    const d = this.d;
    const latest = findActiveOrLatest(newRS, old);
    if (latest) {
      if (replicasOf(latest) !== replicasOf(d)) await this.scaleAndRecord(latest, replicasOf(d));
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const o of active(old)) await this.scaleAndRecord(o, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const all = active([...old, newRS]);
    const current = sumReplicas(all);
    const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
    const toAdd = allowed - current;
    let operation = '';
    if (toAdd > 0) {
      all.sort(bySizeNewer);
      operation = 'up';
    } else if (toAdd < 0) {
      all.sort(bySizeOlder);
      operation = 'down';
    }
    let added = 0;
    const sizes = new Map<string, number>();
    for (const rs of all) {
      if (toAdd !== 0) {
        const p = proportion(rs, d, toAdd, added);
        sizes.set(rs.metadata.name!, replicasOf(rs) + p);
        added += p;
      } else sizes.set(rs.metadata.name!, replicasOf(rs));
    }
    for (let i = 0; i < all.length; i++) {
      const rs = all[i];
      if (i === 0 && toAdd !== 0)
        sizes.set(rs.metadata.name!, Math.max(0, sizes.get(rs.metadata.name!)! + toAdd - added));
      await this.scaleReplicaSet(rs, sizes.get(rs.metadata.name!)!, operation);
    }
  }

  private async sync(): Promise<void> {
    const [newRS, old] = await this.getAll(false);
    await this.scale(newRS, old);
    if (this.d.spec.paused) await this.cleanup(this.currentOld(newRS));
    await this.syncDeploymentStatus(newRS);
  }

  private async syncStatusOnly(): Promise<void> {
    const [newRS] = await this.getAll(false);
    await this.syncDeploymentStatus(newRS);
  }

  /** the old sets as they are after this pass's writes */
  private currentOld(newRS: ReplicaSet | undefined): ReplicaSet[] {
    return this.rsList.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid);
  }

  private currentNew(newRS: ReplicaSet | undefined): ReplicaSet | undefined {
    return newRS && (this.rsList.find((rs) => rs.metadata.uid === newRS.metadata.uid) ?? newRS);
  }

  // ---- RollingUpdate ----

  private async rolloutRolling(): Promise<void> {
    let [newRS] = await this.getAll(true);
    newRS = this.currentNew(newRS)!;
    if (await this.reconcileNew(newRS)) return this.syncRolloutStatus(this.currentNew(newRS));
    if (await this.reconcileOld(this.currentNew(newRS)!))
      return this.syncRolloutStatus(this.currentNew(newRS));
    if (deploymentComplete(this.d, this.d.status ?? {})) await this.cleanup(this.currentOld(newRS));
    return this.syncRolloutStatus(this.currentNew(newRS));
  }

  private async reconcileNew(newRS: ReplicaSet): Promise<boolean> {
    const d = this.d;
    if (replicasOf(newRS) === replicasOf(d)) return false;
    if (replicasOf(newRS) > replicasOf(d)) return (await this.scaleAndRecord(newRS, replicasOf(d)))[0];
    const count = newRSNewReplicas(d, this.rsList, newRS);
    return (await this.scaleAndRecord(newRS, count))[0];
  }

  private async reconcileOld(newRS: ReplicaSet): Promise<boolean> {
    const d = this.d;
    let old = active(this.currentOld(newRS));
    if (sumReplicas(old) === 0) return false;
    const allPods = sumReplicas(this.rsList);
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    // unhealthy old replicas first, or they would block the rollout
    old.sort(byCreation);
    let cleaned = 0;
    for (let i = 0; i < old.length; i++) {
      const rs = old[i];
      if (cleaned >= maxScaledDown) break;
      const available = rs.status?.availableReplicas ?? 0;
      if (replicasOf(rs) === 0 || replicasOf(rs) === available) continue;
      const down = Math.min(maxScaledDown - cleaned, replicasOf(rs) - available);
      const [, updated] = await this.scaleAndRecord(rs, replicasOf(rs) - down);
      old[i] = updated;
      cleaned += down;
    }
    // then as many as availability allows
    const availableNow = sumAvailable([...old, newRS]);
    let scaled = 0;
    if (availableNow > minAvailable) {
      old = [...old].sort(byCreation);
      const total = availableNow - minAvailable;
      for (const rs of old) {
        if (scaled >= total) break;
        if (replicasOf(rs) === 0) continue;
        const down = Math.min(replicasOf(rs), total - scaled);
        await this.scaleAndRecord(rs, replicasOf(rs) - down);
        scaled += down;
      }
    }
    return cleaned + scaled > 0;
  }

  // ---- Recreate ----

  private async rolloutRecreate(): Promise<void> {
    let [newRS, old] = await this.getAll(false);
    let scaledDown = false;
    for (const rs of active(old)) if ((await this.scaleAndRecord(rs, 0))[0]) scaledDown = true;
    if (scaledDown) return this.syncRolloutStatus(this.currentNew(newRS));
    if (this.oldPodsRunning(newRS, this.currentOld(newRS)))
      return this.syncRolloutStatus(this.currentNew(newRS));
    if (!newRS) [newRS, old] = await this.getAll(true);
    newRS = this.currentNew(newRS)!;
    if (replicasOf(newRS) !== replicasOf(this.d)) await this.scaleAndRecord(newRS, replicasOf(this.d));
    if (deploymentComplete(this.d, this.d.status ?? {})) await this.cleanup(this.currentOld(newRS));
    void old;
    return this.syncRolloutStatus(this.currentNew(newRS));
  }

  private oldPodsRunning(newRS: ReplicaSet | undefined, old: ReplicaSet[]): boolean {
    if (sumActual(old) > 0) return true;
    for (const [uid, pods] of this.podsByRS) {
      if (newRS && newRS.metadata.uid === uid) continue;
      for (const p of pods) if (p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded') return true;
    }
    return false;
  }

  // ---- history ----

  /** cleanupDeployment: delete the oldest idle sets beyond revisionHistoryLimit. */
  private async cleanup(old: ReplicaSet[]): Promise<void> {
    const d = this.d;
    if (!hasRevisionHistoryLimit(d)) return;
    const cleanable = old.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - d.spec.revisionHistoryLimit!;
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (let i = 0; i < diff; i++) {
      const rs = cleanable[i];
      if (
        (rs.status?.replicas ?? 0) !== 0 ||
        replicasOf(rs) !== 0 ||
        (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)
      )
        continue;
      try {
        await this.client.request('DELETE', this.rsPath(rs.metadata.name));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  // ---- status ----

  private async syncDeploymentStatus(newRS: ReplicaSet | undefined): Promise<void> {
    const next = calculateStatus(this.rsList, this.currentNew(newRS), this.d);
    if (JSON.stringify(next) === JSON.stringify(this.d.status ?? {})) return;
    this.d.status = next;
    await this.updateStatus();
  }

  /** syncRolloutStatus: status plus the Progressing condition and the ReplicaFailure one. */
  private async syncRolloutStatus(newRS: ReplicaSet | undefined): Promise<void> {
    const d = this.d;
    const next = rolloutStatus(d, this.rsList, newRS, Date.now());
    if (JSON.stringify(next) === JSON.stringify(d.status ?? {})) {
      this.requeueAfterMs = stuckRequeue(d, next);
      return;
    }
    d.status = next;
    await this.updateStatus();
  }
}

export { revisionOf };
