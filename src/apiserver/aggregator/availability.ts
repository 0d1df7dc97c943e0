// The APIService availability controller (kube-aggregator's AvailableConditionController): for
// each APIService backed by a Service, checks that the Service and its port exist, that its
// endpoints have addresses, and that the extension server answers its discovery document, and
// records the outcome in the Available condition with upstream's reasons and messages. Level-based:
// every change of an APIService, Service or Endpoints queues the APIServices concerned, and each
// is re-checked every RECHECK_MS, since a server can die without any object changing.
import type { KubeObject } from '../../api/types.js';
import { isRecord } from '../../api/types.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Disposable } from '../../storage/types.js';
import { logger } from '../../util/log.js';
import type { ObjectGetter } from '../admission/webhook/resolve.js';
import type { RequestContext } from '../endpoints/context.js';
import type { ResourceStore } from '../endpoints/store.js';
import {
  availableCondition,
  specOf,
  type APIServiceCondition,
} from '../registry/apiregistration/apiservices.js';
import type { FrontProxyPKI } from './front-proxy.js';
import { getJSON, remoteTarget } from './remote.js';

const log = logger('apiservice-availability');

/** How often a remote APIService is checked again without any change (upstream: 30 s resync). */
export const RECHECK_MS = 5_000;
/** upstream's per-attempt discovery timeout */
const DISCOVERY_TIMEOUT_MS = 6_000;

interface Check {
  status: 'True' | 'False';
  reason: string;
  message: string;
  /** The remote's APIResourceList, when the discovery check passed. */
  discovery?: unknown;
}

export interface AvailabilityDeps {
  apiservices: ResourceStore;
  services: ResourceStore;
  endpoints: ResourceStore;
  get: ObjectGetter;
  pki: FrontProxyPKI;
  ctx: RequestContext;
  /** Called with the remote's discovery document after each passed check (undefined when failing). */
  onDiscovery(name: string, doc: unknown): void;
}

async function check(o: KubeObject, deps: AvailabilityDeps): Promise<Check> {
  const s = specOf(o);
  const svc = s.service!;
  const ns = svc.namespace ?? '';
  const name = svc.name ?? '';
  const port = svc.port ?? 443;
  const service = await deps.get('services', ns, name);
  if (!service)
    return {
      status: 'False',
      reason: 'ServiceNotFound',
      message: `service/${name} in "${ns}" is not present`,
    };
  const spec = (service.spec ?? {}) as { type?: string; ports?: { name?: string; port?: number }[] };
  if ((spec.type ?? 'ClusterIP') === 'ClusterIP') {
    const svcPort = (spec.ports ?? []).find((p) => p.port === port);
    if (!svcPort)
      return {
        status: 'False',
        reason: 'ServicePortError',
        message: `service/${name} in "${ns}" is not listening on port ${port}`,
      };
    const ep = await deps.get('endpoints', ns, name);
    if (!ep)
      return {
        status: 'False',
        reason: 'EndpointsNotFound',
        message: `cannot find endpoints for service/${name} in "${ns}"`,
      };
    const portName = svcPort.name ?? '';
    const subsets = (ep.subsets ?? []) as { addresses?: unknown[]; ports?: { name?: string }[] }[];
    const active = subsets.some(
      (ss) => ss.addresses?.length && (ss.ports ?? []).some((p) => (p.name ?? '') === portName),
    );
    if (!active)
      return {
        status: 'False',
        reason: 'MissingEndpoints',
        message: `endpoints for service/${name} in "${ns}" have no addresses with port name "${portName}"`,
      };
  }
  const path = `/apis/${s.group}/${s.version}`;
  let url = path;
  try {
    const target = await remoteTarget(o, deps.get, deps.pki);
    url = `${target.base}${path}`;
    const r = await getJSON(target, path, DISCOVERY_TIMEOUT_MS);
    if (r.status < 200 || r.status > 299)
      return {
        status: 'False',
        reason: 'FailedDiscoveryCheck',
        message: `failing or missing response from ${url}: bad status from ${url}: ${r.status}`,
      };
    let doc: unknown;
    try {
      doc = JSON.parse(r.body);
    } catch {
      doc = undefined;
    }
    return { status: 'True', reason: 'Passed', message: 'all checks passed', discovery: doc };
  } catch (err) {
    return {
      status: 'False',
      reason: 'FailedDiscoveryCheck',
      message: `failing or missing response from ${url}: ${(err as Error).message}`,
    };
  }
}

