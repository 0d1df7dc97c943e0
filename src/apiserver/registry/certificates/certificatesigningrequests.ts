// certificatesigningrequests (csr): the requestor recorded from the request's user, upstream's
// validation (pkg/apis/certificates/validation), and the rules of the three write paths: the
// main resource changes metadata only, /status sets the certificate and other conditions but
// not Approved/Denied, /approval sets conditions only (see ./approval.ts).
import type { KubeObject } from '../../../api/types.js';
import { parseCSR } from '../../../pki/csr.js';
import { defineResource, ensureObject } from '../define.js';
import type { StrategyContext } from '../strategy.js';
import { age, ageColumn, col, humanDuration, nameColumn } from '../table.js';
import {
  duplicate,
  forbidden,
  invalidValue,
  isDNS1123Label,
  notSupported,
  Printed,
  required,
  type FieldError,
} from '../validation.js';

type Obj = Record<string, unknown>;
interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}
interface CSRStatus {
  conditions?: Condition[];
  certificate?: string;
}
const spec = (o: KubeObject) => (o.spec ?? {}) as Obj;
const status = (o: KubeObject) => (o.status ?? {}) as CSRStatus;

const VALID_USAGES = [
  'any',
  'cert sign',
  'client auth',
  'code signing',
  'content commitment',
  'crl sign',
  'data encipherment',
  'decipher only',
  'digital signature',
  'email protection',
  'encipher only',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'key agreement',
  'key encipherment',
  'microsoft sgc',
  'netscape sgc',
  'ocsp signing',
  's/mime',
  'server auth',
  'signing',
  'timestamping',
];
/** Condition types that may only be True. */
const TRUE_ONLY = new Set(['Approved', 'Denied', 'Failed']);

/** upstream's extractCSRStatus: Denied over Approved over Pending, then Failed and Issued. */
function condition(c: KubeObject): string {
  const st = status(c);
  const types = new Set((st.conditions ?? []).map((x) => x.type));
  let text = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) text += ',Failed';
  if (st.certificate) text += ',Issued';
  return text;
}

/** Go's %#v of a []byte, as upstream prints spec.request in its field error. */
function goBytes(b: Buffer): Printed {
  return new Printed(`[]byte{${[...b].map((x) => `0x${x.toString(16).padStart(2, '0')}`).join(', ')}}`);
}

function validateSignerName(name: unknown): FieldError[] {
  const path = 'spec.signerName';
  if (typeof name !== 'string' || !name) return [required(path)];
  const segments = name.split('/');
  if (segments.length !== 2)
    return [
      invalidValue(
        path,
        name,
        "must be a fully qualified domain and path of the form 'example.com/signer-name'",
      ),
    ];
  const errs: FieldError[] = [];
  const labels = segments[0].split('.');
  for (const l of labels) {
    const msgs = isDNS1123Label(l);
    if (msgs.length) {
      for (const m of msgs) errs.push(invalidValue(path, segments[0], `validating label "${l}": ${m}`));
      break;
    }
  }
  if (labels.length < 2)
    errs.push(
      invalidValue(path, segments[0], 'should be a domain with at least two segments separated by dots'),
    );
  return errs;
}

function validateCertificate(pem: string): string | undefined {
  const blocks = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  if (!blocks.length) return 'must contain at least one CERTIFICATE PEM block';
  for (const b of blocks)
    if (b[1] !== 'CERTIFICATE') return `only CERTIFICATE PEM blocks are allowed, found "${b[1]}"`;
  return undefined;
}

function validateCSR(c: KubeObject): FieldError[] {
  const s = spec(c);
  const errs: FieldError[] = [];
  const request = Buffer.from(typeof s.request === 'string' ? s.request : '', 'base64');
  try {
    parseCSR(request.toString('latin1'));
  } catch (err) {
    errs.push(invalidValue('spec.request', goBytes(request), (err as Error).message));
  }
  const usages = Array.isArray(s.usages) ? (s.usages as unknown[]) : [];
  if (!usages.length) errs.push(required('spec.usages'));
  usages.forEach((u, i) => {
    if (!VALID_USAGES.includes(u as string)) errs.push(notSupported(`spec.usages[${i}]`, u, VALID_USAGES));
  });
  usages.forEach((u, i) => {
    if (usages.indexOf(u) !== i) errs.push(duplicate(`spec.usages[${i}]`, u));
  });
  errs.push(...validateSignerName(s.signerName));
  if (typeof s.expirationSeconds === 'number' && s.expirationSeconds < 600)
    errs.push(
      invalidValue(
        'spec.expirationSeconds',
        s.expirationSeconds,
        'may not specify a duration less than 600 seconds (10 minutes)',
      ),
    );
  errs.push(...validateConditions(status(c).conditions ?? []));
  return errs;
}

