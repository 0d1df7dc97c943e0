// The generic REST store (upstream's registry/generic/registry.Store): create, get, update,
// delete for every resource, with the resource's specifics injected by its ResourceStrategy.
// Lists and watches are served by the resource's watch cache (see list-watch.ts).
import {
  alreadyExists,
  badRequest,
  conflict,
  invalid,
  notFound,
  OBJECT_MODIFIED,
  StatusError,
} from '../../api/errors.js';
import { apiVersionOf, type KubeObject } from '../../api/types.js';
import {
  KeyExistsError,
  KeyNotFoundError,
  RevisionMismatchError,
  type KV,
  type Storage,
} from '../../storage/types.js';
import type { CachedObject, WatchCacheApi } from '../../storage/cacher-types.js';
import type {
  Allocators,
  ResourceStrategy,
  StrategyContext,
  WriteSubresource,
} from '../registry/strategy.js';
import { errorBody, errorText, type FieldError } from '../registry/validation.js';
import type { RequestContext } from './context.js';
import { carryUpdateMeta, fillCreateMeta, generateNameSuffix, sameJSON, timestamp } from './meta.js';
import { clone, decodeFromStorage, encodeForStorage } from './object-json.js';
import { recordManagedFields } from './managed.js';
import { AllocationError } from '../allocators.js';
import type { AdmissionChain } from '../admission/chain.js';
import type { AdmissionOperation, AdmissionRequest } from '../admission/types.js';
import { cloneJSON } from '../../api/json-value.js';

/** upstream retries generateName collisions (RetryGenerateName, on by default in 1.31) */
const GENERATE_NAME_ATTEMPTS = 8;
/** upstream's GuaranteedUpdate retries a patch on a concurrent write */
const PATCH_ATTEMPTS = 5;

/**
 * The state an update starts from: a datastore read, or the watch cache's copy (which may be
 * behind the datastore; the write's revision guard tells).
 */
type ReadState =
  | (KV & { cachedObject?: undefined })
  | { key: string; modRevision: number; stale?: undefined; cachedObject: CachedObject };

/** An update found to change nothing on a cached copy: upstream confirms that on stored state. */
class UnconfirmedNoOp extends Error {}

/** The stored object with the request's spec.ephemeralContainers and nothing else of it. */
function withEphemeralContainers(current: KubeObject, next: KubeObject): KubeObject {
  const out = clone(current);
  const spec = (out.spec ?? {}) as Record<string, unknown>;
  const wanted = (next.spec as Record<string, unknown> | undefined)?.ephemeralContainers;
  if (wanted === undefined) delete spec.ephemeralContainers;
  else spec.ephemeralContainers = wanted;
  out.spec = spec;
  return out;
}

export interface StoreDeps {
  storage: Storage;
  cache: WatchCacheApi;
  allocators: Allocators;
  /** Namespace lifecycle: throws if the namespace is missing or terminating. */
  checkNamespace(
    namespace: string,
    forCreate: boolean,
    target: { group: string; resource: string; name: string },
  ): Promise<void>;
  /** Admission plugins (mutating, then validating) every write goes through. */
  admission: AdmissionChain;
}

export class ResourceStore {
  readonly prefix: string;

  constructor(
    readonly strategy: ResourceStrategy,
    private readonly deps: StoreDeps,
  ) {
    const s = strategy.storedAs ?? strategy;
    this.prefix = `/registry/${s.resource}/`;
  }

  get cache(): WatchCacheApi {
    return this.deps.cache;
  }

  get apiVersion(): string {
    return apiVersionOf(this.strategy.group, this.strategy.version);
  }

  key(namespace: string | undefined, name: string): string {
    return this.strategy.namespaced ? `${this.prefix}${namespace}/${name}` : `${this.prefix}${name}`;
  }

  /**
   * The served form of a cached (shared, never mutated) object: itself when no conversion is
   * needed, else a converted copy.
   */
  view(cached: KubeObject): KubeObject {
    return this.strategy.storedAs ? this.fromStored(cloneJSON(cached)) : cached;
  }

