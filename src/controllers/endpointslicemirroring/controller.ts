// The EndpointSlice mirroring controller (upstream's endpointslicemirroring.Controller): the
// Endpoints a user writes for a Service without a selector are mirrored into EndpointSlices
// (managed-by endpointslicemirroring-controller.k8s.io, owned by the Endpoints), so that
// slice readers see them too. At most 1000 addresses of a subset are mirrored. Endpoints
// labelled endpointslice.kubernetes.io/skip-mirror=true, and the API server's `kubernetes`
// endpoints, are not mirrored.
import type { KubeObject } from '../../api/types.js';
import type { Informer } from '../../client/informer.js';
import { isStatus, namespaceGoneOrTerminating, runWorkers } from '../../client/reconcile-workers.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { logger } from '../../util/log.js';
import { apiServerOwned, familyOf, LAST_CHANGE_TRIGGER_TIME, serviceSpec } from '../endpoints/podutil.js';
import type { Subset } from '../endpoints/subsets.js';
import {
  MANAGED_BY_LABEL,
  planSlices,
  portsKey,
  SERVICE_NAME_LABEL,
  type DesiredGroup,
  type Slice,
  type SliceEndpoint,
  type SlicePort,
} from '../endpointslice/plan.js';
import { SliceWrites } from '../endpointslice/writes.js';

const log = logger('endpointslicemirroring-controller');
export const MIRRORING_CONTROLLER_NAME = 'endpointslicemirroring-controller.k8s.io';
const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** upstream's --mirroring-max-endpoints-per-subset default */
export const MAX_MIRRORED_PER_SUBSET = 1000;

/** The slices' content for an Endpoints object: per subset, per address type. */
export function mirroredGroups(ep: KubeObject): DesiredGroup[] {
  const groups = new Map<string, DesiredGroup>();
  for (const ss of (ep.subsets ?? []) as Subset[]) {
    const ports: SlicePort[] = (ss.ports ?? []).map((p) => {
      const out: SlicePort = { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' };
      if (p.appProtocol) out.appProtocol = p.appProtocol;
      return out;
    });
    const addresses = [
      ...(ss.addresses ?? []).map((a) => ({ a, ready: true })),
      ...(ss.notReadyAddresses ?? []).map((a) => ({ a, ready: false })),
    ].slice(0, MAX_MIRRORED_PER_SUBSET);
    for (const { a, ready } of addresses) {
      const addressType = familyOf(a.ip);
      if (!addressType) continue;
      const e: SliceEndpoint = { addresses: [a.ip], conditions: { ready } };
      if (a.hostname) e.hostname = a.hostname;
      if (a.nodeName) e.nodeName = a.nodeName;
      if (a.targetRef) e.targetRef = a.targetRef;
      const key = `${addressType}|${portsKey(ports)}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { addressType, ports, endpoints: [] }));
      if (!g.endpoints.some((x) => x.addresses[0] === a.ip)) g.endpoints.push(e);
    }
  }
  return [...groups.values()];
}

export class EndpointSliceMirroringController implements Controller {
  private readonly services: Informer;
  private readonly endpoints: Informer;
  private readonly slices: Informer;
  private readonly queue = new WorkQueue();
  private readonly writes = new SliceWrites<Slice>();

  constructor(private readonly ctx: ControllerContext) {
    this.services = ctx.informers.informer('/api/v1/services');
    this.endpoints = ctx.informers.informer('/api/v1/endpoints');
    this.slices = ctx.informers.informer('/apis/discovery.k8s.io/v1/endpointslices');
    this.slices.addIndex('mirrored', (s) =>
      s.metadata.labels?.[MANAGED_BY_LABEL] === MIRRORING_CONTROLLER_NAME &&
      s.metadata.labels?.[SERVICE_NAME_LABEL]
        ? [`${s.metadata.namespace}/${s.metadata.labels[SERVICE_NAME_LABEL]}`]
        : [],
    );
    const enqueue = (o: KubeObject) => this.queue.add(`${o.metadata.namespace}/${o.metadata.name}`);
    this.services.addHandlers({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
    this.endpoints.addHandlers({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
    const sliceChanged = (s: KubeObject) => {
      this.writes.observed(s);
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc && s.metadata.labels?.[MANAGED_BY_LABEL] === MIRRORING_CONTROLLER_NAME)
        this.queue.add(`${s.metadata.namespace}/${svc}`);
    };
    this.slices.addHandlers({
      onAdd: sliceChanged,
      onUpdate: (_o, n) => sliceChanged(n),
      onDelete: (s) => {
        this.writes.observedDelete(s);
        sliceChanged(s);
      },
    });
  }

  start(): void {
    runWorkers(this.queue, 5, (key) => this.reconcile(key), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  async reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const existing = this.writes.overlay(key, this.slices.byIndex('mirrored', key) as Slice[]);
    const svc = this.services.get(key);
    const ep = this.endpoints.get(key);
    const selector = svc ? serviceSpec(svc).selector : undefined;
    const mirror =
      !!svc &&
      !!ep &&
      !apiServerOwned(namespace, name) &&
      !(selector && Object.keys(selector).length) &&
      ep.metadata.labels?.[SKIP_MIRROR_LABEL] !== 'true';
    const groups = mirror ? mirroredGroups(ep) : [];
    const labels: Record<string, string> = { ...(ep?.metadata.labels ?? {}) };
    labels[SERVICE_NAME_LABEL] = name;
    labels[MANAGED_BY_LABEL] = MIRRORING_CONTROLLER_NAME;
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(ep?.metadata.annotations ?? {}))
      if (k !== LAST_CHANGE_TRIGGER_TIME && k !== LAST_APPLIED) annotations[k] = v;
    const plan = planSlices(groups, existing, {
      namespace,
      generateName: `${name}-`,
      labels,
      annotations: Object.keys(annotations).length ? annotations : undefined,
      ownerReferences: ep
        ? [
            {
              apiVersion: 'v1',
              kind: 'Endpoints',
              name,
              uid: ep.metadata.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ]
        : [],
    });
    const path = `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`;
    try {
      for (const s of plan.create)
        this.writes.wrote(key, await this.ctx.client.request<Slice>('POST', path, s));
      for (const s of plan.update)
        this.writes.wrote(key, await this.ctx.client.request<Slice>('PUT', `${path}/${s.metadata.name}`, s));
      for (const s of plan.delete) {
        try {
          await this.ctx.client.request('DELETE', `${path}/${s.metadata.name}`);
        } catch (err) {
          if (!isStatus(err, 404)) throw err;
        }
        this.writes.deleted(key, s);
      }
    } catch (err) {
      if (namespaceGoneOrTerminating(err)) return;
      throw err;
    }
  }
}
