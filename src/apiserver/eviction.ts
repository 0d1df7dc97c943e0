// The pods/eviction subresource (upstream's EvictionREST): POST a policy/v1 Eviction and the
// pod is deleted unless that would break its PodDisruptionBudget. The budget is checked and
// decremented in one write of its status (disruptionsAllowed - 1, the pod recorded in
// disruptedPods for the disruption controller), so two evictions cannot both take the last
// allowed disruption. `kubectl drain` evicts through here and retries on 429.
import {
  badRequest,
  forbidden,
  internalError,
  notFound,
  StatusError,
  tooManyRequests,
} from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { isRecord } from '../api/types.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../api/selectors/index.js';
import { baseHeaders, readBody, send } from './http/io.js';
import { parseDocument } from './endpoints/decode.js';
import type { CustomHandlers } from './endpoints/custom.js';
import type { ResourceCall } from './endpoints/resource-handler.js';
import type { DeleteOptions, ResourceStore } from './endpoints/store.js';
import type { ApiServerParts } from './extensions.js';

/** upstream's MaxDisruptedPodSize */
const MAX_DISRUPTED_PODS = 2000;
const UPDATE_ATTEMPTS = 5;
export const VIOLATION_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";

interface PDBStatus {
  disruptionsAllowed?: number;
  currentHealthy?: number;
  desiredHealthy?: number;
  expectedPods?: number;
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
}

const pdbStatus = (p: KubeObject) => (p.status ?? {}) as PDBStatus;
const stamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function isPodReady(pod: KubeObject): boolean {
  const conds = (pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions;
  return conds?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Terminal, pending or already terminating pods are evicted without a budget check (upstream's canIgnorePDB). */
function canIgnorePDB(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return (
    phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp
  );
}

function budgetViolated(cause: string): StatusError {
  const err = tooManyRequests(VIOLATION_MESSAGE, 0);
  err.details!.causes = [{ reason: 'DisruptionBudget', message: cause }];
  return err;
}

/** The budgets whose selector takes in this pod (policy/v1: an empty selector takes all). */
async function budgetsFor(pdbs: ResourceStore, pod: KubeObject): Promise<KubeObject[]> {
  const listed = await pdbs.cache.list({
    resourceVersion: '0',
    keyPrefix: `${pdbs.prefix}${pod.metadata.namespace}/`,
  });
  const labels = pod.metadata.labels ?? {};
  return listed.items
    .map((c) => c.obj)
    .filter((p) => {
      const sel = (p.spec as { selector?: LabelSelectorObject } | undefined)?.selector;
      if (!sel) return false;
      try {
        return labelSelectorFromObject(sel).matches(labels);
      } catch {
        return false;
      }
    });
}

function deleteOptionsOf(eviction: Record<string, unknown>): DeleteOptions {
  const d = isRecord(eviction.deleteOptions) ? eviction.deleteOptions : {};
  const opts: DeleteOptions = {};
  if (typeof d.gracePeriodSeconds === 'number') opts.gracePeriodSeconds = Math.max(0, d.gracePeriodSeconds);
  if (typeof d.propagationPolicy === 'string')
    opts.propagationPolicy = d.propagationPolicy as DeleteOptions['propagationPolicy'];
  if (isRecord(d.preconditions)) {
    opts.preconditions = {};
    if (typeof d.preconditions.uid === 'string') opts.preconditions.uid = d.preconditions.uid;
    if (typeof d.preconditions.resourceVersion === 'string')
      opts.preconditions.resourceVersion = d.preconditions.resourceVersion;
  }
  return opts;
}

/** Takes one disruption from the budget, or says why not (upstream's checkAndDecrement). */
async function takeDisruption(
  call: ResourceCall,
  pdbs: ResourceStore,
  pdb: KubeObject,
  podName: string,
): Promise<void> {
  const name = pdb.metadata.name!;
  for (let attempt = 1; ; attempt++) {
    const current = await pdbs.get(pdb.metadata.namespace, name);
    const st = pdbStatus(current);
    if ((st.observedGeneration ?? 0) < (current.metadata.generation ?? 0))
      throw budgetViolated(`The disruption budget ${name} is still being processed by the server.`);
    const allowed = st.disruptionsAllowed ?? 0;
    if (allowed < 0) throw forbidden('pdb disruptions allowed is negative');
    if (Object.keys(st.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS)
      throw forbidden('DisruptedPods map too big - too many evictions not confirmed by PDB controller');
    if (allowed === 0)
      throw budgetViolated(
        `The disruption budget ${name} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently`,
      );
    if (call.ctx.dryRun) return;
    try {
      await pdbs.update(
        current.metadata.namespace,
        name,
        call.ctx,
        (obj) => ({
          ...obj,
          metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion },
          status: {
            ...pdbStatus(obj),
            disruptionsAllowed: allowed - 1,
            disruptedPods: { ...(pdbStatus(obj).disruptedPods ?? {}), [podName]: stamp() },
          },
        }),
        { subresource: 'status' },
      );
      return;
    } catch (err) {
      if (err instanceof StatusError && err.code === 409 && attempt < UPDATE_ATTEMPTS) continue;
      throw err;
    }
  }
}

async function evict(call: ResourceCall, parts: ApiServerParts): Promise<boolean> {
  const { info } = call;
  if (info.verb !== 'create')
    throw new StatusError(
      405,
      'MethodNotAllowed',
      `the server does not allow this method on the requested resource`,
    );
  const body = parseDocument(await readBody(call.req), false);
  if (!isRecord(body)) throw badRequest('Eviction must be an object');
  const meta = isRecord(body.metadata) ? body.metadata : {};
  if (meta.name !== undefined && meta.name !== info.name)
    throw badRequest('name in URL does not match name in Eviction object');
  const pods = call.store;
  const pod = await pods.get(info.namespace, info.name!);
  const opts = deleteOptionsOf(body);
  if (!canIgnorePDB(pod)) {
    const pdbs = parts.lookup('policy', 'poddisruptionbudgets');
    if (!pdbs) throw internalError('the poddisruptionbudgets resource is not served');
    const budgets = await budgetsFor(pdbs, pod);
    if (budgets.length > 1)
      throw new StatusError(
        500,
        'InternalError',
        'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
      );
    if (budgets.length === 1) {
      const pdb = budgets[0];
      const st = pdbStatus(pdb);
      const policy = (pdb.spec as { unhealthyPodEvictionPolicy?: string } | undefined)
        ?.unhealthyPodEvictionPolicy;
      // an unready pod does not count as healthy: evicting it costs the budget nothing
      const unhealthyFree =
        !isPodReady(pod) &&
        (policy === 'AlwaysAllow' ||
          ((st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0) && (st.desiredHealthy ?? 0) > 0));
      if (!unhealthyFree) {
        // the uid we checked is the uid we delete
        opts.preconditions = { ...opts.preconditions, uid: opts.preconditions?.uid ?? pod.metadata.uid };
        await takeDisruption(call, pdbs, pdb, pod.metadata.name!);
      }
    }
  }
  try {
    await pods.delete(info.namespace, info.name!, call.ctx, opts);
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) throw notFound('', 'pods', info.name!);
    throw err;
  }
  const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
  send(call.res, 201, JSON.stringify(status), baseHeaders());
  return false;
}

export function registerEviction(custom: CustomHandlers, parts: ApiServerParts): void {
  custom.register('', 'pods', 'eviction', (call) => evict(call, parts));
}