  /** Converts a stored object to the served version/kind. */
  fromStored(obj: KubeObject): KubeObject {
    const out = this.strategy.storedAs ? this.strategy.storedAs.fromStored(obj) : obj;
    out.apiVersion = this.apiVersion;
    out.kind = this.strategy.kind;
    return out;
  }

  private toStored(obj: KubeObject): KubeObject {
    return this.strategy.storedAs ? this.strategy.storedAs.toStored(obj) : obj;
  }

  private strategyContext(ctx: RequestContext, now: Date, subresource?: string): StrategyContext {
    const s: StrategyContext = { now, allocators: this.deps.allocators, dryRun: ctx.dryRun, user: ctx.user };
    if (ctx.namespace !== undefined) s.namespace = ctx.namespace;
    if (subresource) s.subresource = subresource;
    return s;
  }

  private notFound(name: string): StatusError {
    return notFound(this.strategy.group, this.strategy.resource, name);
  }

  private admissionRequest(
    operation: AdmissionOperation,
    object: KubeObject | undefined,
    oldObject: KubeObject | undefined,
    ctx: RequestContext,
    subresource = '',
  ): AdmissionRequest {
    const st = this.strategy;
    const meta = (object ?? oldObject)?.metadata;
    return {
      operation,
      group: st.group,
      version: st.version,
      resource: st.resource,
      subresource,
      kind: st.kind,
      namespace: st.namespaced ? (meta?.namespace ?? ctx.namespace ?? '') : '',
      name: meta?.name ?? '',
      object,
      oldObject,
      user: ctx.user,
      dryRun: ctx.dryRun,
      ctx,
    };
  }

  private throwIfInvalid(obj: KubeObject, errs: FieldError[]): void {
    if (errs.length === 0) return;
    throw invalid(
      this.strategy.group,
      this.strategy.kind,
      obj.metadata.name ?? '',
      errs.map((e) => ({ type: e.type, field: e.field, message: errorBody(e), text: errorText(e) })),
    );
  }

  async readKV(namespace: string | undefined, name: string): Promise<KV> {
    const kv = await this.deps.storage.get(this.key(namespace, name));
    if (!kv) throw this.notFound(name);
    return kv;
  }

  async get(namespace: string | undefined, name: string): Promise<KubeObject> {
    const kv = await this.readKV(namespace, name);
    return this.fromStored(decodeFromStorage(kv.value, kv.modRevision));
  }

  async create(
    obj: KubeObject,
    ctx: RequestContext,
    opts: { keepManagedFields?: boolean } = {},
  ): Promise<KubeObject> {
    const now = new Date();
    const st = this.strategy;
    if (st.namespaced && ctx.namespace) {
      await this.deps.checkNamespace(ctx.namespace, true, {
        group: st.group,
        resource: st.resource,
        name: obj.metadata.name ?? '',
      });
    }
    fillCreateMeta(obj, now, !!st.generation);
    st.defaults?.(obj);
    const review = this.admissionRequest('CREATE', obj, undefined, ctx);
    await this.deps.admission.admit(review);
    // what mutating plugins added (containers' resources, volumes) gets its defaults too
    st.defaults?.(obj);
    const sctx = this.strategyContext(ctx, now);
    st.prepareForCreate?.(obj, sctx);
    const generate = !obj.metadata.name && !!obj.metadata.generateName;
    if (generate) obj.metadata.name = obj.metadata.generateName + generateNameSuffix();
    this.throwIfInvalid(obj, [
      ...(st.validate?.(obj, sctx) ?? []),
      ...(st.validateCreate?.(obj, sctx) ?? []),
    ]);
    review.name = obj.metadata.name ?? '';
    await this.deps.admission.validate(review);
    if (!opts.keepManagedFields) recordManagedFields(undefined, obj, ctx, this.managedTarget(), now);
    const undo = this.allocate(obj, undefined, sctx);
    try {
      if (ctx.dryRun) return this.withRevision(obj, 0);
      for (let attempt = 1; ; attempt++) {
        try {
          const rev = await this.deps.storage.create(
            this.key(obj.metadata.namespace, obj.metadata.name!),
            encodeForStorage(this.toStored(obj)),
          );
          return this.withRevision(obj, rev);
        } catch (err) {
          if (!(err instanceof KeyExistsError)) throw err;
          if (!generate || attempt >= GENERATE_NAME_ATTEMPTS)
            throw alreadyExists(st.group, st.resource, obj.metadata.name!);
          obj.metadata.name = obj.metadata.generateName + generateNameSuffix();
        }
      }
    } catch (err) {
      undo?.();
      throw err;
    } finally {
      if (ctx.dryRun) undo?.();
    }
  }

