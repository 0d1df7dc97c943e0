// What a pod references, as upstream's podutil.VisitPodSecretNames / VisitPodConfigmapNames and
// the graph populator's PVC edges: the objects a kubelet may read for the pods bound to it.
import type { KubeObject } from '../../../api/types.js';

interface Ref {
  name?: string;
}
interface EnvVar {
  valueFrom?: { secretKeyRef?: Ref; configMapKeyRef?: Ref };
}
interface EnvFrom {
  secretRef?: Ref;
  configMapRef?: Ref;
}
interface Container {
  env?: EnvVar[];
  envFrom?: EnvFrom[];
}
interface Projection {
  secret?: Ref;
  configMap?: Ref;
}
interface Volume {
  name?: string;
  secret?: { secretName?: string };
  configMap?: Ref;
  projected?: { sources?: Projection[] };
  persistentVolumeClaim?: { claimName?: string };
  ephemeral?: unknown;
  csi?: { nodePublishSecretRef?: Ref };
  azureFile?: { secretName?: string };
  cephfs?: { secretRef?: Ref };
  cinder?: { secretRef?: Ref };
  flexVolume?: { secretRef?: Ref };
  rbd?: { secretRef?: Ref };
  scaleIO?: { secretRef?: Ref };
  iscsi?: { secretRef?: Ref };
  storageos?: { secretRef?: Ref };
}
export interface PodSpec {
  nodeName?: string;
  serviceAccountName?: string;
  imagePullSecrets?: Ref[];
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: Volume[];
}

export interface PodRefs {
  secrets: string[];
  configmaps: string[];
  pvcs: string[];
  serviceAccount: string | undefined;
}

export function podRefs(pod: KubeObject): PodRefs {
  const spec = (pod.spec ?? {}) as PodSpec;
  const secrets = new Set<string>();
  const configmaps = new Set<string>();
  const pvcs = new Set<string>();
  const add = (set: Set<string>, name: string | undefined) => {
    if (name) set.add(name);
  };
  for (const s of spec.imagePullSecrets ?? []) add(secrets, s.name);
  for (const c of [
    ...(spec.containers ?? []),
    ...(spec.initContainers ?? []),
    ...(spec.ephemeralContainers ?? []),
  ]) {
    for (const e of c.envFrom ?? []) {
      add(secrets, e.secretRef?.name);
      add(configmaps, e.configMapRef?.name);
    }
    for (const e of c.env ?? []) {
      add(secrets, e.valueFrom?.secretKeyRef?.name);
      add(configmaps, e.valueFrom?.configMapKeyRef?.name);
    }
  }
  for (const v of spec.volumes ?? []) {
    add(secrets, v.secret?.secretName);
    add(configmaps, v.configMap?.name);
    for (const p of v.projected?.sources ?? []) {
      add(secrets, p.secret?.name);
      add(configmaps, p.configMap?.name);
    }
    add(pvcs, v.persistentVolumeClaim?.claimName);
    // a generic ephemeral volume's claim is named <pod>-<volume>
    if (v.ephemeral && v.name) pvcs.add(`${pod.metadata.name}-${v.name}`);
    add(secrets, v.csi?.nodePublishSecretRef?.name);
    add(secrets, v.azureFile?.secretName);
    for (const r of [v.cephfs, v.cinder, v.flexVolume, v.rbd, v.scaleIO, v.iscsi, v.storageos])
      add(secrets, r?.secretRef?.name);
  }
  return {
    secrets: [...secrets],
    configmaps: [...configmaps],
    pvcs: [...pvcs],
    serviceAccount: spec.serviceAccountName || undefined,
  };
}

interface SecretRef {
  name?: string;
  namespace?: string;
}

/** Secrets a PersistentVolume's source names, as [namespace, name] (upstream's VisitPVSecretNames). */
export function persistentVolumeSecrets(pv: KubeObject, claimNamespace: string): [string, string][] {
  const spec = (pv.spec ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const out: [string, string][] = [];
  const ref = (r: unknown, dflt: string) => {
    const x = r as SecretRef | undefined;
    if (x?.name) out.push([x.namespace || dflt, x.name]);
  };
  const af = spec.azureFile as { secretName?: string; secretNamespace?: string } | undefined;
  if (af?.secretName) out.push([af.secretNamespace || claimNamespace, af.secretName]);
  for (const k of ['cephfs', 'cinder', 'flexVolume', 'rbd', 'scaleIO', 'storageos'])
    ref(spec[k]?.secretRef, claimNamespace);
  const iscsi = spec.iscsi;
  ref(iscsi?.secretRef, claimNamespace);
  const csi = spec.csi;
  for (const k of [
    'nodePublishSecretRef',
    'nodeStageSecretRef',
    'nodeExpandSecretRef',
    'controllerPublishSecretRef',
    'controllerExpandSecretRef',
  ])
    ref(csi?.[k], '');
  return out;
}
