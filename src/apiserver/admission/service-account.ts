// ServiceAccount admission (plugin/pkg/admission/serviceaccount): a new pod runs as its
// namespace's `default` service account unless it names one; the account must exist (the
// `default` one is waited for briefly, since a controller creates it just after the
// namespace); the account's imagePullSecrets are copied to a pod without any; and, unless the
// pod or the account opts out with automountServiceAccountToken: false, every container gets
// the projected `kube-api-access-xxxxx` volume (bound token, cluster CA, namespace) mounted at
// /var/run/secrets/kubernetes.io/serviceaccount.
import { isRecord, type KubeObject } from '../../api/types.js';
import { generateNameSuffix } from '../endpoints/meta.js';
import { admissionForbidden } from './errors.js';
import { getObject } from './lookup.js';
import type { AdmissionDeps, AdmissionPlugin, AdmissionRequest } from './types.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const TOKEN_VOLUME_PREFIX = 'kube-api-access-';
export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** serviceaccount.WarnOnlyBoundTokenExpirationSeconds: 1h plus 7s, so kubelets can tell it apart */
const TOKEN_EXPIRATION_SECONDS = 3607;
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
const ENFORCE_MOUNTABLE_SECRETS = 'kubernetes.io/enforce-mountable-secrets';
/** how often and how far apart the `default` account is looked for before giving up */
const DEFAULT_SA_ATTEMPTS = 10;

type Obj = Record<string, unknown>;
const records = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The projected volume upstream's TokenVolumeSource() describes, in its field order. */
export function tokenVolume(name: string): Obj {
  return {
    name,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        {
          downwardAPI: {
            items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
          },
        },
      ],
      // explicitly set (upstream issue 104464)
      defaultMode: 420,
    },
  };
}

function shouldAutomount(sa: KubeObject, spec: Obj): boolean {
  if (typeof spec.automountServiceAccountToken === 'boolean') return spec.automountServiceAccountToken;
  if (typeof sa.automountServiceAccountToken === 'boolean') return sa.automountServiceAccountToken;
  return true;
}

function mountToken(spec: Obj): void {
  const volumes = records(spec.volumes);
  const existing = volumes.find((v) => String(v.name ?? '').startsWith(TOKEN_VOLUME_PREFIX));
  const name = existing ? String(existing.name) : TOKEN_VOLUME_PREFIX + generateNameSuffix();
  let needed = false;
  for (const list of ['initContainers', 'containers']) {
    for (const c of records(spec[list])) {
      const mounts = records(c.volumeMounts);
      // a mount at the token path already there keeps its place
      if (mounts.some((m) => m.mountPath === TOKEN_MOUNT_PATH)) continue;
      c.volumeMounts = [
        ...(Array.isArray(c.volumeMounts) ? c.volumeMounts : []),
        { name, readOnly: true, mountPath: TOKEN_MOUNT_PATH },
      ];
      needed = true;
    }
  }
  if (!existing && needed)
    spec.volumes = [...(Array.isArray(spec.volumes) ? spec.volumes : []), tokenVolume(name)];
}

/** Secrets a pod refers to that its account does not list (when the account enforces that). */
function secretReferenceError(sa: KubeObject, spec: Obj): string | undefined {
  const saName = sa.metadata.name;
  const mountable = new Set(records(sa.secrets).map((s) => String(s.name)));
  for (const v of records(spec.volumes)) {
    if (!isRecord(v.secret)) continue;
    const secret = String(v.secret.secretName ?? '');
    if (!mountable.has(secret))
      return `volume with secret.secretName="${secret}" is not allowed because service account ${saName} does not reference that secret`;
  }
  for (const [list, label] of [
    ['initContainers', 'init container'],
    ['containers', 'container'],
  ] as const) {
    for (const c of records(spec[list])) {
      for (const e of records(c.env)) {
        const ref =
          isRecord(e.valueFrom) && isRecord(e.valueFrom.secretKeyRef) ? e.valueFrom.secretKeyRef : undefined;
        if (ref && !mountable.has(String(ref.name)))
          return `${label} ${String(c.name)} with envVar ${String(e.name)} referencing secret.secretName="${String(ref.name)}" is not allowed because service account ${saName} does not reference that secret`;
      }
      for (const e of records(c.envFrom)) {
        if (isRecord(e.secretRef) && !mountable.has(String(e.secretRef.name)))
          return `${label} ${String(c.name)} with envFrom referencing secret.secretName="${String(e.secretRef.name)}" is not allowed because service account ${saName} does not reference that secret`;
      }
    }
  }
  const pullable = new Set(records(sa.imagePullSecrets).map((s) => String(s.name)));
  const refs = records(spec.imagePullSecrets);
  for (let i = 0; i < refs.length; i++) {
    if (!pullable.has(String(refs[i].name)))
      return `imagePullSecrets[${i}].name="${String(refs[i].name)}" is not allowed because service account ${saName} does not reference that imagePullSecret`;
  }
  return undefined;
}