  /** Runs the strategy's allocation; allocation failures are validation errors (422), as upstream. */
  private allocate(
    obj: KubeObject,
    old: KubeObject | undefined,
    sctx: StrategyContext,
  ): (() => void) | undefined {
    try {
      return this.strategy.allocate?.(obj, old, sctx);
    } catch (err) {
      if (err instanceof AllocationError) this.throwIfInvalid(obj, err.errors);
      throw err;
    }
  }

  private managedTarget(subresource?: string): {
    apiVersion: string;
    definitionName: string;
    subresource?: string;
  } {
    const t = { apiVersion: this.apiVersion, definitionName: this.strategy.definition };
    return subresource ? { ...t, subresource } : t;
  }

  private withRevision(obj: KubeObject, rev: number): KubeObject {
    if (rev > 0) obj.metadata.resourceVersion = String(rev);
    obj.apiVersion = this.apiVersion;
    obj.kind = this.strategy.kind;
    return obj;
  }

  /**
   * Replaces the object. `mutate` computes the new object from the current one (PUT ignores the
   * current object; PATCH applies the patch to it). Retries on a concurrent write when the
   * caller did not pin a resourceVersion.
   */
  async update(
    namespace: string | undefined,
    name: string,
    ctx: RequestContext,
    mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
    opts: {
      subresource?: WriteSubresource;
      retry?: boolean;
      keepManagedFields?: boolean;
      raw?: boolean;
    } = {},
  ): Promise<KubeObject> {
    const st = this.strategy;
    // As upstream's GuaranteedUpdate: the first try works on the watch cache's copy, so an
    // update does not read the datastore; the revision guard on the write catches a stale copy,
    // and any failure on cached state is retried once on the stored state, unless that turns
    // out to be the same revision.
    let state: ReadState | undefined = opts.raw ? undefined : this.cachedState(namespace, name);
    for (let attempt = 1; ; attempt++) {
      const kv: ReadState = state ?? (await this.readKV(namespace, name));
      state = undefined;
      try {
        const current = kv.cachedObject
          ? this.fromStored(JSON.parse(kv.cachedObject.json()) as KubeObject)
          : this.fromStored(decodeFromStorage(kv.value, kv.modRevision));
        const next = await mutate(clone(current));
        // `raw`: a subresource's own storage-level update (upstream's GuaranteedUpdate in
        // pods/binding): no strategy hooks, admission or managedFields, only the revision guard
        if (opts.raw)
          return this.withRevision(
            next,
            await this.deps.storage.update(kv.key, encodeForStorage(this.toStored(next)), kv.modRevision),
          );
        return await this.writeUpdate(kv, current, next, ctx, opts);
      } catch (err) {
        if (kv.cachedObject) {
          const stored = await this.readKV(namespace, name);
          // unless the cached copy was current after all (then its answer stands; a no-op
          // is only trusted on stored state), try again on the stored state
          if (stored.modRevision !== kv.modRevision || err instanceof UnconfirmedNoOp) {
            state = stored;
            attempt--;
            continue;
          }
        }
        if (err instanceof RevisionMismatchError && opts.retry && attempt < PATCH_ATTEMPTS) continue;
        if (err instanceof RevisionMismatchError || err instanceof KeyNotFoundError)
          throw conflict(st.group, st.resource, name, OBJECT_MODIFIED);
        throw err;
      }
    }
  }

