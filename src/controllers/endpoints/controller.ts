// The endpoints controller (upstream's endpoint.Controller): for every Service with a selector,
// an Endpoints object of the same name listing the selected pods: ready pods in `addresses`,
// the others in `notReadyAddresses` (all in `addresses` with publishNotReadyAddresses), one
// subset per distinct port set, named target ports resolved per pod. Endpoints of deleted
// services are deleted. Selector-less services (and `kubernetes`) are left to their owners.
import type { KubeObject } from '../../api/types.js';
import type { Informer } from '../../client/informer.js';
import { isStatus, namespaceGoneOrTerminating, runWorkers } from '../../client/reconcile-workers.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { EventRecorder } from '../../client/events.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { logger } from '../../util/log.js';
import {
  apiServerOwned,
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
} from './podutil.js';
import { repackSubsets, sameSubsets, truncate, type Address, type Port, type Subset } from './subsets.js';

const log = logger('endpoints-controller');
/** upstream's maxCapacity: more addresses than this are truncated and the object annotated */
export const MAX_ENDPOINTS = 1000;
const OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';
/** Endpoints kept by leader election (old style) are not leftovers */
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

/** The subsets a service should have now (upstream's syncService, computed). */
export function desiredSubsets(svc: KubeObject, pods: KubeObject[]): Subset[] {
  const sp = serviceSpec(svc);
  const tolerateUnready = !!sp.publishNotReadyAddresses;
  const family = serviceFamilies(svc)[0];
  const pieces: Subset[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const ip = podIPOfFamily(pod, family);
    if (!ip) continue;
    const addr: Address = {
      ip,
      targetRef: {
        kind: 'Pod',
        namespace: pod.metadata.namespace!,
        name: pod.metadata.name!,
        uid: pod.metadata.uid!,
      },
    };
    const node = podSpec(pod).nodeName;
    if (node) addr.nodeName = node;
    if (shouldSetHostname(pod, svc)) addr.hostname = podSpec(pod).hostname;
    const ready = tolerateUnready || isPodReady(pod);
    const place = (ports: Port[]) =>
      pieces.push(ready ? { addresses: [addr], ports } : { notReadyAddresses: [addr], ports });
    const ports = sp.ports ?? [];
    if (!ports.length) {
      if (isHeadless(svc)) place([]);
      continue;
    }
    for (const p of ports) {
      const port = findPort(pod, p);
      if (port === undefined) continue;
      const ep: Port = { port, protocol: p.protocol ?? 'TCP' };
      if (p.name) ep.name = p.name;
      if (p.appProtocol) ep.appProtocol = p.appProtocol;
      place([ep]);
    }
  }
  return repackSubsets(pieces);
}

export class EndpointsController implements Controller {
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly endpoints: Informer;
  private readonly queue = new WorkQueue();
  private readonly triggers = new TriggerTimeTracker();
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.services = ctx.informers.informer('/api/v1/services');
    this.pods = ctx.informers.informer('/api/v1/pods');
    this.endpoints = ctx.informers.informer('/api/v1/endpoints');
    this.recorder = ctx.recorder('endpoint-controller');
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
    // someone else changed or deleted our Endpoints: put them right
    this.endpoints.addHandlers({ onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
  }

  start(): void {
    // leftovers: Endpoints whose service is gone while we were not running
    for (const ep of this.endpoints.list()) {
      const key = `${ep.metadata.namespace}/${ep.metadata.name}`;
      if (!this.services.get(key) && !ep.metadata.annotations?.[LEADER_ANNOTATION]) this.queue.add(key);
    }
    runWorkers(this.queue, 5, (key) => this.reconcile(key), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  async reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    if (apiServerOwned(namespace, name)) return;
    const path = `/api/v1/namespaces/${namespace}/endpoints`;
    const svc = this.services.get(key);
    if (!svc) {
      this.triggers.forget(key);
      const ep = this.endpoints.get(key);
      if (!ep || ep.metadata.annotations?.[LEADER_ANNOTATION]) return;
      try {
        await this.ctx.client.request('DELETE', `${path}/${name}`);
      } catch (err) {
        if (!isStatus(err, 404)) throw err;
      }
      return;
    }
    if (!selectsPods(svc) || svc.metadata.deletionTimestamp) return;
    const selector = serviceSpec(svc).selector!;
    const pods = this.pods.listNamespace(namespace).filter((p) => selects(selector, p));
    const { subsets, truncated } = truncate(desiredSubsets(svc, pods), MAX_ENDPOINTS);
    const trigger = this.triggers.compute(key, svc, pods);

    const current = this.endpoints.get(key);
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
    if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
    if (current) {
      const currentLabels = { ...(current.metadata.labels ?? {}) };
      const annotations = current.metadata.annotations ?? {};
      const capacityRight = truncated
        ? annotations[OVER_CAPACITY] === 'truncated'
        : !(OVER_CAPACITY in annotations);
      if (
        sameSubsets(current.subsets as Subset[] | undefined, subsets) &&
        sameJSONMap(currentLabels, labels) &&
        capacityRight
      )
        return;
    }
    const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}) };
    if (trigger) annotations[LAST_CHANGE_TRIGGER_TIME] = trigger;
    else delete annotations[LAST_CHANGE_TRIGGER_TIME];
    if (truncated) annotations[OVER_CAPACITY] = 'truncated';
    else delete annotations[OVER_CAPACITY];
    const body: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        ...(current?.metadata ?? {}),
        name,
        namespace,
        labels,
        annotations: Object.keys(annotations).length ? annotations : undefined,
      },
      subsets: subsets.length ? subsets : undefined,
    };
    try {
      if (current) await this.ctx.client.request('PUT', `${path}/${name}`, body);
      else await this.ctx.client.request('POST', path, body);
    } catch (err) {
      if (!current && namespaceGoneOrTerminating(err)) return;
      if (!isStatus(err, 409)) {
        const verb = current ? 'FailedToUpdateEndpoint' : 'FailedToCreateEndpoint';
        const what = current ? 'update' : 'create';
        this.recorder.event(
          svc,
          'Warning',
          verb,
          `Failed to ${what} endpoint ${namespace}/${name}: ${String(err)}`,
        );
      }
      throw err;
    }
  }
}

function sameJSONMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
