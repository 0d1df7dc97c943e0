// The kubelet's certificate managers (upstream's client-go certificate manager, as the kubelet
// runs it twice):
// - serving (KubeletConfiguration serverTLSBootstrap: true): the certificate for :10250 comes
//   from a kubernetes.io/kubelet-serving CSR that the csrsigning controller signs with the
//   cluster CA once someone approved it (never automatically). Until then the kubelet keeps
//   serving its self-signed certificate (upstream refuses TLS handshakes instead; see
//   docs/security.md). Kept in <data-dir>/agent/pki/kubelet-server-current.pem.
// - client (rotateCertificates: true): a joined agent renews its kubernetes.io/kube-apiserver-
//   client-kubelet certificate with the one it has (approved automatically as selfnodeclient).
//   Kept in <data-dir>/agent/pki/kubelet-client-current.pem.
// Either way a new certificate goes to onCertificate at once (the server swaps its TLS context,
// the client its credentials: no restart) and is renewed at a jittered 70-90 % of its lifetime.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as x509 from '@peculiar/x509';
import type { RestClient } from '../../client/rest.js';
import { sansOf, type KeyAndCert } from '../../pki/certs.js';
import { logger } from '../../util/log.js';
import {
  clientTemplate,
  clientUsages,
  csrObject,
  csrPhase,
  KUBELET_CLIENT_SIGNER,
  KUBELET_SERVING_SIGNER,
  rotationDeadline,
  sansMatch,
  servingTemplate,
  servingUsages,
  type NodeAddress,
  type ServingTemplate,
} from './serving-request.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const log = logger('kubelet-certificate-manager');
const ALG: EcKeyGenParams & EcdsaParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const CSR_PATH = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
/** setTimeout's longest delay (about 24.8 days); later deadlines are reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const POLL_MIN_MS = 500;
const POLL_MAX_MS = 5_000;
const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 5 * 60_000;

export interface CertManagerOptions {
  /** 'serving' or 'client', for the logs. */
  name: string;
  client: RestClient;
  signerName: string;
  /** Undefined: nothing to request (a serving certificate needs an IP address). */
  template: ServingTemplate | undefined;
  /** The usages for a key of the given algorithm. */
  usages(keyAlgorithm: string): string[];
  /** Where the current certificate and key are kept (one PEM file, 0600). */
  storePath: string;
  /** The certificate in use when the store has none (a joined agent's bootstrap certificate). */
  initial?: KeyAndCert;
  /** Called with every new certificate. */
  onCertificate(kc: KeyAndCert): void;
  /** Asked of the signer (spec.expirationSeconds); the signer's own duration otherwise. */
  expirationSeconds?: number;
  random?: () => number;
}

export function currentServingCertPath(dataDir: string): string {
  return join(dataDir, 'agent', 'pki', 'kubelet-server-current.pem');
}

export function currentClientCertPath(dataDir: string): string {
  return join(dataDir, 'agent', 'pki', 'kubelet-client-current.pem');
}

function splitPem(pem: string): KeyAndCert | undefined {
  const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g);
  const key = /-----BEGIN (EC |RSA )?PRIVATE KEY-----[\s\S]*?-----END (EC |RSA )?PRIVATE KEY-----\n?/.exec(
    pem,
  );
  if (!certs || !key) return undefined;
  return { certPem: certs.join(''), keyPem: key[0] };
}

/** A new P-256 key and a PKCS#10 request for the template, signed with it. */
export async function newCertificateRequest(t: ServingTemplate): Promise<{ csrPem: string; keyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const names = [
    ...t.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...t.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [...t.organizations.map((o) => `O=${o}`), `CN=${t.commonName}`].join(', '),
    keys,
    signingAlgorithm: ALG,
    extensions: names.length ? [new x509.SubjectAlternativeNameExtension(names, false)] : [],
  });
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const body = der.replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return {
    csrPem: csr.toString('pem') + '\n',
    keyPem: `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`,
  };
}

export class KubeletCertManager {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private current: KeyAndCert | undefined;

  constructor(private readonly opts: CertManagerOptions) {}

  /** Whether kc is still valid and names exactly what the template asks for. */
  private fits(kc: KeyAndCert): boolean {
    if (!this.opts.template) return false;
    try {
      const cert = new x509.X509Certificate(kc.certPem);
      return cert.notAfter.getTime() > Date.now() && sansMatch(sansOf(kc.certPem), this.opts.template);
    } catch {
      return false;
    }
  }

