// Baseline checks: host namespaces, privileged, capabilities beyond the default set, hostPath
// volumes, host ports, AppArmor, SELinux, /proc mount, seccomp Unconfined, unsafe sysctls,
// Windows HostProcess.
import {
  containerSC,
  containersPhrase,
  joinQuote,
  pluralize,
  podSC,
  rec,
  records,
  sortedSet,
  visitContainers,
  type Check,
  type CheckFn,
  type Obj,
} from './checks.js';

const hostNamespaces: CheckFn = (_m, spec) => {
  const set = ['hostNetwork', 'hostPID', 'hostIPC'].filter((k) => spec[k] === true).map((k) => `${k}=true`);
  return set.length ? { reason: 'host namespaces', detail: set.join(', ') } : undefined;
};

const privileged: CheckFn = (_m, spec) => {
  const bad = visitContainers(spec)
    .filter((c) => containerSC(c)?.privileged === true)
    .map((c) => String(c.name));
  return bad.length
    ? {
        reason: 'privileged',
        detail: `${containersPhrase(bad)} must not set securityContext.privileged=true`,
      }
    : undefined;
};

const DEFAULT_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

const capabilitiesBaseline: CheckFn = (_m, spec) => {
  const bad: string[] = [];
  const caps: string[] = [];
  for (const c of visitContainers(spec)) {
    const added = (rec(containerSC(c)?.capabilities)?.add as unknown[] | undefined) ?? [];
    const forbidden = (Array.isArray(added) ? added : [])
      .map(String)
      .filter((a) => !DEFAULT_CAPABILITIES.has(a));
    if (forbidden.length) {
      bad.push(String(c.name));
      caps.push(...forbidden);
    }
  }
  return bad.length
    ? {
        reason: 'non-default capabilities',
        detail: `${containersPhrase(bad)} must not include ${joinQuote(sortedSet(caps))} in securityContext.capabilities.add`,
      }
    : undefined;
};

const hostPathVolumes: CheckFn = (_m, spec) => {
  const bad = records(spec.volumes)
    .filter((v) => rec(v.hostPath))
    .map((v) => String(v.name));
  return bad.length
    ? {
        reason: 'hostPath volumes',
        detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)}`,
      }
    : undefined;
};

const hostPorts: CheckFn = (_m, spec) => {
  const bad: string[] = [];
  const ports: string[] = [];
  for (const c of visitContainers(spec)) {
    const used = records(c.ports).filter((p) => typeof p.hostPort === 'number' && p.hostPort !== 0);
    if (used.length) {
      bad.push(String(c.name));
      ports.push(...used.map((p) => String(p.hostPort)));
    }
  }
  if (!bad.length) return undefined;
  const list = sortedSet(ports);
  return {
    reason: 'hostPort',
    detail: `${containersPhrase(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', list.length)} ${list.join(', ')}`,
  };
};

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';
const appArmorProfile: CheckFn = (meta, spec) => {
  const allowedType = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
  const badValues: string[] = [];
  let bad = false;
  const podProfile = rec(podSC(spec)?.appArmorProfile);
  if (podProfile && !allowedType(podProfile.type)) {
    bad = true;
    badValues.push(String(podProfile.type ?? ''));
  }
  for (const c of visitContainers(spec)) {
    const p = rec(containerSC(c)?.appArmorProfile);
    if (p && !allowedType(p.type)) {
      bad = true;
      badValues.push(String(p.type ?? ''));
    }
  }
  const annotations = (rec(meta.annotations) ?? {}) as Record<string, unknown>;
  const forbiddenAnnotations = Object.entries(annotations)
    .filter(([k, v]) => {
      const value = String(v);
      return (
        k.startsWith(APPARMOR_ANNOTATION_PREFIX) &&
        !(value === '' || value === 'runtime/default' || value.startsWith('localhost/'))
      );
    })
    .map(([k, v]) => `${k}=${JSON.stringify(String(v))}`)
    .sort();
  const list = [...sortedSet(badValues), ...forbiddenAnnotations];
  if (!bad && forbiddenAnnotations.length === 0) return undefined;
  return {
    reason: pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', list.length),
    detail: list.join(', '),
  };
};

