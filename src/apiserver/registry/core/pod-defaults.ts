// Pod and pod-template defaults, as upstream v1.31's SetDefaults_PodSpec / _Container / _Probe /
// _Volume make them (what `kubectl get -o yaml` shows for a minimal manifest). What upstream
// defaults on Pods only, never on templates, is in defaultPod().
import { isRecord } from '../../../api/types.js';
import { ensureObject, setDefault } from '../define.js';

type Obj = Record<string, unknown>;

const records = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isRecord) : []);

/** IfNotPresent for a tagged image, Always for :latest or no tag (upstream's rule; digests count as tagged). */
export function defaultPullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const tagAt = image.indexOf(':', lastSlash + 1);
  if (tagAt < 0) return 'Always';
  return image.slice(tagAt + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHTTPGet(h: unknown): void {
  if (!isRecord(h)) return;
  setDefault(h, 'path', '/');
  setDefault(h, 'scheme', 'HTTP');
}

function defaultProbe(p: unknown): void {
  if (!isRecord(p)) return;
  setDefault(p, 'timeoutSeconds', 1);
  setDefault(p, 'periodSeconds', 10);
  setDefault(p, 'successThreshold', 1);
  setDefault(p, 'failureThreshold', 3);
  defaultHTTPGet(p.httpGet);
}

function defaultFieldRef(ref: unknown): void {
  if (isRecord(ref)) setDefault(ref, 'apiVersion', 'v1');
}

export function defaultContainer(c: Obj): void {
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  // a struct, not a pointer, upstream: always serialized, at least as {}
  ensureObject<Obj>(c, 'resources');
  for (const p of records(c.ports)) setDefault(p, 'protocol', 'TCP');
  for (const e of records(c.env)) if (isRecord(e.valueFrom)) defaultFieldRef(e.valueFrom.fieldRef);
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isRecord(c.lifecycle)) {
    for (const hook of [c.lifecycle.postStart, c.lifecycle.preStop])
      if (isRecord(hook)) defaultHTTPGet(hook.httpGet);
  }
}

const VOLUME_SOURCES = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];

function defaultDownwardItems(items: unknown): void {
  for (const item of records(items)) defaultFieldRef(item.fieldRef);
}

function defaultVolume(v: Obj): void {
  // a volume without any source is an emptyDir
  if (!VOLUME_SOURCES.some((k) => v[k] !== undefined && v[k] !== null)) v.emptyDir = {};
  for (const kind of ['configMap', 'secret', 'downwardAPI', 'projected'])
    if (isRecord(v[kind])) setDefault(v[kind] as Obj, 'defaultMode', 420);
  if (isRecord(v.hostPath)) setDefault(v.hostPath, 'type', '');
  if (isRecord(v.downwardAPI)) defaultDownwardItems(v.downwardAPI.items);
  if (isRecord(v.projected)) {
    for (const src of records(v.projected.sources)) {
      if (isRecord(src.downwardAPI)) defaultDownwardItems(src.downwardAPI.items);
      if (isRecord(src.serviceAccountToken)) setDefault(src.serviceAccountToken, 'expirationSeconds', 3600);
    }
  }
  if (isRecord(v.iscsi)) setDefault(v.iscsi, 'iscsiInterface', 'default');
  if (isRecord(v.rbd)) {
    setDefault(v.rbd, 'pool', 'rbd');
    setDefault(v.rbd, 'user', 'admin');
    setDefault(v.rbd, 'keyring', '/etc/ceph/keyring');
  }
  if (isRecord(v.azureDisk)) {
    setDefault(v.azureDisk, 'cachingMode', 'ReadWrite');
    setDefault(v.azureDisk, 'fsType', 'ext4');
    setDefault(v.azureDisk, 'readOnly', false);
    setDefault(v.azureDisk, 'kind', 'Shared');
  }
  if (isRecord(v.scaleIO)) {
    setDefault(v.scaleIO, 'storageMode', 'ThinProvisioned');
    setDefault(v.scaleIO, 'fsType', 'xfs');
  }
  if (isRecord(v.ephemeral) && isRecord(v.ephemeral.volumeClaimTemplate)) {
    const spec = v.ephemeral.volumeClaimTemplate.spec;
    if (isRecord(spec)) setDefault(spec, 'volumeMode', 'Filesystem');
  }
}

/** SetDefaults_PodSpec and everything below it: applies to pods and to pod templates alike. */
export function defaultPodSpec(spec: Obj): void {
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'schedulerName', 'default-scheduler');
  for (const list of ['containers', 'initContainers', 'ephemeralContainers'])
    for (const c of records(spec[list])) defaultContainer(c);
  for (const v of records(spec.volumes)) defaultVolume(v);
}

/**
 * Pod-only defaults (SetDefaults_Pod), on top of defaultPodSpec(): requests taken from limits,
 * enableServiceLinks, and host ports for hostNetwork pods. Templates do not get these.
 */
export function defaultPod(spec: Obj): void {
  defaultPodSpec(spec);
  for (const list of ['containers', 'initContainers']) {
    for (const c of records(spec[list])) {
      const res = ensureObject<Obj>(c, 'resources');
      if (!isRecord(res.limits)) continue;
      const req = ensureObject<Obj>(res, 'requests');
      for (const [k, v] of Object.entries(res.limits)) setDefault(req, k, v);
    }
  }
  setDefault(spec, 'enableServiceLinks', true);
  if (spec.hostNetwork === true) {
    for (const list of ['containers', 'initContainers'])
      for (const c of records(spec[list]))
        for (const p of records(c.ports)) setDefault(p, 'hostPort', p.containerPort);
  }
}

export function defaultPodTemplateSpec(tpl: unknown): void {
  if (!isRecord(tpl)) return;
  // upstream (v1.31) serializes the template's zero creationTimestamp as null
  setDefault(ensureObject<Obj>(tpl, 'metadata'), 'creationTimestamp', null);
  defaultPodSpec(ensureObject<Obj>(tpl, 'spec'));
}
