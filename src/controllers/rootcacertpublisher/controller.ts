// The root-ca-cert-publisher (upstream's rootcacertpublisher.Publisher): every active namespace
// has a ConfigMap `kube-root-ca.crt` whose ca.crt is the cluster CA, so that pods can verify
// the API server. Changing or deleting it brings it back.
import type { KubeObject } from '../../api/types.js';
import { namespaceGoneOrTerminating, isStatus, runWorkers } from '../../client/reconcile-workers.js';
import type { Informer } from '../../client/informer.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { logger } from '../../util/log.js';

const log = logger('root-ca-cert-publisher');
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
/** Upstream's text, word for word (users and tools read it). */
export const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. ' +
  'No other usage is guaranteed across distributions of Kubernetes clusters.';

function active(ns: KubeObject): boolean {
  const phase = (ns.status as { phase?: string } | undefined)?.phase;
  return !ns.metadata.deletionTimestamp && (phase === undefined || phase === 'Active');
}

function sameData(a: unknown, b: Record<string, string>): boolean {
  if (!a || typeof a !== 'object') return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => (a as Record<string, unknown>)[k] === b[k]);
}

export class RootCACertPublisher implements Controller {
  private readonly namespaces: Informer;
  private readonly configmaps: Informer;
  private readonly queue = new WorkQueue();

  /** `rootCA` is the PEM bundle to publish (the controller manager's --root-ca-file or its kubeconfig's CA). */
  constructor(
    private readonly ctx: ControllerContext,
    private readonly rootCA: string,
  ) {
    this.namespaces = ctx.informers.informer('/api/v1/namespaces');
    this.configmaps = ctx.informers.informer('/api/v1/configmaps');
    const enqueueNs = (ns: KubeObject) => {
      if (active(ns)) this.queue.add(ns.metadata.name!);
    };
    const enqueueCm = (cm: KubeObject) => {
      if (cm.metadata.name === ROOT_CA_CONFIGMAP) this.queue.add(cm.metadata.namespace!);
    };
    this.namespaces.addHandlers({ onAdd: enqueueNs, onUpdate: (_o, n) => enqueueNs(n) });
    this.configmaps.addHandlers({ onUpdate: (_o, n) => enqueueCm(n), onDelete: enqueueCm });
  }

  start(): void {
    runWorkers(this.queue, 2, (ns) => this.reconcile(ns), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  async reconcile(namespace: string): Promise<void> {
    const ns = this.namespaces.get(namespace);
    if (!ns || !active(ns)) return;
    const data = { 'ca.crt': this.rootCA };
    const path = `/api/v1/namespaces/${namespace}/configmaps`;
    const cm = this.configmaps.get(`${namespace}/${ROOT_CA_CONFIGMAP}`);
    if (!cm) {
      try {
        await this.ctx.client.request('POST', path, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: ROOT_CA_CONFIGMAP,
            namespace,
            annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION },
          },
          data,
        });
      } catch (err) {
        // already there (our cache is behind) or the namespace is going: nothing to do
        if (isStatus(err, 409) || namespaceGoneOrTerminating(err)) return;
        throw err;
      }
      return;
    }
    const annotations = cm.metadata.annotations ?? {};
    if (sameData(cm.data, data) && annotations[DESCRIPTION_ANNOTATION]) return;
    await this.ctx.client.request('PUT', `${path}/${ROOT_CA_CONFIGMAP}`, {
      ...cm,
      metadata: { ...cm.metadata, annotations: { ...annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
      data,
    });
  }
}