  /** The stored certificate (else the initial one) when it is still valid for the node's names. */
  loadCurrent(): KeyAndCert | undefined {
    const path = this.opts.storePath;
    const stored = existsSync(path) ? splitPem(readFileSync(path, 'utf8')) : undefined;
    for (const kc of [stored, this.opts.initial])
      if (kc && this.fits(kc)) {
        this.current = kc;
        return kc;
      }
    return undefined;
  }

  /** Starts the loop: a request now when there is no usable certificate, else at its deadline. */
  start(): void {
    if (!this.opts.template) {
      log.warn('no IP address to request a certificate for', { certificate: this.opts.name });
      return;
    }
    const cur = this.current ?? this.loadCurrent();
    if (!cur) return this.schedule(0, () => this.rotate(RETRY_MIN_MS));
    this.scheduleAt(this.deadlineOf(cur));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private deadlineOf(kc: KeyAndCert): Date {
    const cert = new x509.X509Certificate(kc.certPem);
    const at = rotationDeadline(cert.notBefore, cert.notAfter, (this.opts.random ?? Math.random)());
    log.info('certificate rotation deadline', {
      certificate: this.opts.name,
      notAfter: cert.notAfter.toISOString(),
      deadline: at.toISOString(),
    });
    return at;
  }

  private schedule(ms: number, fn: () => Promise<void>): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void fn(), Math.min(Math.max(0, ms), MAX_TIMER_MS));
    // a background renewal must not keep a stopping agent alive
    this.timer.unref();
  }

  private scheduleAt(at: Date): void {
    const wait = at.getTime() - Date.now();
    if (wait > MAX_TIMER_MS) return this.schedule(MAX_TIMER_MS, async () => this.scheduleAt(at));
    this.schedule(wait, () => this.rotate(RETRY_MIN_MS));
  }

  /** One request: post a CSR, then follow it until issued or refused; retry with backoff on failure. */
  private async rotate(backoffMs: number): Promise<void> {
    if (this.stopped || !this.opts.template) return;
    try {
      const { csrPem, keyPem } = await newCertificateRequest(this.opts.template);
      const made = await this.opts.client.request<{ metadata: { name: string } }>(
        'POST',
        CSR_PATH,
        csrObject(this.opts.signerName, csrPem, this.opts.usages('ECDSA'), this.opts.expirationSeconds),
      );
      const name = made.metadata.name;
      log.info('requested a certificate', { certificate: this.opts.name, csr: name });
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
    log.warn('certificate request failed; retrying', {
      certificate: this.opts.name,
      error: (err as Error).message ?? String(err),
      in: `${Math.round(backoffMs / 1000)}s`,
    });
    this.schedule(backoffMs, () => this.rotate(Math.min(backoffMs * 2, RETRY_MAX_MS)));
  }

  private install(kc: KeyAndCert): void {
    const path = this.opts.storePath;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // written aside then renamed: a crash never leaves half a key pair as "current"
    writeFileSync(`${path}.tmp`, kc.certPem + kc.keyPem, { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
    this.current = kc;
    this.opts.onCertificate(kc);
    log.info('certificate installed', { certificate: this.opts.name });
    this.scheduleAt(this.deadlineOf(kc));
  }
}

/** The serving certificate manager for a node with these addresses. */
export function servingCertManager(o: {
  client: RestClient;
  nodeName: string;
  addresses: NodeAddress[];
  dataDir: string;
  onCertificate(kc: KeyAndCert): void;
  random?: () => number;
}): KubeletCertManager {
  return new KubeletCertManager({
    name: 'serving',
    client: o.client,
    signerName: KUBELET_SERVING_SIGNER,
    template: servingTemplate(o.nodeName, o.addresses),
    usages: servingUsages,
    storePath: currentServingCertPath(o.dataDir),
    onCertificate: o.onCertificate,
    ...(o.random ? { random: o.random } : {}),
  });
}

/** The client certificate manager of a joined agent, starting from its bootstrap certificate. */
export function clientCertManager(o: {
  client: RestClient;
  nodeName: string;
  dataDir: string;
  initial: KeyAndCert;
  onCertificate(kc: KeyAndCert): void;
  random?: () => number;
}): KubeletCertManager {
  return new KubeletCertManager({
    name: 'client',
    client: o.client,
    signerName: KUBELET_CLIENT_SIGNER,
    template: clientTemplate(o.nodeName),
    usages: clientUsages,
    storePath: currentClientCertPath(o.dataDir),
    initial: o.initial,
    onCertificate: o.onCertificate,
    ...(o.random ? { random: o.random } : {}),
  });
}
