// Pod spec → CRI configs, as upstream's kuberuntime (generatePodSandboxConfig,
// generateContainerConfig): sandbox metadata, hostname, log directory, cgroup parent, DNS;
// container command/args/env with $(VAR) expansion, working dir, mounts, resources.
// Volumes (emptyDir, hostPath, the projected kube-api-access-*) become host directories.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { milliValue, quantityValue, tryParseQuantity } from '../../api/quantity.js';
import type {
  ContainerConfig,
  LinuxContainerResources,
  Mount,
  NamespaceOption,
  PodSandboxConfig,
} from '../../cri/types.js';
import type { ContainerSpec, Pod } from './types.js';
import { PodVolumes, isManagedVolume } from '../volumes/manager.js';
import { buildEnv, type EnvFromSource, type EnvObjects, type EnvVar } from './env.js';
import { podDnsConfig, type HostResolvConf, type PodDnsSpec } from './dns-config.js';
import { setVolumeOwnership } from '../volumes/ownership.js';
import { ensureTmpfs, memoryVolumeSize } from '../volumes/tmpfs.js';
import {
  containerSecurityContext,
  podSecurityContext,
  sandboxSecurityContext,
  type ImageUser,
  type SecurityContext,
} from './security-context.js';
import { podSysctls } from './sysctls.js';
import { terminationMessageMount } from './termination-message.js';

/** The container fields the CRI runtime reads beyond the shared ContainerSpec. */
export interface FullContainerSpec extends ContainerSpec {
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  securityContext?: SecurityContext;
}

export interface VolumeSpec {
  name: string;
  emptyDir?: { medium?: string; sizeLimit?: string };
  hostPath?: { path: string };
  projected?: { sources?: Record<string, unknown>[] };
}

export interface PodContext {
  podDir: string;
  cgroupParent: string;
  clusterDNS: string[];
  clusterDomain: string;
  /** The node's resolv.conf (dnsPolicy Default, and the search list ClusterFirst extends). */
  hostDNS: HostResolvConf;
  caCert: string;
  token: string;
  /** configMap, secret, downwardAPI and projected volumes are written by volumes/manager.ts. */
  managedVolumes?: boolean;
  /** Memory-backed volumes are tmpfs mounts (needs root; the containerd runtime sets it). */
  memoryVolumes?: boolean;
  /** persistentVolumeClaim volumes' directories, by volume name (volumes/manager.ts fills it). */
  claimPaths?: Map<string, string>;
  /** The service variables of the pod's containers (KUBERNETES_SERVICE_HOST, ...), read at container start. */
  serviceEnv?: () => Map<string, string>;
}

const QUOTA_PERIOD = 100_000;

export function podDir(dataDir: string, uid: string): string {
  return join(dataDir, 'agent', 'pods', uid);
}

export function sandboxConfig(pod: Pod, ctx: PodContext, attempt: number): PodSandboxConfig {
  const ns = pod.metadata.namespace ?? 'default';
  const uid = pod.metadata.uid ?? '';
  const name = pod.metadata.name ?? '';
  const spec = pod.spec as Pod['spec'] & { hostname?: string; subdomain?: string };
  const ports = pod.spec.containers.flatMap((c) =>
    (c.ports ?? [])
      .filter((p) => p.hostPort)
      .map((p) => ({
        protocol: (p.protocol ?? 'TCP') as 'TCP',
        container_port: p.containerPort,
        host_port: p.hostPort,
      })),
  );
  return {
    metadata: { name, uid, namespace: ns, attempt },
    // a hostNetwork pod shares the node's UTS namespace: no hostname of its own (runc refuses one)
    hostname: pod.spec.hostNetwork ? '' : (spec.hostname ?? name).slice(0, 63),
    log_directory: join(ctx.podDir, 'logs'),
    dns_config: podDnsConfig(
      { ...(pod.spec as Omit<PodDnsSpec, 'namespace'>), namespace: ns },
      {
        clusterDNS: ctx.clusterDNS,
        clusterDomain: ctx.clusterDomain,
        host: ctx.hostDNS,
      },
    ),
    port_mappings: ports,
    labels: {
      'io.kubernetes.pod.name': name,
      'io.kubernetes.pod.namespace': ns,
      'io.kubernetes.pod.uid': uid,
    },
    annotations: pod.metadata.annotations ?? {},
    linux: {
      cgroup_parent: ctx.cgroupParent,
      security_context: sandboxSecurityContext(pod, podNamespaces(pod)),
      sysctls: podSysctls(pod),
    },
  };
}