  /** The watch cache's copy of an object as the first state an update works on, if it has one. */
  private cachedState(namespace: string | undefined, name: string): ReadState | undefined {
    const key = this.key(namespace, name);
    const cachedObject = this.deps.cache.get(key);
    return cachedObject && { key, modRevision: cachedObject.modRevision, cachedObject };
  }

  private async writeUpdate(
    kv: ReadState,
    current: KubeObject,
    next: KubeObject,
    ctx: RequestContext,
    opts: { subresource?: WriteSubresource; keepManagedFields?: boolean },
  ): Promise<KubeObject> {
    const st = this.strategy;
    const subresource = opts.subresource;
    const now = new Date();
    const sctx = this.strategyContext(ctx, now, opts.subresource);
    const wantRV = next.metadata.resourceVersion;
    if (wantRV !== undefined && wantRV !== '' && wantRV !== current.metadata.resourceVersion) {
      if (!/^\d+$/.test(wantRV)) throw badRequest(`invalid resource version: ${wantRV}`);
      throw conflict(st.group, st.resource, current.metadata.name!, OBJECT_MODIFIED);
    }
    if (next.metadata.name !== current.metadata.name) {
      throw badRequest(
        `the name of the object (${next.metadata.name}) does not match the name on the URL (${current.metadata.name})`,
      );
    }
    if (subresource) {
      // a status (or CSR approval) write changes status only (and keeps everything else as
      // stored); a status write also takes the request's annotations, as upstream's status
      // strategies reset spec but let annotations through (the deployment controller records
      // its revision so)
      // pods/ephemeralcontainers writes spec.ephemeralContainers only (upstream's
      // dropNonEphemeralContainerUpdates)
      if (subresource === 'ephemeralcontainers') next = withEphemeralContainers(current, next);
      else {
        const annotations = subresource === 'status' ? next.metadata.annotations : undefined;
        next = { ...clone(current), status: next.status };
        if (annotations !== undefined) next.metadata.annotations = annotations;
      }
    } else if (st.status) {
      if (current.status === undefined) delete next.status;
      else next.status = clone(current.status);
    }
    // defaults first: a patch that drops a defaulted field (server-side apply does when its
    // manager owned it) gets it back and that is no spec change, as upstream decodes with defaults
    st.defaults?.(next);
    carryUpdateMeta(next, current, !!st.generation);
    const review = this.admissionRequest('UPDATE', next, current, ctx, subresource);
    await this.deps.admission.admit(review);
    st.defaults?.(next);
    st.prepareForUpdate?.(next, current, sctx);
    this.throwIfInvalid(next, [
      ...(st.validate?.(next, sctx) ?? []),
      ...(st.validateUpdate?.(next, current, sctx) ?? []),
    ]);
    await this.deps.admission.validate(review);
    // managedFields a client sets explicitly are taken as given (how kubectl upgrades
    // client-side-apply ownership, and how `[]` resets it), as upstream does
    const mf = next.metadata.managedFields;
    const explicit = mf !== undefined && !sameJSON(mf, current.metadata.managedFields);
    if (explicit && Array.isArray(mf) && mf.length === 0) delete next.metadata.managedFields;
    if (!opts.keepManagedFields && !explicit) {
      recordManagedFields(current, next, ctx, this.managedTarget(subresource), now);
    }
    // an update that changes nothing is not written (no new resourceVersion), as upstream,
    // unless the stored bytes are stale (sealed with an old encryption key)
    const { resourceVersion: _a, managedFields: _mf1, ...nm } = next.metadata;
    const { resourceVersion: _b, managedFields: _mf2, ...cm } = current.metadata;
    if (!explicit && !kv.stale && sameJSON({ ...next, metadata: nm }, { ...current, metadata: cm })) {
      if (kv.cachedObject) throw new UnconfirmedNoOp();
      return current;
    }
    const undo = this.allocate(next, current, sctx);
    try {
      if (ctx.dryRun) {
        undo?.();
        return this.withRevision(next, 0);
      }
      // the last finalizer removed from an object being deleted (grace already over): the update is the delete
      const m = next.metadata;
      if (
        m.deletionTimestamp &&
        !m.deletionGracePeriodSeconds &&
        !(m.finalizers ?? []).length &&
        !st.deletionHeld?.(next)
      ) {
        await this.deps.storage.delete(kv.key, kv.modRevision);
        st.release?.(next, sctx);
        return next;
      }
      const rev = await this.deps.storage.update(
        kv.key,
        encodeForStorage(this.toStored(next)),
        kv.modRevision,
      );
      return this.withRevision(next, rev);
    } catch (err) {
      undo?.();
      throw err;
    }
  }