function hasSecretReferences(spec: Obj): boolean {
  if (records(spec.imagePullSecrets).length) return true;
  for (const v of records(spec.volumes)) {
    if (isRecord(v.secret)) return true;
    if (isRecord(v.projected) && records(v.projected.sources).some((s) => isRecord(s.secret))) return true;
  }
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of records(spec[list])) {
      if (records(c.envFrom).some((e) => isRecord(e.secretRef))) return true;
      if (records(c.env).some((e) => isRecord(e.valueFrom) && isRecord(e.valueFrom.secretKeyRef)))
        return true;
    }
  }
  return false;
}

/**
 * v1's deprecated spec.serviceAccount mirrors serviceAccountName (upstream's conversion does
 * this on every write), so a replace that leaves the old field out changes nothing.
 */
function syncDeprecatedName(spec: Obj | undefined): void {
  if (!spec) return;
  if (!spec.serviceAccountName && typeof spec.serviceAccount === 'string' && spec.serviceAccount)
    spec.serviceAccountName = spec.serviceAccount;
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName)
    spec.serviceAccount = spec.serviceAccountName;
}

const rec = (v: unknown): Obj | undefined => (isRecord(v) ? v : undefined);
const isPodUpdate = (req: AdmissionRequest) =>
  req.group === '' &&
  req.resource === 'pods' &&
  req.subresource === '' &&
  req.operation === 'UPDATE' &&
  !!req.object;

export function serviceAccountAdmission(
  deps: AdmissionDeps,
  opts: { retryMs?: () => number } = {},
): AdmissionPlugin {
  // upstream waits 100-200 ms between lookups of the `default` account
  const retryMs = opts.retryMs ?? (() => 100 + Math.floor(Math.random() * 100));

  async function lookup(namespace: string, name: string): Promise<KubeObject | string> {
    const attempts = name === DEFAULT_SERVICE_ACCOUNT ? DEFAULT_SA_ATTEMPTS : 1;
    const interval = retryMs();
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await sleep(interval);
      const sa = await getObject(deps, '', 'serviceaccounts', namespace, name);
      if (sa) return sa;
    }
    return `error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`;
  }

  const applies = (req: AdmissionRequest) =>
    req.group === '' &&
    req.resource === 'pods' &&
    req.subresource === '' &&
    req.operation === 'CREATE' &&
    !!req.object;

  async function validatePod(req: AdmissionRequest): Promise<void> {
    const pod = req.object!;
    const spec = isRecord(pod.spec) ? pod.spec : {};
    if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) {
      if (spec.serviceAccountName)
        throw admissionForbidden(req, 'a mirror pod may not reference service accounts');
      if (hasSecretReferences(spec)) throw admissionForbidden(req, 'a mirror pod may not reference secrets');
      for (const v of records(spec.volumes))
        if (
          isRecord(v.projected) &&
          records(v.projected.sources).some((s) => isRecord(s.serviceAccountToken))
        )
          throw admissionForbidden(req, 'a mirror pod may not use ServiceAccountToken volume projections');
      return;
    }
    const name = typeof spec.serviceAccountName === 'string' ? spec.serviceAccountName : '';
    if (!name)
      throw admissionForbidden(
        req,
        `no service account specified for pod ${req.namespace}/${pod.metadata.name ?? ''}`,
      );
    const sa = await lookup(req.namespace, name);
    if (typeof sa === 'string') throw admissionForbidden(req, sa);
    const enforce = sa.metadata.annotations?.[ENFORCE_MOUNTABLE_SECRETS];
    if (
      enforce === 'true' ||
      enforce === '1' ||
      enforce === 'TRUE' ||
      enforce === 'True' ||
      enforce === 't' ||
      enforce === 'T'
    ) {
      const why = secretReferenceError(sa, spec);
      if (why) throw admissionForbidden(req, why);
    }
  }

  return {
    name: 'ServiceAccount',
    async admit(req) {
      if (isPodUpdate(req)) return syncDeprecatedName(rec(req.object!.spec));
      if (!applies(req)) return;
      const pod = req.object!;
      const spec = isRecord(pod.spec) ? pod.spec : (pod.spec = {});
      // mirror pods (made by kubelets from static manifests) are never changed
      if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return validatePod(req);
      syncDeprecatedName(spec);
      if (!spec.serviceAccountName) spec.serviceAccountName = DEFAULT_SERVICE_ACCOUNT;
      syncDeprecatedName(spec);
      const sa = await lookup(req.namespace, String(spec.serviceAccountName));
      if (typeof sa === 'string') throw admissionForbidden(req, sa);
      if (shouldAutomount(sa, spec)) mountToken(spec);
      const pull = records(sa.imagePullSecrets);
      if (records(spec.imagePullSecrets).length === 0 && pull.length)
        spec.imagePullSecrets = pull.map((s) => ({ name: s.name }));
      return validatePod(req);
    },
    async validate(req) {
      if (applies(req)) await validatePod(req);
    },
  };
}
