// Reading a CSR's state (upstream's certificates helpers) and the paths that write it.
import type { KubeObject } from '../../api/types.js';

export interface CSRCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
}

export interface CSRObject extends KubeObject {
  spec: {
    request: string;
    signerName: string;
    usages?: string[];
    expirationSeconds?: number;
    username?: string;
    groups?: string[];
  };
  status?: { conditions?: CSRCondition[]; certificate?: string };
}

export const CSR_PATH = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

export function hasTrueCondition(csr: CSRObject, type: string): boolean {
  return (csr.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** Approved and not Denied (a request with both is never signed). */
export const isApproved = (csr: CSRObject) =>
  hasTrueCondition(csr, 'Approved') && !hasTrueCondition(csr, 'Denied');

export function withCondition(csr: CSRObject, c: CSRCondition): CSRObject {
  const next = structuredClone(csr);
  next.status = { ...next.status, conditions: [...(next.status?.conditions ?? []), c] };
  return next;
}

export function requestPem(csr: CSRObject): string {
  return Buffer.from(csr.spec.request ?? '', 'base64').toString('latin1');
}
