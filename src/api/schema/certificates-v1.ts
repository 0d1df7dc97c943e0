// certificates.k8s.io/v1: CertificateSigningRequest.
import type { Definitions } from './dsl.js';
import { LIST_META, OBJECT_META, TIME, arr, int32, map, obj, ref, str, t } from './dsl.js';

const P = 'io.k8s.api.certificates.v1';
const gvk = (kind: string) => [{ group: 'certificates.k8s.io', version: 'v1', kind }];
const atomic = { 'x-kubernetes-list-type': 'atomic' } as const;

export const certificatesV1Definitions: Definitions = {
  [`${P}.CertificateSigningRequest`]: obj(
    'A request for an X.509 certificate, issued by a signer once approved.',
    {
      apiVersion: str('The versioned schema of this object, here certificates.k8s.io/v1.'),
      kind: str('The kind of this object, here CertificateSigningRequest.'),
      metadata: ref(OBJECT_META, "The object's name, labels and other metadata."),
      spec: ref(`${P}.CertificateSigningRequestSpec`, 'The request itself; immutable after creation.'),
      status: ref(`${P}.CertificateSigningRequestStatus`, 'Approval state and the issued certificate.'),
    },
    { required: ['spec'], gvk: gvk('CertificateSigningRequest') },
  ),
  [`${P}.CertificateSigningRequestList`]: obj(
    'A list of CertificateSigningRequest objects.',
    {
      apiVersion: str('The versioned schema of this list, here certificates.k8s.io/v1.'),
      items: arr(t.ref(`${P}.CertificateSigningRequest`), 'The CertificateSigningRequest objects.'),
      kind: str('The kind of this list, here CertificateSigningRequestList.'),
      metadata: ref(LIST_META, 'Resource version and continuation token of the list.'),
    },
    { required: ['items'], gvk: gvk('CertificateSigningRequestList') },
  ),
  [`${P}.CertificateSigningRequestSpec`]: obj(
    'The certificate request and who made it.',
    {
      expirationSeconds: int32(
        'Requested validity of the certificate in seconds; the signer may shorten it.',
      ),
      extra: map(
        { type: 'array', items: t.str },
        'Extra attributes of the requesting user; set by the server.',
      ),
      groups: arr(t.str, 'Groups of the requesting user; set by the server.', atomic),
      request: str('A PEM-encoded PKCS#10 certificate request, base64-encoded in JSON.', {
        format: 'byte',
        'x-kubernetes-list-type': 'atomic',
      }),
      signerName: str('The signer asked to issue the certificate, e.g. kubernetes.io/kube-apiserver-client.'),
      uid: str('UID of the requesting user; set by the server.'),
      usages: arr(
        t.str,
        'Key usages requested, e.g. digital signature, key encipherment, client auth.',
        atomic,
      ),
      username: str('Name of the requesting user; set by the server.'),
    },
    { required: ['request', 'signerName'] },
  ),
  [`${P}.CertificateSigningRequestStatus`]: obj('Approval state of a request and its certificate.', {
    certificate: str('The issued certificate chain, PEM-encoded and base64-encoded in JSON.', {
      format: 'byte',
      'x-kubernetes-list-type': 'atomic',
    }),
    conditions: arr(
      t.ref(`${P}.CertificateSigningRequestCondition`),
      'Approved, Denied and Failed conditions.',
      {
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      },
    ),
  }),
  [`${P}.CertificateSigningRequestCondition`]: obj(
    'One decision or outcome of a certificate request.',
    {
      lastTransitionTime: ref(TIME, 'When the condition last changed its status.'),
      lastUpdateTime: ref(TIME, 'When the condition was last updated.'),
      message: str('A human-readable explanation of the condition.'),
      reason: str('A brief machine-readable reason.'),
      status: str('True, False or Unknown; Approved, Denied and Failed are always True.'),
      type: str('Approved, Denied or Failed.'),
    },
    { required: ['type', 'status'] },
  ),
};
