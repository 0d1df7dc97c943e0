// certificatesigningrequests (csr)
import type { KubeObject } from '../../../api/types.js';
import { defineResource, ensureObject } from '../define.js';
import { age, ageColumn, col, humanDuration, nameColumn } from '../table.js';
import { required } from '../validation.js';

type Obj = Record<string, unknown>;
const spec = (o: KubeObject) => (o.spec ?? {}) as Obj;

/** upstream's extractCSRStatus: Denied over Approved over Pending, then Failed and Issued. */
function condition(c: KubeObject): string {
  const st = (c.status ?? {}) as { conditions?: { type?: string }[]; certificate?: string };
  const types = new Set((st.conditions ?? []).map((x) => x.type));
  let text = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) text += ',Failed';
  if (st.certificate) text += ',Issued';
  return text;
}

export const certificatesigningrequests = defineResource({
  group: 'certificates.k8s.io',
  version: 'v1',
  resource: 'certificatesigningrequests',
  kind: 'CertificateSigningRequest',
  namespaced: false,
  shortNames: ['csr'],
  definition: 'io.k8s.api.certificates.v1.CertificateSigningRequest',
  status: true,
  defaults(c) {
    ensureObject<Obj>(c, 'spec');
  },
  prepareForCreate(c) {
    c.status = {};
  },
  validate(c) {
    const s = spec(c);
    const errs = [];
    if (!s.request) errs.push(required('spec.request'));
    if (!s.signerName) errs.push(required('spec.signerName'));
    return errs;
  },
  table: {
    columns: [
      nameColumn,
      ageColumn,
      col('SignerName', 'Who is asked to sign.'),
      col('Requestor', 'Who asked.'),
      col('RequestedDuration', 'The validity asked for.'),
      col('Condition', 'Approved, Denied, Failed, Issued or Pending.'),
    ],
    cells: (c, now) => {
      const s = spec(c);
      const d =
        typeof s.expirationSeconds === 'number' ? humanDuration(s.expirationSeconds * 1000) : '<none>';
      return [
        c.metadata.name,
        age(c.metadata.creationTimestamp, now),
        s.signerName ?? '',
        s.username ?? '',
        d,
        condition(c),
      ];
    },
  },
});