/**
 * As upstream's namespacesForPod: the host's namespaces for hostNetwork/hostPID/hostIPC; one
 * PID namespace per pod with shareProcessNamespace, else the container's own (POD, the proto's
 * zero value, would make the sandbox's pause process PID 1 of every container).
 */
export function podNamespaces(pod: Pod): NamespaceOption {
  const s = pod.spec;
  return {
    network: s.hostNetwork ? 'NODE' : 'POD',
    pid: s.hostPID ? 'NODE' : s.shareProcessNamespace ? 'POD' : 'CONTAINER',
    ipc: s.hostIPC ? 'NODE' : 'POD',
  };
}

/**
 * A container's namespaces: the pod's, except that an ephemeral container with a target joins
 * the target's PID namespace when the pod has per-container ones (upstream: TARGET).
 */
function containerNamespaces(pod: Pod, pidTarget: string | undefined): NamespaceOption {
  const ns = podNamespaces(pod);
  if (pidTarget && ns.pid === 'CONTAINER') return { ...ns, pid: 'TARGET', target_id: pidTarget };
  return ns;
}

/** Kubernetes' $(VAR) expansion: $$ escapes, unknown references stay as written. */
export function expandVars(s: string, vars: Map<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) =>
    m === '$$' ? '$' : (vars.get(name ?? '') ?? m),
  );
}

function fieldValue(pod: Pod, path: string, podIP: string): string | undefined {
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace;
    case 'metadata.uid':
      return pod.metadata.uid;
    case 'spec.nodeName':
      return pod.spec.nodeName;
    case 'status.podIP':
      return podIP;
  }
  return undefined;
}

export function containerEnv(
  pod: Pod,
  c: FullContainerSpec,
  podIP: string,
  objs?: EnvObjects,
  serviceVars: Map<string, string> = new Map(),
): Map<string, string> {
  // with the ConfigMaps and Secrets fetched, the full upstream environment (runtime/env.ts)
  if (objs) return buildEnv(pod, c, objs, { podIP }, serviceVars);
  // the service variables first: the container's env overrides them and may refer to them
  const vars = new Map<string, string>(serviceVars);
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.fieldRef?.fieldPath;
    const v = ref ? fieldValue(pod, ref, podIP) : expandVars(e.value ?? '', vars);
    if (v !== undefined) vars.set(e.name, v);
  }
  return vars;
}

export function linuxResources(c: FullContainerSpec): LinuxContainerResources {
  const r: LinuxContainerResources = {};
  const q = (v: string | undefined) => (v === undefined ? undefined : tryParseQuantity(v));
  const mem = q(c.resources?.limits?.memory);
  if (mem) r.memory_limit_in_bytes = quantityValue(mem).toString();
  const cpuLimit = q(c.resources?.limits?.cpu);
  if (cpuLimit) {
    r.cpu_period = QUOTA_PERIOD;
    r.cpu_quota = Math.max(1000, Math.ceil((Number(milliValue(cpuLimit)) * QUOTA_PERIOD) / 1000));
  }
  const cpuReq = q(c.resources?.requests?.cpu) ?? cpuLimit;
  r.cpu_shares = cpuReq ? Math.max(2, Math.floor((Number(milliValue(cpuReq)) * 1024) / 1000)) : 2;
  return r;
}

