// ResourceQuota admission (k8s.io/apiserver/pkg/admission/plugin/resourcequota): a write that
// would use more than a matching quota allows is refused with upstream's messages; an accepted
// one is charged to the quotas' status.used right away (optimistic concurrency, retried on
// conflict), so that the next request sees it before the controller recounts. As upstream's
// evaluator does, requests of one namespace are taken in batches: each batch is checked in
// order against a running total and written with one status update per changed quota.
import type { KubeObject } from '../../api/types.js';
import { isRecord } from '../../api/types.js';
import { conflict, internalError, OBJECT_MODIFIED, StatusError } from '../../api/errors.js';
import { evaluatorFor, isIgnoredResource } from '../../api/quota/registry.js';
import { hardOf, quotaMatches, type Evaluator } from '../../api/quota/evaluator.js';
import {
  add,
  equals,
  lessThanOrEqual,
  mask,
  negativeKeys,
  prettyPrint,
  removeZeros,
  resourceList,
  subtractNonNegative,
  toJSON,
  type ResourceList,
} from '../../api/quota/resources.js';
import { admissionForbidden } from './errors.js';
import { listObjects, liveLister } from './lookup.js';
import type { AdmissionDeps, AdmissionPlugin, AdmissionRequest } from './types.js';

/** upstream retries a conflicting status write this many times (checkQuotas' remainingRetries) */
const UPDATE_RETRIES = 3;
/** how long a request waits for its batch before giving up (upstream's 10 s) */
const EVALUATION_TIMEOUT_MS = 10_000;
/** how many own writes are remembered (upstream's updatedQuotas LRU holds 100) */
const WRITTEN_ENTRIES = 1000;

interface Charge {
  quota: KubeObject;
  used: ResourceList;
}

const usedOf = (q: KubeObject): ResourceList =>
  resourceList(isRecord(q.status) && isRecord(q.status.used) ? q.status.used : undefined);
const sortedNames = (names: string[]) => [...names].sort().join(',');

/**
 * CheckRequest: refuses the request if it breaks a matching quota, else returns the quotas
 * whose usage it changes, with their new usage.
 */
export function checkRequest(
  quotas: KubeObject[],
  req: AdmissionRequest,
  ev: Evaluator,
  now: Date,
): Charge[] {
  const obj = req.object!;
  const interesting: KubeObject[] = [];
  for (const q of quotas) {
    if (!quotaMatches(ev, q, obj)) continue;
    const restricted = ev.matchingResources(Object.keys(hardOf(q, 'status') ?? {}));
    const why = ev.constraints(restricted, obj);
    if (why) throw admissionForbidden(req, `failed quota: ${q.metadata.name}: ${why}`);
    const used = usedOf(q);
    if (restricted.some((r) => !used.has(r)))
      throw admissionForbidden(
        req,
        `status unknown for quota: ${q.metadata.name}, resources: ${sortedNames(restricted)}`,
      );
    interesting.push(q);
  }
  if (interesting.length === 0) return [];
  const input = ev.usage(obj, now);
  const negative = negativeKeys(input);
  if (negative.length)
    throw admissionForbidden(req, `quota usage is negative for resource(s): ${sortedNames(negative)}`);
  const deltas = new Map<KubeObject, ResourceList>(interesting.map((q) => [q, input]));
  if (req.operation === 'UPDATE') {
    const prev = req.oldObject;
    if (!prev)
      throw admissionForbidden(
        req,
        'unable to get previous usage since prior version of object was not found',
      );
    // charge only the growth when the old object was really stored (not create-on-update)
    if (prev.metadata.resourceVersion) {
      const delta = subtractNonNegative(input, ev.usage(prev, now));
      for (const q of interesting) if (quotaMatches(ev, q, prev)) deltas.set(q, delta);
    }
  }
  const charges: Charge[] = [];
  for (const q of interesting) {
    const delta = removeZeros(deltas.get(q)!);
    if (delta.size === 0) continue;
    const hard = resourceList(hardOf(q, 'status'));
    const used = usedOf(q);
    const requested = mask(delta, hard.keys());
    const next = add(used, requested);
    if (req.subresource !== 'status') {
      const exceeded = lessThanOrEqual(mask(next, requested.keys()), hard);
      if (exceeded.length)
        throw admissionForbidden(
          req,
          `exceeded quota: ${q.metadata.name}, requested: ${prettyPrint(mask(requested, exceeded))}, used: ${prettyPrint(mask(used, exceeded))}, limited: ${prettyPrint(mask(hard, exceeded))}`,
        );
    }
    if (!equals(used, next)) charges.push({ quota: q, used: next });
  }
  return charges;
}

/** A request waiting for its batch; result stays PENDING until its charges are written. */
interface Waiter {
  req: AdmissionRequest;
  ev: Evaluator;
  result: unknown;
  done: () => void;
}
const PENDING = Symbol('pending');

