// The EndpointSlice controller (upstream's endpointslice.Controller): for every Service with a
// selector, EndpointSlices named `<service>-<5 chars>` holding the selected pods, one address
// type per IP family of the service, at most 100 endpoints each, with ready/serving/terminating
// conditions (terminating pods stay listed, not ready), hostname, nodeName, zone and targetRef.
// Slices carry kubernetes.io/service-name and endpointslice.kubernetes.io/managed-by and are
// owned by the Service (the garbage collector removes them with it).
import type { KubeObject } from '../../api/types.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { isStatus, namespaceGoneOrTerminating, runWorkers } from '../../client/reconcile-workers.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { logger } from '../../util/log.js';
import {
  findPort,
  HEADLESS_LABEL,
  isHeadless,
  isPodReady,
  LAST_CHANGE_TRIGGER_TIME,
  podIPOfFamily,
  podSpec,
  selects,
  selectsPods,
  serviceFamilies,
  serviceSpec,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  TriggerTimeTracker,
} from '../endpoints/podutil.js';
import {
  MANAGED_BY_LABEL,
  planSlices,
  portsKey,
  SERVICE_NAME_LABEL,
  type DesiredGroup,
  type Slice,
  type SliceEndpoint,
  type SliceMeta,
  type SlicePort,
} from './plan.js';
import { SliceWrites } from './writes.js';

const log = logger('endpointslice-controller');
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
const ZONE_LABEL = 'topology.kubernetes.io/zone';
const SLICES = '/apis/discovery.k8s.io/v1/endpointslices';