function validateConditions(conds: Condition[]): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  conds.forEach((c, i) => {
    const p = `status.conditions[${i}]`;
    if (!c.type) errs.push(required(`${p}.type`));
    const allowed = TRUE_ONLY.has(c.type ?? '') ? ['True'] : ['False', 'True', 'Unknown'];
    if (!c.status) errs.push(required(`${p}.status`));
    else if (!allowed.includes(c.status)) errs.push(notSupported(`${p}.status`, c.status, allowed));
    if (c.type === 'Approved') {
      approved = true;
      if (denied)
        errs.push(invalidValue(`${p}.type`, c.type, 'Approved and Denied conditions are mutually exclusive'));
    } else if (c.type === 'Denied') {
      denied = true;
      if (approved)
        errs.push(invalidValue(`${p}.type`, c.type, 'Approved and Denied conditions are mutually exclusive'));
    }
    if (seen.has(c.type ?? '')) errs.push(duplicate(`${p}.type`, c.type));
    seen.add(c.type ?? '');
  });
  return errs;
}

const ofType = (c: KubeObject, t: string) => (status(c).conditions ?? []).filter((x) => x.type === t);

function validateCSRUpdate(c: KubeObject, old: KubeObject, ctx: StrategyContext): FieldError[] {
  const errs: FieldError[] = [];
  for (const t of ['Approved', 'Denied', 'Failed'])
    if (ofType(c, t).length < ofType(old, t).length)
      errs.push(forbidden('status.conditions', `updates may not remove a condition of type "${t}"`));
  if (ctx.subresource !== 'approval')
    for (const t of ['Approved', 'Denied']) {
      const [n, o] = [ofType(c, t), ofType(old, t)];
      if (n.length > o.length)
        errs.push(forbidden('status.conditions', `updates may not add a condition of type "${t}"`));
      else if (n.length === o.length && JSON.stringify(n) !== JSON.stringify(o))
        errs.push(forbidden('status.conditions', `updates may not modify a condition of type "${t}"`));
    }
  const [cert, oldCert] = [status(c).certificate ?? '', status(old).certificate ?? ''];
  if (cert !== oldCert) {
    if (ctx.subresource !== 'status')
      errs.push(forbidden('status.certificate', 'updates may not set certificate content'));
    else if (oldCert)
      errs.push(forbidden('status.certificate', 'updates may not modify existing certificate content'));
    else {
      const bad = validateCertificate(Buffer.from(cert, 'base64').toString('latin1'));
      if (bad) errs.push(invalidValue('status.certificate', '<certificate data>', bad));
    }
  }
  return errs;
}

/** New conditions get lastUpdateTime now; lastTransitionTime is kept from an old same-status condition. */
function populateConditionTimestamps(c: KubeObject, old: KubeObject | undefined, now: Date): void {
  const ts = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (const cond of status(c).conditions ?? []) {
    cond.lastUpdateTime ||= ts;
    if (!cond.lastTransitionTime) {
      const prior = (old ? (status(old).conditions ?? []) : []).find(
        (o) => o.type === cond.type && o.status === cond.status && o.lastTransitionTime,
      );
      cond.lastTransitionTime = prior?.lastTransitionTime ?? ts;
    }
  }
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
  prepareForCreate(c, ctx) {
    const s = spec(c);
    if (ctx.user) {
      // who asked is what the API server saw, never what the client wrote
      delete s.username;
      delete s.uid;
      delete s.groups;
      delete s.extra;
      s.username = ctx.user.name;
      if (ctx.user.uid) s.uid = ctx.user.uid;
      if (ctx.user.groups?.length) s.groups = [...ctx.user.groups];
      if (ctx.user.extra && Object.keys(ctx.user.extra).length) s.extra = structuredClone(ctx.user.extra);
    }
    // nobody creates a pre-approved request
    c.status = {};
  },
  prepareForUpdate(c, old, ctx) {
    c.spec = structuredClone(old.spec);
    if (ctx.subresource === 'approval') {
      c.status = { ...structuredClone(status(old)), conditions: status(c).conditions ?? [] };
    } else if (ctx.subresource === 'status') {
      // Approved/Denied belong to /approval: keep the stored instances when their count is unchanged
      const conds = status(c).conditions ?? [];
      for (const t of ['Approved', 'Denied']) {
        const oldIdx = (status(old).conditions ?? []).flatMap((x, i) => (x.type === t ? [i] : []));
        const newIdx = conds.flatMap((x, i) => (x.type === t ? [i] : []));
        if (oldIdx.length === newIdx.length)
          newIdx.forEach((n, k) => (conds[n] = structuredClone(status(old).conditions![oldIdx[k]])));
      }
    } else c.status = structuredClone(old.status);
    populateConditionTimestamps(c, old, ctx.now);
  },
  validate: validateCSR,
  validateUpdate: validateCSRUpdate,
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
