// The taint-eviction controller (upstream's tainteviction.Controller, formerly the taint
// manager): pods on a node with NoExecute taints they do not tolerate are deleted; pods that
// tolerate them for tolerationSeconds are deleted that long after the taint was added (the
// DefaultTolerationSeconds admission plugin gives every pod 300 s for not-ready and
// unreachable). Tolerating for ever, or the taint going away, keeps the pod.
import type { KubeObject } from '../../api/types.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import { isStatus, runWorkers } from '../../client/reconcile-workers.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { logger } from '../../util/log.js';
import { evictionTime, type Taint, type Toleration } from './taints.js';

const log = logger('taint-eviction-controller');

export class TaintEvictionController implements Controller {
  private readonly nodes: Informer;
  private readonly pods: Informer;
  private readonly queue = new WorkQueue();
  private readonly recorder: EventRecorder;
  /** pods we told the world we will delete (for the cancel event) */
  private readonly marked = new Set<string>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly clock: () => number = Date.now,
  ) {
    this.nodes = ctx.informers.informer('/api/v1/nodes');
    this.pods = ctx.informers.informer('/api/v1/pods');
    this.pods.addIndex('nodeName', (p) => {
      const n = (p.spec as { nodeName?: string } | undefined)?.nodeName;
      return n ? [n] : [];
    });
    this.recorder = ctx.recorder('taint-eviction-controller');
    const podKey = (p: KubeObject) => `${p.metadata.namespace}/${p.metadata.name}`;
    this.pods.addHandlers({
      onAdd: (p) => this.queue.add(podKey(p)),
      onUpdate: (_o, p) => this.queue.add(podKey(p)),
      onDelete: (p) => this.marked.delete(podKey(p)),
    });
    const nodeChanged = (n: KubeObject) => {
      for (const p of this.pods.byIndex('nodeName', n.metadata.name!)) this.queue.add(podKey(p));
    };
    this.nodes.addHandlers({
      onAdd: nodeChanged,
      onUpdate: (o, n) => {
        if (
          JSON.stringify((o.spec as { taints?: unknown })?.taints) !==
          JSON.stringify((n.spec as { taints?: unknown })?.taints)
        )
          nodeChanged(n);
      },
    });
  }

  start(): void {
    runWorkers(this.queue, 4, (key) => this.reconcile(key), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  async reconcile(key: string): Promise<number | undefined> {
    const pod = this.pods.get(key);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    const node = nodeName ? this.nodes.get(nodeName) : undefined;
    const taints = ((node?.spec as { taints?: Taint[] } | undefined)?.taints ?? []).filter(
      (t) => t.effect === 'NoExecute',
    );
    const tolerations = (pod.spec as { tolerations?: Toleration[] } | undefined)?.tolerations ?? [];
    const now = this.clock();
    const when = evictionTime(tolerations, taints, now);
    if (when === 'never') {
      if (this.marked.delete(key))
        this.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
      return;
    }
    if (!this.marked.has(key)) {
      this.marked.add(key);
      this.recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    }
    if (when !== 'now' && when > now) return when - now;
    try {
      await this.ctx.client.request(
        'DELETE',
        `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`,
        {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          preconditions: { uid: pod.metadata.uid },
        },
      );
      log.info('evicted pod from tainted node', { pod: key, node: nodeName });
    } catch (err) {
      if (!isStatus(err, 404) && !isStatus(err, 409)) throw err;
    }
    return;
  }
}
