// Restricted checks: only safe volume types, no privilege escalation, all capabilities dropped
// (NET_BIND_SERVICE may be added back), non-root, seccomp RuntimeDefault or Localhost. Windows
// pods are exempt from the Linux-only ones from policy v1.25 on.
import {
  containerSC,
  containersPhrase,
  isWindows,
  joinQuote,
  pluralize,
  podSC,
  rec,
  records,
  sortedSet,
  visitContainers,
  type Check,
  type CheckFn,
} from './checks.js';

const ALLOWED_VOLUMES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
/** the order upstream names a restricted volume's type in */
const KNOWN_VOLUMES = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
];

const restrictedVolumes: CheckFn = (_m, spec) => {
  const bad: string[] = [];
  const types: string[] = [];
  for (const v of records(spec.volumes)) {
    if (ALLOWED_VOLUMES.some((k) => v[k] !== undefined && v[k] !== null)) continue;
    bad.push(String(v.name));
    types.push(KNOWN_VOLUMES.find((k) => v[k] !== undefined && v[k] !== null) ?? 'unknown');
  }
  if (!bad.length) return undefined;
  const list = sortedSet(types);
  return {
    reason: 'restricted volume types',
    detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('restricted volume type', 'restricted volume types', list.length)} ${joinQuote(list)}`,
  };
};

const allowPrivilegeEscalation =
  (windowsExempt: boolean): CheckFn =>
  (_m, spec) => {
    if (windowsExempt && isWindows(spec)) return undefined;
    const bad = visitContainers(spec)
      .filter((c) => containerSC(c)?.allowPrivilegeEscalation !== false)
      .map((c) => String(c.name));
    return bad.length
      ? {
          reason: 'allowPrivilegeEscalation != false',
          detail: `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false`,
        }
      : undefined;
  };

const capabilitiesRestricted =
  (windowsExempt: boolean): CheckFn =>
  (_m, spec) => {
    if (windowsExempt && isWindows(spec)) return undefined;
    const missingDrop: string[] = [];
    const adding: string[] = [];
    const forbidden: string[] = [];
    for (const c of visitContainers(spec)) {
      const caps = rec(containerSC(c)?.capabilities);
      if (!caps) {
        missingDrop.push(String(c.name));
        continue;
      }
      const drop = Array.isArray(caps.drop) ? caps.drop.map(String) : [];
      if (!drop.includes('ALL')) missingDrop.push(String(c.name));
      const add = (Array.isArray(caps.add) ? caps.add.map(String) : []).filter(
        (a) => a !== 'NET_BIND_SERVICE',
      );
      if (add.length) {
        adding.push(String(c.name));
        forbidden.push(...add);
      }
    }
    const details: string[] = [];
    if (missingDrop.length)
      details.push(`${containersPhrase(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`);
    if (adding.length)
      details.push(
        `${containersPhrase(adding)} must not include ${joinQuote(sortedSet(forbidden))} in securityContext.capabilities.add`,
      );
    return details.length ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
  };

const runAsNonRoot: CheckFn = (_m, spec) => {
  const setters: string[] = [];
  let podNonRoot = false;
  const podValue = podSC(spec)?.runAsNonRoot;
  if (podValue === false) setters.push('pod');
  if (podValue === true) podNonRoot = true;
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of visitContainers(spec)) {
    const v = containerSC(c)?.runAsNonRoot;
    if (typeof v === 'boolean') {
      if (!v) explicit.push(String(c.name));
    } else if (!podNonRoot) implicit.push(String(c.name));
  }
  if (explicit.length) setters.push(containersPhrase(explicit));
  if (setters.length)
    return {
      reason: 'runAsNonRoot != true',
      detail: `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false`,
    };
  if (implicit.length)
    return {
      reason: 'runAsNonRoot != true',
      detail: `pod or ${containersPhrase(implicit)} must set securityContext.runAsNonRoot=true`,
    };
  return undefined;
};

const runAsUser: CheckFn = (_m, spec) => {
  const setters: string[] = [];
  if (podSC(spec)?.runAsUser === 0) setters.push('pod');
  const bad = visitContainers(spec)
    .filter((c) => containerSC(c)?.runAsUser === 0)
    .map((c) => String(c.name));
  if (bad.length) setters.push(containersPhrase(bad));
  return setters.length
    ? { reason: 'runAsUser=0', detail: `${setters.join(' and ')} must not set runAsUser=0` }
    : undefined;
};

const seccompRestricted =
  (windowsExempt: boolean): CheckFn =>
  (_m, spec) => {
    if (windowsExempt && isWindows(spec)) return undefined;
    const valid = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
    const setters: string[] = [];
    const values: string[] = [];
    let podSet = false;
    const podProfile = rec(podSC(spec)?.seccompProfile);
    if (podProfile) {
      if (!valid(podProfile.type)) {
        setters.push('pod');
        values.push(String(podProfile.type ?? ''));
      } else podSet = true;
    }
    const explicit: string[] = [];
    const implicit: string[] = [];
    for (const c of visitContainers(spec)) {
      const p = rec(containerSC(c)?.seccompProfile);
      if (p) {
        if (!valid(p.type)) {
          explicit.push(String(c.name));
          values.push(String(p.type ?? ''));
        }
      } else if (!podSet) implicit.push(String(c.name));
    }
    if (explicit.length) setters.push(containersPhrase(explicit));
    if (setters.length)
      return {
        reason: 'seccompProfile',
        detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}`,
      };
    if (implicit.length)
      return {
        reason: 'seccompProfile',
        detail: `pod or ${containersPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
      };
    return undefined;
  };

export const restrictedChecks: Check[] = [
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    versions: [
      { minor: 8, fn: allowPrivilegeEscalation(false) },
      { minor: 25, fn: allowPrivilegeEscalation(true) },
    ],
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    overrides: ['capabilities_baseline'],
    versions: [
      { minor: 22, fn: capabilitiesRestricted(false) },
      { minor: 25, fn: capabilitiesRestricted(true) },
    ],
  },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    overrides: ['hostPathVolumes'],
    versions: [{ minor: 0, fn: restrictedVolumes }],
  },
  { id: 'runAsNonRoot', level: 'restricted', versions: [{ minor: 0, fn: runAsNonRoot }] },
  { id: 'runAsUser', level: 'restricted', versions: [{ minor: 23, fn: runAsUser }] },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    overrides: ['seccompProfile_baseline'],
    versions: [
      { minor: 19, fn: seccompRestricted(false) },
      { minor: 25, fn: seccompRestricted(true) },
    ],
  },
];