function seLinuxCheck(allowedTypes: Set<string>): CheckFn {
  return (_m, spec) => {
    const badTypes: string[] = [];
    let setUser = false;
    let setRole = false;
    const valid = (opts: Obj) => {
      let ok = true;
      const type = typeof opts.type === 'string' ? opts.type : '';
      if (!allowedTypes.has(type)) {
        ok = false;
        badTypes.push(type);
      }
      if (typeof opts.user === 'string' && opts.user) {
        ok = false;
        setUser = true;
      }
      if (typeof opts.role === 'string' && opts.role) {
        ok = false;
        setRole = true;
      }
      return ok;
    };
    const setters: string[] = [];
    const podOpts = rec(podSC(spec)?.seLinuxOptions);
    if (podOpts && !valid(podOpts)) setters.push('pod');
    const badContainers = visitContainers(spec)
      .filter((c) => {
        const o = rec(containerSC(c)?.seLinuxOptions);
        return o !== undefined && !valid(o);
      })
      .map((c) => String(c.name));
    if (badContainers.length) setters.push(containersPhrase(badContainers));
    if (!setters.length) return undefined;
    const data: string[] = [];
    const types = sortedSet(badTypes);
    if (types.length) data.push(`${pluralize('type', 'types', types.length)} ${joinQuote(types)}`);
    if (setUser) data.push('user may not be set');
    if (setRole) data.push('role may not be set');
    return {
      reason: 'seLinuxOptions',
      detail: `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}`,
    };
  };
}
const SELINUX_TYPES_1_0 = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const SELINUX_TYPES_1_31 = new Set([...SELINUX_TYPES_1_0, 'container_engine_t']);

const procMount: CheckFn = (_m, spec) => {
  const bad: string[] = [];
  const types: string[] = [];
  for (const c of visitContainers(spec)) {
    const pm = containerSC(c)?.procMount;
    if (pm === undefined || pm === null || pm === 'Default') continue;
    bad.push(String(c.name));
    types.push(String(pm));
  }
  return bad.length
    ? {
        reason: 'procMount',
        detail: `${containersPhrase(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}`,
      }
    : undefined;
};

/** seccomp: baseline only forbids an explicit Unconfined */
const seccompBaseline: CheckFn = (_m, spec) => {
  const setters: string[] = [];
  const values: string[] = [];
  const bad = (p: Obj | undefined) => p !== undefined && p.type === 'Unconfined';
  const podProfile = rec(podSC(spec)?.seccompProfile);
  if (bad(podProfile)) {
    setters.push('pod');
    values.push('Unconfined');
  }
  const badContainers = visitContainers(spec)
    .filter((c) => bad(rec(containerSC(c)?.seccompProfile)))
    .map((c) => String(c.name));
  if (badContainers.length) {
    setters.push(containersPhrase(badContainers));
    values.push('Unconfined');
  }
  return setters.length
    ? {
        reason: 'seccompProfile',
        detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}`,
      }
    : undefined;
};

const SYSCTLS_1_0 = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];
const SYSCTLS_1_27 = [...SYSCTLS_1_0, 'net.ipv4.ip_local_reserved_ports'];
const SYSCTLS_1_29 = [
  ...SYSCTLS_1_27,
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
function sysctlsCheck(allowed: string[]): CheckFn {
  const ok = new Set(allowed);
  return (_m, spec) => {
    const bad = records(podSC(spec)?.sysctls)
      .map((s) => String(s.name))
      .filter((n) => !ok.has(n));
    return bad.length ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
  };
}

const windowsHostProcess: CheckFn = (_m, spec) => {
  const hostProcess = (sc: Obj | undefined) => rec(sc?.windowsOptions)?.hostProcess === true;
  const setters: string[] = [];
  if (hostProcess(podSC(spec))) setters.push('pod');
  const bad = visitContainers(spec)
    .filter((c) => hostProcess(containerSC(c)))
    .map((c) => String(c.name));
  if (bad.length) setters.push(containersPhrase(bad));
  return setters.length
    ? {
        reason: 'hostProcess',
        detail: `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`,
      }
    : undefined;
};

export const baselineChecks: Check[] = [
  { id: 'appArmorProfile', level: 'baseline', versions: [{ minor: 0, fn: appArmorProfile }] },
  { id: 'capabilities_baseline', level: 'baseline', versions: [{ minor: 0, fn: capabilitiesBaseline }] },
  { id: 'hostNamespaces', level: 'baseline', versions: [{ minor: 0, fn: hostNamespaces }] },
  { id: 'hostPathVolumes', level: 'baseline', versions: [{ minor: 0, fn: hostPathVolumes }] },
  { id: 'hostPorts', level: 'baseline', versions: [{ minor: 0, fn: hostPorts }] },
  { id: 'privileged', level: 'baseline', versions: [{ minor: 0, fn: privileged }] },
  { id: 'procMount', level: 'baseline', versions: [{ minor: 0, fn: procMount }] },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    versions: [
      { minor: 0, fn: seLinuxCheck(SELINUX_TYPES_1_0) },
      { minor: 31, fn: seLinuxCheck(SELINUX_TYPES_1_31) },
    ],
  },
  { id: 'seccompProfile_baseline', level: 'baseline', versions: [{ minor: 0, fn: seccompBaseline }] },
  {
    id: 'sysctls',
    level: 'baseline',
    versions: [
      { minor: 0, fn: sysctlsCheck(SYSCTLS_1_0) },
      { minor: 27, fn: sysctlsCheck(SYSCTLS_1_27) },
      { minor: 29, fn: sysctlsCheck(SYSCTLS_1_29) },
    ],
  },
  { id: 'windowsHostProcess', level: 'baseline', versions: [{ minor: 0, fn: windowsHostProcess }] },
];
