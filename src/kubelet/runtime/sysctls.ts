// Pod sysctls (spec.securityContext.sysctls), as upstream's kubelet: the sysctl admission
// handler (pkg/kubelet/sysctl) admits a pod only when every sysctl is on the safe list or
// matches --allowed-unsafe-sysctls, and not one of the host's namespaces the pod shares
// (hostNetwork for net.*, hostIPC for the IPC ones); the sandbox then sets them.
import type { Pod } from './types.js';
import { podSecurityContext } from './security-context.js';

/** upstream's SafeSysctlAllowlist (1.31; the kernel-version gates hold on any current kernel). */
export const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];

/** The kubelet's pod rejection reason (ForbiddenReason). */
export const SYSCTL_FORBIDDEN = 'SysctlForbidden';

/** upstream's sysctl.NormalizeName: `a/b.c/d` (slash-separated) is `a.b/c.d`. */
export function normalizeSysctlName(name: string): string {
  const firstSep = name.search(/[./]/);
  if (firstSep < 0 || name[firstSep] === '.') return name;
  return name.replace(/[./]/g, (ch) => (ch === '/' ? '.' : '/'));
}

/** The namespace a sysctl is isolated by (upstream's NamespacedBy), or undefined (node-wide). */
function namespacedBy(name: string): 'ipc' | 'net' | undefined {
  if (/^kernel\.(shm|msg)/.test(name) || name === 'kernel.sem' || name.startsWith('fs.mqueue.')) return 'ipc';
  if (name.startsWith('net.')) return 'net';
  return undefined;
}

export class SysctlAllowlist {
  private readonly exact = new Set<string>(SAFE_SYSCTLS);
  private readonly prefixes: string[] = [];

  /** `unsafe`: --allowed-unsafe-sysctls patterns (`kernel.msg*`, `net.core.somaxconn`). */
  constructor(unsafe: string[] = []) {
    for (const raw of unsafe) {
      const p = normalizeSysctlName(raw.trim());
      if (!p) continue;
      if (!namespacedBy(p.replace(/\*$/, '')))
        throw new Error(`the sysctls ${JSON.stringify(p)} are not known to be namespaced`);
      if (p.endsWith('*')) this.prefixes.push(p.slice(0, -1));
      else this.exact.add(p);
    }
  }

  /** undefined to admit the pod, else upstream's rejection message. */
  admit(pod: Pod): string | undefined {
    const spec = pod.spec as { hostNetwork?: boolean; hostIPC?: boolean };
    for (const s of podSecurityContext(pod).sysctls ?? []) {
      const name = normalizeSysctlName(s.name);
      const allowed = this.exact.has(name) || this.prefixes.some((p) => name.startsWith(p));
      if (!allowed) return `forbidden sysctl: "${name}" not allowlisted`;
      const ns = namespacedBy(name);
      if ((ns === 'net' && spec.hostNetwork) || (ns === 'ipc' && spec.hostIPC))
        return `forbidden sysctl: "${name}" not allowed with host ${ns} enabled`;
    }
    return undefined;
  }
}

/** The sandbox's sysctls (CRI LinuxPodSandboxConfig.sysctls), names dot-separated. */
export function podSysctls(pod: Pod): Record<string, string> {
  return Object.fromEntries(
    (podSecurityContext(pod).sysctls ?? []).map((s) => [normalizeSysctlName(s.name), s.value]),
  );
}
