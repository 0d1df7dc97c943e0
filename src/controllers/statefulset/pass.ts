// One sync of one StatefulSet (updateStatefulSet): recover failed pods and create missing ones
// in ordinal order, condemn those beyond replicas from the top, then roll the update revision
// from the highest ordinal down to the partition; OrderedReady waits at each step.
import { StatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { EventRecorder } from '../../client/events.js';
import type { RestClient } from '../../client/rest.js';
import { isNotFound } from '../../client/informer.js';
import { newControllerRef } from '../common/controller-ref.js';
import type { OwnerReference, Pod, PodTemplateSpec } from '../common/objects.js';
import { isPodAvailable, isPodReady } from '../common/pod-util.js';
import type { ControllerRevision } from '../common/revision.js';
import { claimsFor, newPod, ordinalOf, REVISION_LABEL, type StatefulSet } from './identity.js';

export const runningAndReady = (p: Pod) => p.status?.phase === 'Running' && isPodReady(p);
const terminating = (p: Pod) => !!p.metadata?.deletionTimestamp;
const failedOrDone = (p: Pod) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';

/** What a pass needs from its controller. */
export interface StatefulSetHost {
  client(): RestClient;
  events(): EventRecorder;
  claimInCache(ns: string, name: string): KubeObject | undefined;
  patchOwners(claimObj: KubeObject, refs: OwnerReference[]): Promise<void>;
}

/** One sync of one StatefulSet: creations, recoveries, scale-down, rolling update. */
export class StatefulSetPass {
  private readonly byOrdinal = new Map<number, Pod>();
  private readonly condemned: Pod[] = [];
  private readonly start: number;
  private readonly replicas: number;
  private readonly monotonic: boolean;
  private readonly ref: OwnerReference;

  constructor(
    private readonly c: StatefulSetHost,
    private readonly set: StatefulSet,
    private readonly pods: Pod[],
    private readonly current: ControllerRevision,
    private readonly update: ControllerRevision,
  ) {
    this.start = set.spec.ordinals?.start ?? 0;
    this.replicas = set.spec.replicas ?? 1;
    this.monotonic = set.spec.podManagementPolicy !== 'Parallel';
    this.ref = newControllerRef(set, 'apps/v1', 'StatefulSet');
    for (const p of pods) {
      const ord = ordinalOf(set, p);
      if (ord >= this.start && ord < this.start + this.replicas) this.byOrdinal.set(ord, p);
      else this.condemned.push(p);
    }
    this.condemned.sort((a, b) => ordinalOf(set, b) - ordinalOf(set, a));
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.c.events().event(this.set, type, reason, message);
  }

  private get ns(): string {
    return this.set.metadata.namespace!;
  }

  private healthy(p: Pod): boolean {
    return runningAndReady(p) && isPodAvailable(p, this.set.spec.minReadySeconds ?? 0);
  }

  private templateFor(ord: number): [PodTemplateSpec, string] {
    const ru = this.set.spec.updateStrategy;
    const partition = ru?.rollingUpdate?.partition ?? 0;
    if ((ru?.type ?? 'RollingUpdate') === 'RollingUpdate' && ord < partition) {
      const data = this.current.data as { spec?: { template?: PodTemplateSpec & { $patch?: string } } };
      const t = structuredClone(data.spec?.template ?? this.set.spec.template);
      delete (t as { $patch?: string }).$patch;
      return [t, this.current.metadata.name!];
    }
    return [this.set.spec.template, this.update.metadata.name!];
  }

  private async createPod(ord: number): Promise<void> {
    const [template, revision] = this.templateFor(ord);
    const pod = newPod(this.set, template, revision, ord, this.ref);
    for (const claimObj of claimsFor(this.set, ord)) {
      const name = (claimObj.metadata as { name: string }).name;
      if (this.c.claimInCache(this.ns, name)) continue;
      try {
        await this.c
          .client()
          .request('POST', `/api/v1/namespaces/${this.ns}/persistentvolumeclaims`, claimObj);
        this.event(
          'Normal',
          'SuccessfulCreate',
          `create Claim ${name} Pod ${pod.metadata!.name} in StatefulSet ${this.set.metadata.name} success`,
        );
      } catch (err) {
        if (err instanceof StatusError && err.reason === 'AlreadyExists') continue;
        this.event(
          'Warning',
          'FailedCreate',
          `create Claim ${name} for Pod ${pod.metadata!.name} in StatefulSet ${this.set.metadata.name} failed error: ${(err as Error).message}`,
        );
        throw err;
      }
    }
    try {
      await this.c.client().request('POST', `/api/v1/namespaces/${this.ns}/pods`, pod);
      this.event(
        'Normal',
        'SuccessfulCreate',
        `create Pod ${pod.metadata!.name} in StatefulSet ${this.set.metadata.name} successful`,
      );
    } catch (err) {
      if (err instanceof StatusError && err.reason === 'AlreadyExists') return;
      this.event(
        'Warning',
        'FailedCreate',
        `create Pod ${pod.metadata!.name} in StatefulSet ${this.set.metadata.name} failed error: ${(err as Error).message}`,
      );
      throw err;
    }
  }

  private async deletePod(p: Pod): Promise<void> {
    try {
      await this.c.client().request('DELETE', `/api/v1/namespaces/${this.ns}/pods/${p.metadata!.name}`);
      this.event(
        'Normal',
        'SuccessfulDelete',
        `delete Pod ${p.metadata!.name} in StatefulSet ${this.set.metadata.name} successful`,
      );
    } catch (err) {
      if (isNotFound(err)) return;
      this.event(
        'Warning',
        'FailedDelete',
        `delete Pod ${p.metadata!.name} in StatefulSet ${this.set.metadata.name} failed error: ${(err as Error).message}`,
      );
      throw err;
    }
  }

  /** Returns a delay to look again (minReadySeconds), or undefined. */
  async run(): Promise<number | undefined> {
    const set = this.set;
    let unhealthy = false;
    // replicas in ordinal order: recover failed pods, create missing ones, wait for each
    for (let ord = this.start; ord < this.start + this.replicas; ord++) {
      const p = this.byOrdinal.get(ord);
      if (p && failedOrDone(p) && !terminating(p)) {
        this.event(
          'Warning',
          'RecreatingFailedPod',
          `StatefulSet ${this.ns}/${set.metadata.name} is recreating failed Pod ${p.metadata!.name}`,
        );
        await this.deletePod(p);
        unhealthy = true;
        if (this.monotonic) return undefined;
        continue;
      }
      if (!p) {
        await this.createPod(ord);
        unhealthy = true;
        if (this.monotonic) return undefined;
        continue;
      }
      if (terminating(p) || !this.healthy(p)) {
        unhealthy = true;
        if (this.monotonic) return this.availabilityDelay(p);
      }
    }
    // scale down from the highest ordinal
    for (const p of this.condemned) {
      if (terminating(p)) {
        if (this.monotonic) return undefined;
        continue;
      }
      if (this.monotonic && unhealthy) return undefined;
      await this.condemnClaims(p);
      await this.deletePod(p);
      if (this.monotonic) return undefined;
    }
    if (unhealthy) return undefined;
    // rolling update, highest ordinal first, down to the partition
    const strategy = set.spec.updateStrategy;
    if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return undefined;
    const partition = strategy?.rollingUpdate?.partition ?? 0;
    for (let ord = this.start + this.replicas - 1; ord >= Math.max(partition, this.start); ord--) {
      const p = this.byOrdinal.get(ord);
      if (!p) continue;
      if (p.metadata?.labels?.[REVISION_LABEL] !== this.update.metadata.name && !terminating(p)) {
        await this.deletePod(p);
        return undefined;
      }
      if (!this.healthy(p)) return undefined;
    }
    return undefined;
  }

  private availabilityDelay(p: Pod): number | undefined {
    const min = this.set.spec.minReadySeconds ?? 0;
    if (min > 0 && runningAndReady(p)) return min * 1000 + 100;
    return undefined;
  }

  /** whenScaled: Delete hands a condemned pod's claims to the pod, so they go with it. */
  private async condemnClaims(p: Pod): Promise<void> {
    if (this.set.spec.persistentVolumeClaimRetentionPolicy?.whenScaled !== 'Delete') return;
    for (const claimObj of claimsFor(this.set, ordinalOf(this.set, p))) {
      const existing = this.c.claimInCache(this.ns, (claimObj.metadata as { name: string }).name);
      if (!existing || existing.metadata.ownerReferences?.some((r) => r.uid === p.metadata!.uid)) continue;
      // the pod becomes the only workload owner (updateClaimOwnerRefForSetAndPod): a set owner
      // left beside it would keep the claim alive after the pod is gone
      await this.c.patchOwners(existing, [
        ...(existing.metadata.ownerReferences ?? []).filter((r) => r.uid !== this.set.metadata.uid),
        { apiVersion: 'v1', kind: 'Pod', name: p.metadata!.name!, uid: p.metadata!.uid! },
      ]);
    }
  }

  /** The status the pods as seen at the start of this pass give (updateStatefulSet's status). */
  status(collisionCount: number | undefined): NonNullable<StatefulSet['status']> {
    const minReady = this.set.spec.minReadySeconds ?? 0;
    let replicas = 0;
    let ready = 0;
    let available = 0;
    let currentCount = 0;
    let updated = 0;
    for (const p of this.pods) {
      replicas++;
      if (runningAndReady(p)) {
        ready++;
        if (isPodAvailable(p, minReady)) available++;
      }
      if (terminating(p)) continue;
      const rev = p.metadata?.labels?.[REVISION_LABEL];
      if (rev === this.current.metadata.name) currentCount++;
      if (rev === this.update.metadata.name) updated++;
    }
    let currentRevision = this.current.metadata.name!;
    if (
      (this.set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' &&
      updated === replicas &&
      ready === replicas &&
      replicas === this.replicas
    ) {
      currentCount = updated;
      currentRevision = this.update.metadata.name!;
    }
    const st: NonNullable<StatefulSet['status']> = {
      observedGeneration: this.set.metadata.generation,
      replicas,
    };
    if (ready) st.readyReplicas = ready;
    if (currentCount) st.currentReplicas = currentCount;
    if (updated) st.updatedReplicas = updated;
    st.currentRevision = currentRevision;
    st.updateRevision = this.update.metadata.name!;
    st.collisionCount = collisionCount ?? 0;
    st.availableReplicas = available;
    return st;
  }
}
