// The private containerd configuration of a k8ts agent, as pure functions of the data dir.
// Every setting below is either required on this kind of machine (see docs in node-runtime
// notes: restrict_oom_score_adj, netns_mounts_under_state_dir, runc with cgroupfs) or keeps the
// agent's containerd from touching the host's (own root, state, socket, opt dir, CNI conf dir).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ContainerdPaths {
  /** <data-dir>/agent/containerd */
  base: string;
  root: string;
  state: string;
  socket: string;
  config: string;
  /** registry host configs (config_path): <registry>/hosts.toml */
  certsDir: string;
  log: string;
  /** CNI config dir the CRI plugin reads (the agent writes the conflist there). */
  cniConfDir: string;
  /** <data-dir>/agent/images: tarballs imported at start. */
  imagesDir: string;
}

export function containerdPaths(dataDir: string): ContainerdPaths {
  const agent = join(dataDir, 'agent');
  const base = join(agent, 'containerd');
  return {
    base,
    root: join(base, 'root'),
    state: join(base, 'state'),
    socket: join(base, 'containerd.sock'),
    config: join(base, 'config.toml'),
    certsDir: join(base, 'certs.d'),
    log: join(base, 'containerd.log'),
    cniConfDir: join(agent, 'etc', 'cni', 'net.d'),
    imagesDir: join(agent, 'images'),
  };
}

export interface ContainerdConfigOptions {
  sandboxImage?: string;
  /** CNI plugin binaries (Debian's containernetworking-plugins installs them here). */
  cniBinDir?: string;
  runcPath?: string;
  /** Address for the CRI streaming server (exec/attach/port-forward URLs); port 0 = any free one. */
  streamAddress?: string;
  streamPort?: number;
}

/** TOML basic string: JSON's escaping is a subset TOML accepts. */
function q(s: string): string {
  return JSON.stringify(s);
}

export function containerdConfig(p: ContainerdPaths, o: ContainerdConfigOptions = {}): string {
  const cri = '[plugins."io.containerd.grpc.v1.cri"';
  return `# Written by the k8ts agent at every start; edits are overwritten.
version = 2
root = ${q(p.root)}
state = ${q(p.state)}
oom_score = 0
# Snapshotters this node cannot use only slow the start down and log warnings.
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = ${q(p.socket)}

[ttrpc]
  address = ""

[debug]
  address = ""
  level = "info"

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(p.root, 'opt'))}

${cri}]
  sandbox_image = ${q(o.sandboxImage ?? 'registry.k8s.io/pause:3.9')}
  stream_server_address = ${q(o.streamAddress ?? '127.0.0.1')}
  stream_server_port = ${q(String(o.streamPort ?? 0))}
  enable_selinux = false
  disable_apparmor = true
  # Without it RunPodSandbox fails here ("can't get final child's PID from pipe: EOF"): the
  # machine lacks CAP_SYS_RESOURCE, so oom_score_adj may only be raised.
  restrict_oom_score_adj = true
  # Keeps pod netns mounts away from /run/netns, where \`ip netns\` users would make them busy.
  netns_mounts_under_state_dir = true
  max_container_log_line_size = 16384
  enable_cdi = false

${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"
  # The embedded registry mirror serves layers from the content store: keep them.
  discard_unpacked_layers = false

${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

${cri}.containerd.runtimes.runc.options]
  BinaryName = ${q(o.runcPath ?? '/usr/sbin/runc')}
  # cgroupfs driver: the kubelet passes cgroup_parent paths such as /kubepods/burstable/pod<uid>.
  SystemdCgroup = false

${cri}.cni]
  bin_dir = ${q(o.cniBinDir ?? '/usr/lib/cni')}
  conf_dir = ${q(p.cniConfDir)}
  max_conf_num = 1

${cri}.registry]
  config_path = ${q(p.certsDir)}
`;
}

/** Registries whose pulls go to the embedded mirror first (then to the registry itself). */
export const MIRRORED_REGISTRIES: Record<string, string> = {
  'docker.io': 'https://registry-1.docker.io',
  'registry.k8s.io': 'https://registry.k8s.io',
  'k8ts.io': 'https://k8ts.io',
};

/**
 * hosts.toml for one registry (containerd's config_path format): try the mirror, which answers
 * for images this node has, then the upstream registry. containerd reads it at each pull.
 */
export function registryHostsToml(upstream: string, mirrorUrl: string): string {
  return `# Written by the k8ts agent: the embedded registry mirror first, then the registry.
server = ${q(upstream)}

[host.${q(mirrorUrl)}]
  capabilities = ["pull", "resolve"]
`;
}

/** Points containerd's pulls for MIRRORED_REGISTRIES at the mirror (config_path dir layout). */
export function writeMirrorHosts(certsDir: string, mirrorUrl: string): void {
  for (const [registry, upstream] of Object.entries(MIRRORED_REGISTRIES)) {
    const dir = join(certsDir, registry);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'hosts.toml'), registryHostsToml(upstream, mirrorUrl));
  }
}

/** Removes the hosts.toml files writeMirrorHosts wrote (not ones a user put there). */
export function removeMirrorHosts(certsDir: string): void {
  for (const registry of Object.keys(MIRRORED_REGISTRIES)) {
    const file = join(certsDir, registry, 'hosts.toml');
    if (existsSync(file) && readFileSync(file, 'utf8').startsWith('# Written by the k8ts agent'))
      rmSync(file);
  }
}
