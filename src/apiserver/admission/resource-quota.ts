// ResourceQuota admission (k8s.io/apiserver/pkg/admission/plugin/resourcequota): a write that
// would use more than a matching quota allows is refused with upstream's messages; an accepted
// one is charged to the quotas' status.used right away (optimistic concurrency, retried on
// conflict), so that the next request sees it before the controller recounts. Requests in one
// namespace are checked one at a time, as upstream's per-namespace work queue does.
import type { KubeObject } from '../../api/types.js';
import { isRecord } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
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
import { listObjects } from './lookup.js';
import type { AdmissionDeps, AdmissionPlugin, AdmissionRequest } from './types.js';

/** upstream retries a conflicting status write this many times (checkQuotas' remainingRetries) */
const UPDATE_RETRIES = 3;

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

/** Runs fn after every earlier call for the same key has finished. */
function serializer() {
  const tails = new Map<string, Promise<void>>();
  return async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const prev = tails.get(key) ?? Promise.resolve();
    const run = prev.then(fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}

export function resourceQuota(deps: AdmissionDeps): AdmissionPlugin {
  const exclusive = serializer();

  /** Writes the new usage; returns the names whose write lost a race. */
  async function charge(
    namespace: string,
    charges: Charge[],
  ): Promise<{ failed: Set<string>; err?: unknown }> {
    const store = deps.store('', 'resourcequotas')!;
    const failed = new Set<string>();
    let err: unknown;
    for (const { quota, used } of charges) {
      try {
        await store.update(
          namespace,
          quota.metadata.name!,
          deps.systemContext(namespace),
          (cur) => ({
            ...cur,
            metadata: { ...cur.metadata, resourceVersion: quota.metadata.resourceVersion },
            status: { ...(isRecord(cur.status) ? cur.status : {}), used: toJSON(used) },
          }),
          { subresource: 'status' },
        );
      } catch (e) {
        if (!(e instanceof StatusError && (e.code === 409 || e.code === 404))) throw e;
        failed.add(quota.metadata.name!);
        err = e;
      }
    }
    return { failed, err };
  }

  async function evaluate(req: AdmissionRequest, ev: Evaluator): Promise<void> {
    let only: Set<string> | undefined;
    let lastErr: unknown;
    for (let attempt = 0; attempt <= UPDATE_RETRIES; attempt++) {
      let quotas = await listObjects(deps, '', 'resourcequotas', req.namespace);
      if (only) quotas = quotas.filter((q) => only!.has(q.metadata.name!));
      if (quotas.length === 0) return;
      const charges = checkRequest(quotas, req, ev, new Date());
      if (charges.length === 0 || req.dryRun) return;
      const { failed, err } = await charge(req.namespace, charges);
      if (failed.size === 0) return;
      only = failed;
      lastErr = err;
    }
    throw lastErr;
  }

  return {
    name: 'ResourceQuota',
    async validate(req) {
      if (req.subresource !== '' || req.namespace === '' || !req.object) return;
      if (isIgnoredResource(req.group, req.resource)) return;
      const ev = evaluatorFor(req.group, req.resource);
      if (!ev.handles(req.operation, req.subresource)) return;
      await exclusive(req.namespace, () => evaluate(req, ev));
    },
  };
}
