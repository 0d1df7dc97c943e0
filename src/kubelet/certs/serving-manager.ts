// The kubelet's serving certificate manager (KubeletConfiguration serverTLSBootstrap: true, as
// upstream's): the certificate for :10250 comes from a kubernetes.io/kubelet-serving CSR that
// the csrsigning controller signs with the cluster CA once someone approved it (kubelet-serving
// CSRs are never approved automatically). Until then the kubelet keeps serving its self-signed
// certificate (upstream refuses TLS handshakes instead; see docs/security.md). An issued
// certificate is kept in <data-dir>/agent/pki/kubelet-server-current.pem (certificate then
// key), handed to the server at once (hot swap, no restart), and renewed at a jittered 70-90 %
// of its lifetime.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import type { RestClient } from '../../client/rest.js';
import { sansOf, type KeyAndCert } from '../../pki/certs.js';
import { logger } from '../../util/log.js';
import {
  csrPhase,
  rotationDeadline,
  sansMatch,
  servingCSRObject,
  servingTemplate,
  type NodeAddress,
  type ServingTemplate,
} from './serving-request.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const log = logger('kubelet-serving-cert');
const ALG: EcKeyGenParams & EcdsaParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const CSR_PATH = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
/** setTimeout's longest delay (about 24.8 days); later deadlines are reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const POLL_MIN_MS = 500;
const POLL_MAX_MS = 5_000;
const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 5 * 60_000;

export interface ServingCertManagerOptions {
  client: RestClient;
  nodeName: string;
  addresses: NodeAddress[];
  dataDir: string;
  /** Called with every new certificate (the server swaps its TLS context). */
  onCertificate(kc: KeyAndCert): void;
  /** Asked of the signer (spec.expirationSeconds); the signer's own duration otherwise. */
  expirationSeconds?: number;
  random?: () => number;
}

export function currentServingCertPath(dataDir: string): string {
  return join(dataDir, 'agent', 'pki', 'kubelet-server-current.pem');
}

function splitPem(pem: string): KeyAndCert | undefined {
  const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g);
  const key = /-----BEGIN (EC |RSA )?PRIVATE KEY-----[\s\S]*?-----END (EC |RSA )?PRIVATE KEY-----\n?/.exec(
    pem,
  );
  if (!certs || !key) return undefined;
  return { certPem: certs.join(''), keyPem: key[0] };
}

export async function newServingRequest(t: ServingTemplate): Promise<{ csrPem: string; keyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const names = [
    ...t.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...t.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [...t.organizations.map((o) => `O=${o}`), `CN=${t.commonName}`].join(', '),
    keys,
    signingAlgorithm: ALG,
    extensions: [new x509.SubjectAlternativeNameExtension(names, false)],
  });
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const body = der.replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return {
    csrPem: csr.toString('pem') + '\n',
    keyPem: `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`,
  };
}

export class ServingCertManager {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly template: ServingTemplate | undefined;
  private current: KeyAndCert | undefined;

  constructor(private readonly opts: ServingCertManagerOptions) {
    this.template = servingTemplate(opts.nodeName, opts.addresses);
  }

  /** The stored certificate when it is still valid for the node's current names. */
  loadCurrent(): KeyAndCert | undefined {
    const path = currentServingCertPath(this.opts.dataDir);
    if (!this.template || !existsSync(path)) return undefined;
    const kc = splitPem(readFileSync(path, 'utf8'));
    if (!kc) return undefined;
    try {
      const cert = new x509.X509Certificate(kc.certPem);
      if (cert.notAfter.getTime() <= Date.now() || !sansMatch(sansOf(kc.certPem), this.template))
        return undefined;
    } catch {
      return undefined;
    }
    this.current = kc;
    return kc;
  }

  /** Starts the loop: a request now when there is no usable certificate, else at its deadline. */
  start(): void {
    if (!this.template) {
      log.warn('no IP address to request a serving certificate for', { node: this.opts.nodeName });
      return;
    }
    const cur = this.current ?? this.loadCurrent();
    if (!cur) return this.schedule(0, () => this.rotate(RETRY_MIN_MS));
    const cert = new x509.X509Certificate(cur.certPem);
    const at = rotationDeadline(cert.notBefore, cert.notAfter, (this.opts.random ?? Math.random)());
    log.info('serving certificate rotation deadline', { deadline: at.toISOString() });
    this.scheduleAt(at);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number, fn: () => Promise<void>): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void fn(), Math.min(Math.max(0, ms), MAX_TIMER_MS));
    this.timer.unref();
  }

  private scheduleAt(at: Date): void {
    const wait = at.getTime() - Date.now();
    if (wait > MAX_TIMER_MS) return this.schedule(MAX_TIMER_MS, async () => this.scheduleAt(at));
    this.schedule(wait, () => this.rotate(RETRY_MIN_MS));
  }

  /** One request: post a CSR, then follow it until issued or refused; retry with backoff on failure. */
  private async rotate(backoffMs: number): Promise<void> {
    if (this.stopped || !this.template) return;
    try {
      const { csrPem, keyPem } = await newServingRequest(this.template);
      const made = await this.opts.client.request<{ metadata: { name: string } }>(
        'POST',
        CSR_PATH,
        servingCSRObject(csrPem, 'ECDSA', this.opts.expirationSeconds),
      );
      const name = made.metadata.name;
      log.info('requested a serving certificate', { csr: name });
      this.follow(name, keyPem, POLL_MIN_MS, backoffMs);
    } catch (err) {
      this.retry(backoffMs, err);
    }
  }

  private follow(name: string, keyPem: string, pollMs: number, backoffMs: number): void {
    this.schedule(pollMs, async () => {
      try {
        const phase = csrPhase(await this.opts.client.request('GET', `${CSR_PATH}/${name}`));
        if (phase.phase === 'pending')
          return this.follow(name, keyPem, Math.min(pollMs * 1.5, POLL_MAX_MS), backoffMs);
        if (phase.phase === 'refused') return this.retry(backoffMs, new Error(phase.reason));
        this.install({ certPem: phase.certificate, keyPem });
      } catch (err) {
        this.retry(backoffMs, err);
      }
    });
  }

  private retry(backoffMs: number, err: unknown): void {
    log.warn('serving certificate request failed; retrying', {
      error: (err as Error).message ?? String(err),
      in: `${Math.round(backoffMs / 1000)}s`,
    });
    this.schedule(backoffMs, () => this.rotate(Math.min(backoffMs * 2, RETRY_MAX_MS)));
  }

  private install(kc: KeyAndCert): void {
    const path = currentServingCertPath(this.opts.dataDir);
    mkdirSync(join(this.opts.dataDir, 'agent', 'pki'), { recursive: true, mode: 0o700 });
    // written aside then renamed: a crash never leaves half a key pair as "current"
    writeFileSync(`${path}.tmp`, kc.certPem + kc.keyPem, { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
    this.current = kc;
    this.opts.onCertificate(kc);
    const cert = new x509.X509Certificate(kc.certPem);
    const at = rotationDeadline(cert.notBefore, cert.notAfter, (this.opts.random ?? Math.random)());
    log.info('serving certificate installed', {
      notAfter: cert.notAfter.toISOString(),
      rotation: at.toISOString(),
    });
    this.scheduleAt(at);
  }
}
