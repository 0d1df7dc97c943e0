// The csrapproving controller (upstream's pkg/controller/certificates/approver): approves a
// kubelet's client CSR (signer kubernetes.io/kube-apiserver-client-kubelet, O=system:nodes,
// CN=system:node:<name>) with reason AutoApproved.
//
// Upstream asks a SubjectAccessReview whether the requestor may `create`
// certificatesigningrequests/nodeclient (new nodes, bootstrap tokens) or /selfnodeclient (a
// node renewing its own certificate). Until that API and the bootstrap bindings exist here, the
// rule those bindings give by default is applied directly: nodeclient for members of
// system:bootstrappers, selfnodeclient for members of system:nodes whose username is the CN.
import { StatusError } from '../../api/errors.js';
import type { Informer } from '../../client/informer.js';
import type { RestClient } from '../../client/rest.js';
import { WorkQueue } from '../../client/workqueue.js';
import { runWorkers } from '../../client/reconcile-workers.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { parseCSR, type ParsedCSR } from '../../pki/csr.js';
import { logger } from '../../util/log.js';
import { CSR_PATH, hasTrueCondition, requestPem, withCondition, type CSRObject } from './conditions.js';
import { KUBE_APISERVER_CLIENT_KUBELET, validateKubeletClient } from './validators.js';

const log = logger('csrapproving-controller');

interface Recognizer {
  name: 'selfnodeclient' | 'nodeclient';
  recognize(csr: CSRObject, parsed: ParsedCSR): boolean;
  /** Stands in for the SubjectAccessReview upstream makes. */
  permitted(csr: CSRObject): boolean;
  message: string;
}

const isNodeClient = (csr: CSRObject, parsed: ParsedCSR) =>
  csr.spec.signerName === KUBE_APISERVER_CLIENT_KUBELET &&
  !validateKubeletClient(parsed, csr.spec.usages ?? []);
const inGroup = (csr: CSRObject, g: string) => (csr.spec.groups ?? []).includes(g);

const RECOGNIZERS: Recognizer[] = [
  {
    name: 'selfnodeclient',
    recognize: (csr, parsed) => csr.spec.username === parsed.commonName && isNodeClient(csr, parsed),
    permitted: (csr) => inGroup(csr, 'system:nodes'),
    message: 'Auto approving self kubelet client certificate after SubjectAccessReview.',
  },
  {
    name: 'nodeclient',
    recognize: isNodeClient,
    permitted: (csr) => inGroup(csr, 'system:bootstrappers'),
    message: 'Auto approving kubelet client certificate after SubjectAccessReview.',
  },
];

export class CSRApprovingController implements Controller {
  private readonly queue = new WorkQueue();

  constructor(
    private readonly client: RestClient,
    private readonly informer: Informer,
  ) {
    const enqueue = (o: CSRObject) => this.queue.add(o.metadata.name!);
    informer.addHandlers({
      onAdd: (o) => enqueue(o as CSRObject),
      onUpdate: (_o, n) => enqueue(n as CSRObject),
    });
  }

  static create(ctx: ControllerContext): Controller {
    return new CSRApprovingController(ctx.client, ctx.informers.informer(CSR_PATH));
  }

  start(): void {
    runWorkers(this.queue, 1, (key) => this.reconcile(key), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  async reconcile(name: string): Promise<void> {
    const csr = this.informer.get(name) as CSRObject | undefined;
    if (!csr || csr.status?.certificate) return;
    if (hasTrueCondition(csr, 'Approved') || hasTrueCondition(csr, 'Denied')) return;
    if (csr.spec.signerName !== KUBE_APISERVER_CLIENT_KUBELET) return;
    let parsed: ParsedCSR;
    try {
      parsed = parseCSR(requestPem(csr));
    } catch (err) {
      return log.warn('unable to parse csr', { csr: name, error: (err as Error).message });
    }
    for (const r of RECOGNIZERS) {
      if (!r.recognize(csr, parsed) || !r.permitted(csr)) continue;
      const approved = withCondition(csr, {
        type: 'Approved',
        status: 'True',
        reason: 'AutoApproved',
        message: r.message,
      });
      try {
        await this.client.request('PUT', `${CSR_PATH}/${name}/approval`, approved);
      } catch (err) {
        if (err instanceof StatusError && (err.code === 409 || err.code === 404)) return;
        throw err;
      }
      log.info('approved kubelet client certificate request', { csr: name, as: r.name });
      return;
    }
  }
}