  /**
   * Deletes (or starts deleting) an object. Returns the object as it is afterwards: still
   * present with deletionTimestamp while finalizers or a grace period hold it, else its last state.
   */
  async delete(
    namespace: string | undefined,
    name: string,
    ctx: RequestContext,
    opts: DeleteOptions,
  ): Promise<{ object: KubeObject; deleted: boolean }> {
    const st = this.strategy;
    for (;;) {
      const kv = await this.readKV(namespace, name);
      const current = this.fromStored(decodeFromStorage(kv.value, kv.modRevision));
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== current.metadata.uid)
        throw conflict(
          st.group,
          st.resource,
          name,
          `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
        );
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion)
        throw conflict(
          st.group,
          st.resource,
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
        );
      // upstream's AdmissionToValidateObjectDeleteFunc: the mutating phase, then the validating one
      const review = this.admissionRequest('DELETE', undefined, current, ctx);
      await this.deps.admission.admit(review);
      await this.deps.admission.validate(review);
      const now = new Date();
      const next = clone(current);
      const finalizers = new Set(next.metadata.finalizers ?? []);
      // orphan and foregroundDeletion exclude each other: the policy asked for last wins (upstream)
      if (opts.propagationPolicy === 'Orphan') {
        finalizers.add('orphan');
        finalizers.delete('foregroundDeletion');
      }
      if (opts.propagationPolicy === 'Foreground') {
        finalizers.add('foregroundDeletion');
        finalizers.delete('orphan');
      }
      if (opts.propagationPolicy === 'Background') {
        finalizers.delete('orphan');
        finalizers.delete('foregroundDeletion');
      }
      const grace = st.gracePeriod?.(current, opts.gracePeriodSeconds) ?? 0;
      const held = finalizers.size > 0 || !!st.deletionHeld?.(current);
      const graceful = grace > 0 || held || !!current.metadata.deletionTimestamp;
      if (graceful) {
        if (finalizers.size) next.metadata.finalizers = [...finalizers];
        st.beginDeletion?.(next);
        const deadline = new Date(now.getTime() + grace * 1000);
        const prevDeadline = current.metadata.deletionTimestamp
          ? Date.parse(current.metadata.deletionTimestamp)
          : Infinity;
        // a second delete may shorten the grace period, never lengthen it
        if (deadline.getTime() < prevDeadline) {
          next.metadata.deletionTimestamp = timestamp(deadline);
          next.metadata.deletionGracePeriodSeconds = grace;
        }
        if (grace === 0 && !held) {
          // grace ran out and nothing holds it: remove now
        } else {
          if (sameJSON(next, current) || ctx.dryRun) return { object: current, deleted: false };
          try {
            const rev = await this.deps.storage.update(
              kv.key,
              encodeForStorage(this.toStored(next)),
              kv.modRevision,
            );
            return { object: this.withRevision(next, rev), deleted: false };
          } catch (err) {
            if (err instanceof RevisionMismatchError) continue;
            throw err;
          }
        }
      }
      if (ctx.dryRun) return { object: current, deleted: true };
      try {
        const gone = await this.deps.storage.delete(kv.key, kv.modRevision);
        st.release?.(current, this.strategyContext(ctx, now));
        return { object: this.withRevision(current, gone.modRevision), deleted: true };
      } catch (err) {
        if (err instanceof RevisionMismatchError) continue;
        if (err instanceof KeyNotFoundError) throw this.notFound(name);
        throw err;
      }
    }
  }
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}
