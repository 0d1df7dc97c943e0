// Pod and pod-template defaults, as upstream's SetDefaults_PodSpec / _Container / _Probe /
// _Volume make them (what `kubectl get -o yaml` shows for a minimal manifest).
import { isRecord } from '../../../api/types.js';
import { ensureObject, setDefault } from '../define.js';

type Obj = Record<string, unknown>;

/** IfNotPresent for a tagged image, Always for :latest or no tag (upstream's rule; digests count as tagged). */
export function defaultPullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const tagAt = image.indexOf(':', lastSlash + 1);
  if (tagAt < 0) return 'Always';
  return image.slice(tagAt + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(p: unknown): void {
  if (!isRecord(p)) return;
  setDefault(p, 'timeoutSeconds', 1);
  setDefault(p, 'periodSeconds', 10);
  setDefault(p, 'successThreshold', 1);
  setDefault(p, 'failureThreshold', 3);
  if (isRecord(p.httpGet)) setDefault(p.httpGet, 'scheme', 'HTTP');
}

function defaultLifecycleHandler(h: unknown): void {
  if (isRecord(h) && isRecord(h.httpGet)) setDefault(h.httpGet, 'scheme', 'HTTP');
}

export function defaultContainer(c: Obj): void {
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  const res = ensureObject<Obj>(c, 'resources');
  // requests default to limits where only limits are given (upstream's SetDefaults_ResourceRequirements via pod defaults)
  if (isRecord(res.limits)) {
    const req = ensureObject<Obj>(res, 'requests');
    for (const [k, v] of Object.entries(res.limits)) setDefault(req, k, v);
  }
  for (const p of Array.isArray(c.ports) ? c.ports : []) if (isRecord(p)) setDefault(p, 'protocol', 'TCP');
  for (const e of Array.isArray(c.env) ? c.env : []) {
    if (isRecord(e) && isRecord(e.valueFrom) && isRecord(e.valueFrom.fieldRef)) setDefault(e.valueFrom.fieldRef, 'apiVersion', 'v1');
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isRecord(c.lifecycle)) {
    defaultLifecycleHandler(c.lifecycle.postStart);
    defaultLifecycleHandler(c.lifecycle.preStop);
  }
}

function defaultVolume(v: Obj): void {
  if (Object.keys(v).length === 1 && v.name !== undefined) v.emptyDir = {};
  for (const kind of ['configMap', 'secret', 'downwardAPI', 'projected']) {
    if (isRecord(v[kind])) setDefault(v[kind] as Obj, 'defaultMode', 420);
  }
  if (isRecord(v.hostPath)) setDefault(v.hostPath, 'type', '');
  if (isRecord(v.downwardAPI)) {
    for (const item of Array.isArray(v.downwardAPI.items) ? v.downwardAPI.items : []) {
      if (isRecord(item) && isRecord(item.fieldRef)) setDefault(item.fieldRef, 'apiVersion', 'v1');
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
}

export function defaultPodSpec(spec: Obj): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'enableServiceLinks', true);
  if (spec.hostNetwork === true && Array.isArray(spec.containers)) {
    // with hostNetwork, container ports default hostPort to containerPort
    for (const c of spec.containers) {
      for (const p of isRecord(c) && Array.isArray(c.ports) ? c.ports : []) if (isRecord(p)) setDefault(p, 'hostPort', p.containerPort);
    }
  }
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    for (const c of Array.isArray(spec[list]) ? (spec[list] as unknown[]) : []) if (isRecord(c)) defaultContainer(c);
  }
  for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) if (isRecord(v)) defaultVolume(v);
}

export function defaultPodTemplateSpec(tpl: unknown): void {
  if (!isRecord(tpl)) return;
  // upstream (v1.31) serializes the template's zero creationTimestamp as null
  setDefault(ensureObject<Obj>(tpl, 'metadata'), 'creationTimestamp', null);
  defaultPodSpec(ensureObject<Obj>(tpl, 'spec'));
}