/** Host directory of a volume (created on first use); undefined for a kind not supported. */
export function volumeHostPath(pod: Pod, v: VolumeSpec, ctx: PodContext): string | undefined {
  if (ctx.managedVolumes && isManagedVolume(v)) return PodVolumes.dirOf(ctx.podDir, v);
  const claimPath = ctx.claimPaths?.get(v.name);
  if (claimPath) return claimPath;
  const { fsGroup, fsGroupChangePolicy: policy } = podSecurityContext(pod);
  if (v.emptyDir) {
    const dir = join(ctx.podDir, 'volumes', 'kubernetes.io~empty-dir', v.name);
    const created = !existsSync(dir);
    if (created) mkdirSync(dir, { recursive: true, mode: 0o777 });
    const mounted =
      !!ctx.memoryVolumes &&
      v.emptyDir.medium === 'Memory' &&
      ensureTmpfs(dir, memoryVolumeSize(pod, v.emptyDir.sizeLimit));
    if (created || mounted) {
      chmodSync(dir, 0o777); // not narrowed by the umask
      setVolumeOwnership(dir, { fsGroup, readOnly: false, policy });
    }
    return dir;
  }
  if (v.hostPath) return v.hostPath.path;
  if (v.projected && v.name.startsWith('kube-api-access-')) {
    // serviceAccountToken + kube-root-ca.crt + the downward API namespace, as the admission plugin lays it out
    const dir = join(ctx.podDir, 'volumes', 'kubernetes.io~projected', v.name);
    mkdirSync(dir, { recursive: true });
    if (ctx.memoryVolumes) ensureTmpfs(dir, memoryVolumeSize(pod)); // the token never reaches the disk
    writeFileSync(join(dir, 'token'), ctx.token, { mode: 0o644 });
    writeFileSync(join(dir, 'ca.crt'), ctx.caCert, { mode: 0o644 });
    writeFileSync(join(dir, 'namespace'), pod.metadata.namespace ?? 'default', { mode: 0o644 });
    setVolumeOwnership(dir, { fsGroup, readOnly: true, policy });
    return dir;
  }
  return undefined;
}

export function containerMounts(pod: Pod, c: FullContainerSpec, ctx: PodContext): Mount[] {
  const volumes = (pod.spec as { volumes?: VolumeSpec[] }).volumes ?? [];
  return (c.volumeMounts ?? []).map((m) => {
    const v = volumes.find((x) => x.name === m.name);
    const host = v && volumeHostPath(pod, v, ctx);
    if (!host) throw new Error(`volume "${m.name}" is of a kind this runtime does not support`);
    const hostPath = m.subPath ? join(host, m.subPath) : host;
    if (m.subPath && !existsSync(hostPath)) mkdirSync(hostPath, { recursive: true });
    // API-backed volumes are always read-only, as upstream mounts them
    const readonly = !!m.readOnly || (!!ctx.managedVolumes && isManagedVolume(v));
    return { container_path: m.mountPath, host_path: hostPath, readonly };
  });
}

export function containerConfig(
  pod: Pod,
  c: FullContainerSpec,
  imageRef: string,
  attempt: number,
  ctx: PodContext,
  podIP: string,
  envObjects?: EnvObjects,
  imageUser?: ImageUser,
  pidTarget?: string,
): ContainerConfig {
  const vars = containerEnv(pod, c, podIP, envObjects, ctx.serviceEnv?.());
  const termination = terminationMessageMount(ctx.podDir, c, attempt);
  return {
    metadata: { name: c.name, attempt },
    image: { image: imageRef, user_specified_image: c.image },
    command: c.command?.map((s) => expandVars(s, vars)),
    args: c.args?.map((s) => expandVars(s, vars)),
    working_dir: c.workingDir,
    envs: [...vars].map(([key, value]) => ({ key, value })),
    mounts: [...containerMounts(pod, c, ctx), ...termination.mounts],
    annotations: termination.annotations,
    labels: {
      'io.kubernetes.container.name': c.name,
      'io.kubernetes.pod.name': pod.metadata.name ?? '',
      'io.kubernetes.pod.namespace': pod.metadata.namespace ?? 'default',
      'io.kubernetes.pod.uid': pod.metadata.uid ?? '',
    },
    log_path: `${c.name}/${attempt}.log`,
    stdin: !!c.stdin,
    stdin_once: !!c.stdinOnce,
    tty: !!c.tty,
    linux: {
      resources: linuxResources(c),
      security_context: containerSecurityContext(pod, c, containerNamespaces(pod, pidTarget), imageUser),
    },
  };
}
