// The built-in service load balancer (k3s's ServiceLB, MetalLB's layer-2 idea): a Service of
// type LoadBalancer gets status.loadBalancer.ingress — addresses from --service-lb-pool when
// one is set, else the InternalIPs of the Ready nodes — so `kubectl get svc` shows an
// EXTERNAL-IP instead of <pending>. kube-proxy then serves those addresses (its
// "loadbalancer IP" rules). Services with a spec.loadBalancerClass belong to someone else.
import type { KubeObject } from '../../api/types.js';
import { StatusError } from '../../api/errors.js';
import type { Informer } from '../../client/informer.js';
import type { EventRecorder } from '../../client/events.js';
import type { RestClient } from '../../client/rest.js';
import { WorkQueue } from '../../client/workqueue.js';
import { runWorkers } from '../../client/reconcile-workers.js';
import { logger } from '../../util/log.js';
import { AddressPool } from './pool.js';

const log = logger('service-lb-controller');

interface ServiceSpec {
  type?: string;
  loadBalancerClass?: string;
  loadBalancerIP?: string;
  ipFamilies?: string[];
}
type Ingress = { ip: string; ipMode: 'VIP' }[];

const specOf = (s: KubeObject) => (s.spec ?? {}) as ServiceSpec;
const ingressOf = (s: KubeObject) =>
  (
    (s.status as { loadBalancer?: { ingress?: { ip?: string }[] } } | undefined)?.loadBalancer?.ingress ?? []
  ).map((i) => i.ip ?? '');
const ours = (s: KubeObject) => specOf(s).type === 'LoadBalancer' && !specOf(s).loadBalancerClass;

export class ServiceLBController {
  private readonly queue = new WorkQueue();

  constructor(
    private readonly client: RestClient,
    private readonly services: Informer,
    private readonly nodes: Informer,
    private readonly recorder: EventRecorder,
    private readonly pool: AddressPool | undefined,
  ) {
    const enqueue = (o: KubeObject) => this.queue.add(`${o.metadata.namespace}/${o.metadata.name}`);
    services.addHandlers({
      onAdd: enqueue,
      onUpdate: (_o, n) => enqueue(n),
      onDelete: () => this.requeueAll(),
    });
    // node addresses are the answer when there is no pool
    const nodesChanged = () => {
      if (!this.pool) this.requeueAll();
    };
    nodes.addHandlers({ onAdd: nodesChanged, onUpdate: nodesChanged, onDelete: nodesChanged });
  }

  private requeueAll(): void {
    for (const s of this.services.list())
      if (ours(s)) this.queue.add(`${s.metadata.namespace}/${s.metadata.name}`);
  }

  start(): void {
    runWorkers(this.queue, 1, (key) => this.reconcile(key), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  /** The addresses this service should have. */
  private desired(svc: KubeObject): string[] {
    if (this.pool) {
      const taken = new Set<string>();
      for (const other of this.services.list()) {
        if (other === svc || !ours(other)) continue;
        for (const ip of ingressOf(other)) taken.add(ip);
      }
      const current = ingressOf(svc).find((ip) => this.pool!.contains(ip) && !taken.has(ip));
      if (current) return [current];
      const requested = specOf(svc).loadBalancerIP;
      if (requested && this.pool.contains(requested) && !taken.has(requested)) return [requested];
      const free = this.pool.firstFree(taken);
      return free ? [free] : [];
    }
    const ips: string[] = [];
    for (const n of this.nodes.list()) {
      const st = n.status as
        | { addresses?: { type: string; address: string }[]; conditions?: { type: string; status: string }[] }
        | undefined;
      if (!st?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
      if ((n.spec as { unschedulable?: boolean } | undefined)?.unschedulable) continue;
      const ip = st.addresses?.find((a) => a.type === 'InternalIP')?.address;
      if (ip) ips.push(ip);
    }
    return ips.sort();
  }

  async reconcile(key: string): Promise<void> {
    const svc = this.services.get(key);
    if (!svc) return;
    const had = ingressOf(svc);
    const want = ours(svc) ? this.desired(svc) : [];
    // a service that stopped being ours keeps no address of ours; others we leave alone
    if (!ours(svc) && (specOf(svc).loadBalancerClass || had.length === 0)) return;
    if (ours(svc) && want.length === 0 && this.pool) {
      // the recorder folds repeats of this into one event with a count
      this.recorder.event(
        svc,
        'Warning',
        'AllocationFailed',
        `Failed to allocate IP for "${key}": no available IPs`,
      );
      return;
    }
    if (want.join(',') === had.join(',')) return;
    if (want.length > 0) this.recorder.event(svc, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
    const ingress: Ingress = want.map((ip) => ({ ip, ipMode: 'VIP' }));
    const [ns, name] = key.split('/');
    try {
      await this.client.request(
        'PATCH',
        `/api/v1/namespaces/${ns}/services/${name}/status`,
        { status: { loadBalancer: ingress.length ? { ingress } : {} } },
        'application/merge-patch+json',
      );
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return;
      throw err;
    }
    if (want.length > 0) this.recorder.event(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
  }
}