const sameCondition = (a: APIServiceCondition | undefined, b: Check) =>
  !!a && a.status === b.status && a.reason === b.reason && a.message === b.message;

export class AvailabilityController {
  private readonly queue = new WorkQueue(100, 30_000);
  private readonly watches: Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly deps: AvailabilityDeps) {}

  private async remoteNames(namespace?: string): Promise<string[]> {
    const { items } = await this.deps.apiservices.cache.list({ resourceVersion: '0' });
    return items
      .map((i) => i.obj)
      .filter(
        (o) => specOf(o).service && (namespace === undefined || specOf(o).service?.namespace === namespace),
      )
      .map((o) => o.metadata.name ?? '');
  }

  private enqueueAll(namespace?: string): void {
    void this.remoteNames(namespace).then((names) => names.forEach((n) => this.queue.add(n)));
  }

  start(): void {
    const d = this.deps;
    const onError = (err: Error) => log.warn('watch ended', { error: err.message });
    this.watches.push(
      d.apiservices.cache.watch(
        d.apiservices.cache.currentRevision(),
        {},
        {
          onEvent: (ev) => this.queue.add(ev.object.obj.metadata.name ?? ''),
          onError,
        },
      ),
    );
    for (const store of [d.services, d.endpoints])
      this.watches.push(
        store.cache.watch(
          store.cache.currentRevision(),
          {},
          {
            onEvent: (ev) => this.enqueueAll(ev.object.obj.metadata.namespace ?? ''),
            onError,
          },
        ),
      );
    this.enqueueAll();
    this.timer = setInterval(() => this.enqueueAll(), RECHECK_MS);
    void this.work();
  }

  private async work(): Promise<void> {
    for (;;) {
      const name = await this.queue.get();
      if (name === undefined || this.stopped) return;
      try {
        await this.sync(name);
        this.queue.forget(name);
      } catch (err) {
        if (!this.stopped) log.warn('apiservice sync failed', { name, error: String(err) });
        this.queue.addRateLimited(name);
      } finally {
        this.queue.done(name);
      }
    }
  }

  private async sync(name: string): Promise<void> {
    const store = this.deps.apiservices;
    const o = store.cache.get(store.key(undefined, name))?.obj;
    if (!o || !specOf(o).service) {
      this.deps.onDiscovery(name, undefined);
      return;
    }
    const result = await check(o, this.deps);
    if (this.stopped) return;
    this.deps.onDiscovery(name, result.status === 'True' ? result.discovery : undefined);
    if (sameCondition(availableCondition(o), result)) return;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await store.update(
      undefined,
      name,
      this.deps.ctx,
      (cur) => {
        const prev = availableCondition(cur);
        const cond: APIServiceCondition = {
          type: 'Available',
          status: result.status,
          lastTransitionTime: prev && prev.status === result.status ? prev.lastTransitionTime : now,
          reason: result.reason,
          message: result.message,
        };
        const status = isRecord(cur.status) ? cur.status : {};
        const others = ((status.conditions ?? []) as APIServiceCondition[]).filter(
          (c) => c.type !== 'Available',
        );
        return { ...cur, status: { ...status, conditions: [cond, ...others] } };
      },
      { subresource: 'status', retry: true },
    );
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const w of this.watches) w.dispose();
    this.queue.shutDown();
  }
}