/** The endpoints a service should have, grouped by address type and port set. */
export function desiredGroups(
  svc: KubeObject,
  pods: KubeObject[],
  zoneOf: (node: string) => string | undefined,
): DesiredGroup[] {
  const sp = serviceSpec(svc);
  const groups = new Map<string, DesiredGroup>();
  for (const addressType of serviceFamilies(svc)) {
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const ip = podIPOfFamily(pod, addressType);
      if (!ip) continue;
      const ports: SlicePort[] = [];
      for (const p of sp.ports ?? []) {
        const port = findPort(pod, p);
        if (port === undefined) continue;
        const ep: SlicePort = { name: p.name ?? '', port, protocol: p.protocol ?? 'TCP' };
        if (p.appProtocol) ep.appProtocol = p.appProtocol;
        ports.push(ep);
      }
      const serving = isPodReady(pod);
      const terminating = !!pod.metadata.deletionTimestamp;
      // never ready while terminating, unless publishNotReadyAddresses says every pod is
      const ready = !!sp.publishNotReadyAddresses || (serving && !terminating);
      const ep: SliceEndpoint = {
        addresses: [ip],
        conditions: { ready, serving, terminating },
        targetRef: {
          kind: 'Pod',
          namespace: pod.metadata.namespace!,
          name: pod.metadata.name!,
          uid: pod.metadata.uid!,
        },
      };
      const node = podSpec(pod).nodeName;
      if (node) {
        ep.nodeName = node;
        const zone = zoneOf(node);
        if (zone) ep.zone = zone;
      }
      if (shouldSetHostname(pod, svc)) ep.hostname = podSpec(pod).hostname;
      const key = `${addressType}|${portsKey(ports)}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { addressType, ports, endpoints: [] }));
      g.endpoints.push(ep);
    }
  }
  return [...groups.values()];
}

/** upstream's slice labels: the service's, then the two of ours (and headless) on top. */
export function sliceLabels(svc: KubeObject): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) {
    if (k === SERVICE_NAME_LABEL || k === MANAGED_BY_LABEL || k === HEADLESS_LABEL) continue;
    labels[k] = v;
  }
  labels[SERVICE_NAME_LABEL] = svc.metadata.name!;
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  return labels;
}

export function serviceOwnerRef(svc: KubeObject): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    name: svc.metadata.name,
    uid: svc.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export class EndpointSliceController implements Controller {
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly slices: Informer;
  private readonly queue = new WorkQueue();
  private readonly triggers = new TriggerTimeTracker();
  private readonly writes = new SliceWrites<Slice>();
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.services = ctx.informers.informer('/api/v1/services');
    this.pods = ctx.informers.informer('/api/v1/pods');
    this.nodes = ctx.informers.informer('/api/v1/nodes');
    this.slices = ctx.informers.informer(SLICES);
    this.slices.addIndex('service', (s) =>
      s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME && s.metadata.labels?.[SERVICE_NAME_LABEL]
        ? [`${s.metadata.namespace}/${s.metadata.labels[SERVICE_NAME_LABEL]}`]
        : [],
    );
    this.recorder = ctx.recorder('endpoint-slice-controller');
    const enqueue = (o: KubeObject) => this.queue.add(`${o.metadata.namespace}/${o.metadata.name}`);
    this.services.addHandlers({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
    const podChanged = (pod: KubeObject, old?: KubeObject) => {
      for (const svc of this.services.listNamespace(pod.metadata.namespace!)) {
        const sel = serviceSpec(svc).selector;
        if (!sel || !Object.keys(sel).length) continue;
        if (selects(sel, pod) || (old && selects(sel, old))) enqueue(svc);
      }
    };
    this.pods.addHandlers({
      onAdd: (p) => podChanged(p),
      onUpdate: (o, n) => podChanged(n, o),
      onDelete: (p) => podChanged(p),
    });
    const sliceChanged = (s: KubeObject) => {
      this.writes.observed(s);
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc && s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME)
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
    // a node's zone label changed: the services with endpoints on it
    this.nodes.addHandlers({
      onUpdate: (o, n) => {
        if (o.metadata.labels?.[ZONE_LABEL] === n.metadata.labels?.[ZONE_LABEL]) return;
        for (const pod of this.pods.list()) if (podSpec(pod).nodeName === n.metadata.name) podChanged(pod);
      },
    });
  }

  start(): void {
    runWorkers(this.queue, 5, (key) => this.reconcile(key), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  private existing(key: string): Slice[] {
    return this.writes.overlay(key, this.slices.byIndex('service', key) as Slice[]);
  }

  async reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const svc = this.services.get(key);
    if (!svc || !selectsPods(svc) || svc.metadata.deletionTimestamp) {
      // the garbage collector deletes a deleted service's slices; a service that lost its
      // selector keeps none of ours
      this.triggers.forget(key);
      if (svc && !svc.metadata.deletionTimestamp)
        for (const s of this.existing(key)) await this.remove(key, s);
      return;
    }
    const selector = serviceSpec(svc).selector!;
    const pods = this.pods.listNamespace(namespace).filter((p) => selects(selector, p));
    const desired = desiredGroups(svc, pods, (node) => this.nodes.get(node)?.metadata.labels?.[ZONE_LABEL]);
    const trigger = this.triggers.compute(key, svc, pods);
    const existing = this.existing(key);
    const meta: SliceMeta = {
      namespace,
      generateName: `${name}-`,
      labels: sliceLabels(svc),
      ownerReferences: [serviceOwnerRef(svc)],
      placeholderType: serviceFamilies(svc)[0],
    };
    // the trigger time is only news when something changed; keep what the slices say otherwise
    const prior = existing.find((s) => s.metadata.annotations?.[LAST_CHANGE_TRIGGER_TIME])?.metadata
      .annotations;
    const when = trigger ?? prior?.[LAST_CHANGE_TRIGGER_TIME];
    if (when) meta.annotations = { [LAST_CHANGE_TRIGGER_TIME]: when };
    const plan = planSlices(desired, existing, meta);
    const path = `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`;
    try {
      for (const s of plan.create)
        this.writes.wrote(key, await this.ctx.client.request<Slice>('POST', path, s));
      for (const s of plan.update)
        this.writes.wrote(key, await this.ctx.client.request<Slice>('PUT', `${path}/${s.metadata.name}`, s));
      for (const s of plan.delete) await this.remove(key, s);
    } catch (err) {
      if (namespaceGoneOrTerminating(err)) return;
      if (!isStatus(err, 409))
        this.recorder.event(
          svc,
          'Warning',
          'FailedToUpdateEndpointSlices',
          `Error updating Endpoint Slices for Service ${namespace}/${name}: ${String(err)}`,
        );
      throw err;
    }
  }

  private async remove(key: string, s: Slice): Promise<void> {
    try {
      await this.ctx.client.request(
        'DELETE',
        `/apis/discovery.k8s.io/v1/namespaces/${s.metadata.namespace}/endpointslices/${s.metadata.name}`,
      );
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
    this.writes.deleted(key, s);
  }
}
