// The certificates admission plugins of kube-apiserver (plugin/pkg/admission/certificates):
// who may approve and sign CertificateSigningRequests for which signer, and the refusal of
// kube-apiserver-client requests for system:masters.
//
// Approving and signing are authorized against the synthetic resource `signers` of
// certificates.k8s.io, named by the signer (`approve`/`sign` on `signers` `kubernetes.io/kubelet-serving`),
// or by its domain with a wildcard (`kubernetes.io/*`), as upstream's IsAuthorizedForSignerName.
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../api/types.js';
import { parseCSR } from '../../pki/csr.js';
import type { UserInfo } from '../endpoints/context.js';
import type { Authorizer } from '../auth/types.js';
import { admissionForbidden } from './errors.js';
import type { AdmissionPlugin, AdmissionRequest } from './types.js';

const GROUP = 'certificates.k8s.io';
const CSRS = 'certificatesigningrequests';
const KUBE_APISERVER_CLIENT = 'kubernetes.io/kube-apiserver-client';

interface CSRObject extends KubeObject {
  spec?: { signerName?: string; request?: string };
  status?: { certificate?: string; conditions?: unknown[] };
}

function isCSR(req: AdmissionRequest, subresource: string): boolean {
  return req.group === GROUP && req.resource === CSRS && req.subresource === subresource;
}

async function allowed(authz: Authorizer, user: UserInfo, verb: string, name: string): Promise<boolean> {
  const { decision } = await authz.authorize({
    user,
    verb,
    resourceRequest: true,
    group: GROUP,
    version: '*',
    resource: 'signers',
    subresource: '',
    namespace: '',
    name,
    path: '',
  });
  return decision === 'allow';
}

/** `verb` on the signer itself, else on `<domain>/*` (the part before the first slash). */
export async function isAuthorizedForSignerName(
  authz: Authorizer,
  user: UserInfo,
  verb: string,
  signerName: string,
): Promise<boolean> {
  if (await allowed(authz, user, verb, signerName)) return true;
  return allowed(authz, user, verb, `${signerName.split('/')[0]}/*`);
}

/** CertificateApproval: an update of `/approval` needs `approve` on the (old) request's signer. */
export function certificateApproval(authz: () => Authorizer): AdmissionPlugin {
  return {
    name: 'CertificateApproval',
    async validate(req) {
      if (req.operation !== 'UPDATE' || !isCSR(req, 'approval')) return;
      // the old object: a request cannot switch its signer on the way to being approved
      const signer = (req.oldObject as CSRObject | undefined)?.spec?.signerName ?? '';
      if (!(await isAuthorizedForSignerName(authz(), req.user, 'approve', signer)))
        throw admissionForbidden(req, `user not permitted to approve requests with signerName "${signer}"`);
    },
  };
}

/** CertificateSigning: a `/status` update changing the certificate or conditions needs `sign`. */
export function certificateSigning(authz: () => Authorizer): AdmissionPlugin {
  return {
    name: 'CertificateSigning',
    async validate(req) {
      if (req.operation !== 'UPDATE' || !isCSR(req, 'status')) return;
      const before = req.oldObject as CSRObject | undefined;
      const after = req.object as CSRObject | undefined;
      // upstream compares with apiequality.Semantic: a missing list equals an empty one
      const certificate = (o: CSRObject | undefined) => o?.status?.certificate ?? '';
      const conditions = (o: CSRObject | undefined) => o?.status?.conditions ?? [];
      if (
        certificate(before) === certificate(after) &&
        isDeepStrictEqual(conditions(before), conditions(after))
      )
        return;
      const signer = before?.spec?.signerName ?? '';
      if (!(await isAuthorizedForSignerName(authz(), req.user, 'sign', signer)))
        throw admissionForbidden(req, `user not permitted to sign requests with signerName "${signer}"`);
    },
  };
}

/** CertificateSubjectRestriction: no kube-apiserver-client certificate for system:masters. */
export function certificateSubjectRestriction(): AdmissionPlugin {
  return {
    name: 'CertificateSubjectRestriction',
    validate(req) {
      if (req.operation !== 'CREATE' || !isCSR(req, '')) return;
      const spec = (req.object as CSRObject | undefined)?.spec;
      if (spec?.signerName !== KUBE_APISERVER_CLIENT) return;
      let organizations: string[];
      try {
        organizations = parseCSR(Buffer.from(spec.request ?? '', 'base64').toString('latin1')).organizations;
      } catch (err) {
        throw admissionForbidden(req, `failed to parse CSR: ${(err as Error).message}`);
      }
      if (organizations.includes('system:masters'))
        throw admissionForbidden(
          req,
          `use of ${KUBE_APISERVER_CLIENT} signer with system:masters group is not allowed`,
        );
    },
  };
}
