// The csrsigning controller (upstream's pkg/controller/certificates/signer): signs approved
// CSRs of the built-in signers (kube-apiserver-client, kube-apiserver-client-kubelet,
// kubelet-serving) with the cluster CA from --cluster-signing-cert-file/--cluster-signing-key-file,
// for min(spec.expirationSeconds, --cluster-signing-duration). A request its signer refuses gets
// a Failed condition (reason SignerValidationFailure). Level-based: each pass reads the cache.
import { readFileSync } from 'node:fs';
import { StatusError } from '../../api/errors.js';
import type { Informer } from '../../client/informer.js';
import type { RestClient } from '../../client/rest.js';
import { WorkQueue } from '../../client/workqueue.js';
import { runWorkers } from '../../client/reconcile-workers.js';
import type { Controller, ControllerContext } from '../../controller-manager/context.js';
import { loadIssuer, type Issuer } from '../../pki/certs.js';
import { parseCSR, signCSR } from '../../pki/csr.js';
import { logger } from '../../util/log.js';
import {
  CSR_PATH,
  hasTrueCondition,
  isApproved,
  requestPem,
  withCondition,
  type CSRObject,
} from './conditions.js';
import { BUILT_IN_SIGNERS, signerRefusal } from './validators.js';

const log = logger('csrsigning-controller');
/** upstream's --cluster-signing-duration default: one year */
export const DEFAULT_SIGNING_DURATION_MS = 8760 * 3600 * 1000;

export interface SigningFiles {
  certFile: string;
  keyFile: string;
  durationMs?: number;
}

export class CSRSigningController implements Controller {
  private readonly queue = new WorkQueue();
  private readonly informer: Informer;

  constructor(
    private readonly client: RestClient,
    informer: Informer,
    private readonly ca: Promise<Issuer>,
    private readonly durationMs: number,
  ) {
    this.informer = informer;
    const enqueue = (o: CSRObject) => this.queue.add(o.metadata.name!);
    informer.addHandlers({
      onAdd: (o) => enqueue(o as CSRObject),
      onUpdate: (_o, n) => enqueue(n as CSRObject),
    });
  }

  static create(ctx: ControllerContext): Controller {
    const files = ctx.clusterSigning;
    if (!files) {
      log.info('not signing certificates: no --cluster-signing-cert-file/--cluster-signing-key-file');
      return { start: () => undefined, stop: () => undefined };
    }
    const ca = loadIssuer({
      certPem: readFileSync(files.certFile, 'utf8'),
      keyPem: readFileSync(files.keyFile, 'utf8'),
    });
    ca.catch(() => undefined); // reported by start()
    return new CSRSigningController(
      ctx.client,
      ctx.informers.informer(CSR_PATH),
      ca,
      files.durationMs ?? DEFAULT_SIGNING_DURATION_MS,
    );
  }

  async start(): Promise<void> {
    await this.ca;
    runWorkers(this.queue, 2, (key) => this.reconcile(key), log);
  }

  stop(): void {
    this.queue.shutDown();
  }

  async reconcile(name: string): Promise<void> {
    const csr = this.informer.get(name) as CSRObject | undefined;
    if (!csr || !isApproved(csr) || hasTrueCondition(csr, 'Failed')) return;
    if (!BUILT_IN_SIGNERS.includes(csr.spec.signerName)) return;
    if (csr.status?.certificate) return;
    const parsed = parseCSR(requestPem(csr));
    const usages = csr.spec.usages ?? [];
    const refusal = signerRefusal(csr.spec.signerName, parsed, usages);
    if (refusal) {
      const failed = withCondition(csr, {
        type: 'Failed',
        status: 'True',
        reason: 'SignerValidationFailure',
        message: refusal,
        lastUpdateTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      });
      return this.writeStatus(failed);
    }
    const requested = csr.spec.expirationSeconds ? csr.spec.expirationSeconds * 1000 : Infinity;
    const pem = await signCSR(await this.ca, parsed, usages, Math.min(requested, this.durationMs));
    const signed = structuredClone(csr);
    signed.status = { ...signed.status, certificate: Buffer.from(pem).toString('base64') };
    await this.writeStatus(signed);
    log.info('signed certificate', { csr: name, signer: csr.spec.signerName });
  }

  private async writeStatus(csr: CSRObject): Promise<void> {
    try {
      await this.client.request('PUT', `${CSR_PATH}/${csr.metadata.name}/status`, csr);
    } catch (err) {
      // a newer version is on its way through the informer; that one is reconciled again
      if (err instanceof StatusError && (err.code === 409 || err.code === 404)) return;
      throw err;
    }
  }
}