export function resourceQuota(deps: AdmissionDeps): AdmissionPlugin {
  const lister = liveLister(deps, '', 'resourcequotas');
  /** quotas as this plugin last wrote them, until the watch cache catches up (upstream's updatedQuotas) */
  const written = new Map<string, KubeObject>();
  const rv = (q: KubeObject) => Number(q.metadata.resourceVersion ?? 0);
  const queued = new Map<string, Waiter[]>();
  const draining = new Set<string>();

  /** After a lost race, the retry reads storage's latest (consistent) instead of the cache. */
  async function quotasOf(namespace: string, consistent: boolean): Promise<KubeObject[]> {
    const listed = consistent
      ? await listObjects(deps, '', 'resourcequotas', namespace, true)
      : await lister(namespace);
    return listed.map((q) => {
      const key = `${namespace}/${q.metadata.name}`;
      const mine = written.get(key);
      if (!mine) return q;
      if (rv(mine) > rv(q)) return mine;
      written.delete(key);
      return q;
    });
  }

  /** Writes a quota's new usage; false when the write lost a race (the quota changed or went). */
  async function writeUsage(namespace: string, quota: KubeObject, used: unknown): Promise<boolean> {
    try {
      const updated = await deps.store('', 'resourcequotas')!.update(
        namespace,
        quota.metadata.name!,
        deps.systemContext(namespace),
        (cur) => ({
          ...cur,
          metadata: { ...cur.metadata, resourceVersion: quota.metadata.resourceVersion },
          status: { ...(isRecord(cur.status) ? cur.status : {}), used },
        }),
        { subresource: 'status' },
      );
      const key = `${namespace}/${quota.metadata.name}`;
      written.delete(key);
      written.set(key, updated);
      // entries of quotas deleted meanwhile are never looked at again: keep the map bounded
      if (written.size > WRITTEN_ENTRIES) written.delete(written.keys().next().value!);
      return true;
    } catch (e) {
      if (e instanceof StatusError && (e.code === 409 || e.code === 404)) return false;
      throw e;
    }
  }

  /** checkQuotas: evaluates the batch against a running copy of the quotas, then writes. */
  async function checkBatch(namespace: string, waiters: Waiter[]): Promise<void> {
    let quotas = await quotasOf(namespace, false);
    for (let retries = UPDATE_RETRIES; ; retries--) {
      if (quotas.length === 0) break;
      const original = quotas;
      let running = quotas;
      for (const w of waiters) {
        if (w.result !== PENDING) continue;
        try {
          const charges = checkRequest(running, w.req, w.ev, new Date());
          // dry runs and requests that change nothing pass without a write
          if (w.req.dryRun || charges.length === 0) w.result = undefined;
          else {
            const next = new Map(charges.map((c) => [c.quota, c.used]));
            running = running.map((q) => {
              const used = next.get(q);
              return used
                ? { ...q, status: { ...(isRecord(q.status) ? q.status : {}), used: toJSON(used) } }
                : q;
            });
          }
        } catch (e) {
          w.result = e;
        }
      }
      const failed = new Set<string>();
      for (let i = 0; i < running.length; i++) {
        if (running[i] === original[i]) continue;
        const used = (running[i].status as { used: unknown }).used;
        if (!(await writeUsage(namespace, original[i], used))) failed.add(original[i].metadata.name!);
      }
      if (failed.size === 0) break;
      if (retries <= 0) {
        const err = conflict('', 'resourcequotas', [...failed][0], OBJECT_MODIFIED);
        for (const w of waiters) if (w.result === PENDING) w.result = err;
        return;
      }
      quotas = (await quotasOf(namespace, true)).filter((q) => failed.has(q.metadata.name!));
    }
    // everything still waiting was charged (or found nothing to charge)
    for (const w of waiters) if (w.result === PENDING) w.result = undefined;
  }

  async function drain(namespace: string): Promise<void> {
    draining.add(namespace);
    try {
      for (let batch = queued.get(namespace); batch?.length; batch = queued.get(namespace)) {
        queued.delete(namespace);
        try {
          await checkBatch(namespace, batch);
        } catch (e) {
          for (const w of batch) if (w.result === PENDING) w.result = e;
        }
        for (const w of batch) w.done();
      }
    } finally {
      draining.delete(namespace);
    }
  }

  return {
    name: 'ResourceQuota',
    async validate(req) {
      if (req.subresource !== '' || req.namespace === '' || !req.object) return;
      if (isIgnoredResource(req.group, req.resource)) return;
      const ev = evaluatorFor(req.group, req.resource);
      if (!ev.handles(req.operation, req.subresource)) return;
      const w: Waiter = { req, ev, result: PENDING, done: () => undefined };
      const finished = new Promise<void>((resolve) => (w.done = resolve));
      const list = queued.get(req.namespace) ?? [];
      list.push(w);
      queued.set(req.namespace, list);
      if (!draining.has(req.namespace)) void drain(req.namespace);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>(
        (resolve) => (timer = setTimeout(() => resolve(true), EVALUATION_TIMEOUT_MS)),
      );
      const late = await Promise.race([finished.then(() => false), timedOut]);
      clearTimeout(timer);
      if (late) throw internalError(new Error('resource quota evaluation timed out'));
      if (w.result !== undefined) throw w.result;
    },
  };
}
